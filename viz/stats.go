package viz

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Silverman returns Silverman's rule-of-thumb bandwidth for a Gaussian kernel density estimate,
// 0.9·min(σ, IQR/1.34)·n^(−1/5) (σ the sample standard deviation). When the data has no spread by
// one measure the other is used; when it has none at all (every γ still 1 at initialisation), the
// bandwidth is 1 % of the value's magnitude, or 0.01 for zeros, so a plot shows a narrow spike.
func Silverman(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	sd := 0.0
	if n > 1 {
		sd = stat.StdDev(sorted, nil)
	}
	iqr := (stat.Quantile(0.75, stat.LinInterp, sorted, nil) - stat.Quantile(0.25, stat.LinInterp, sorted, nil)) / 1.34
	spread := min(sd, iqr)
	if spread <= 0 {
		spread = max(sd, iqr)
	}
	if spread <= 0 {
		return max(0.01*math.Abs(sorted[n/2]), 0.01)
	}
	return 0.9 * spread * math.Pow(float64(n), -0.2)
}

// KDE evaluates the Gaussian kernel density estimate of x with bandwidth h at each grid point:
// (1/n)·Σ φ((g − xᵢ)/h)/h. It integrates to 1 over the real line.
func KDE(x []float64, h float64, grid []float64) []float64 {
	out := make([]float64, len(grid))
	if len(x) == 0 || !(h > 0) {
		return out
	}
	k := distuv.Normal{Mu: 0, Sigma: h}
	for i, g := range grid {
		s := 0.0
		for _, v := range x {
			s += k.Prob(g - v)
		}
		out[i] = s / float64(len(x))
	}
	return out
}

// Linspace returns n evenly spaced points from a to b inclusive.
func Linspace(a, b float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		if n == 1 {
			out[i] = a
			continue
		}
		out[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return out
}

// Float64s converts float32 data.
func Float64s(f []float32) []float64 {
	out := make([]float64, len(f))
	for i, v := range f {
		out[i] = float64(v)
	}
	return out
}

// BandProbs are the quantiles of a quantile band: 5, 25, 50, 75 and 95 %.
var BandProbs = [5]float64{0.05, 0.25, 0.5, 0.75, 0.95}

// Bands returns the 5/25/50/75/95 % quantiles of data (linear interpolation between order
// statistics), NaNs skipped; all NaN when there is no data.
func Bands(data []float32) [5]float64 {
	x := make([]float64, 0, len(data))
	for _, v := range data {
		if v == v {
			x = append(x, float64(v))
		}
	}
	var q [5]float64
	if len(x) == 0 {
		for i := range q {
			q[i] = math.NaN()
		}
		return q
	}
	slices.Sort(x)
	for i, p := range BandProbs {
		q[i] = stat.Quantile(p, stat.LinInterp, x, nil)
	}
	return q
}

// Summary is the five-number summary of a violin: minimum, quartiles, maximum.
type Summary struct {
	Min, Q1, Median, Q3, Max, Mean float64
}

// Summarize returns x's five-number summary and mean; x must not be empty.
func Summarize(x []float64) Summary {
	s := slices.Clone(x)
	slices.Sort(s)
	return Summary{
		Min: s[0], Max: s[len(s)-1], Mean: stat.Mean(s, nil),
		Q1:     stat.Quantile(0.25, stat.LinInterp, s, nil),
		Median: stat.Quantile(0.5, stat.LinInterp, s, nil),
		Q3:     stat.Quantile(0.75, stat.LinInterp, s, nil),
	}
}
