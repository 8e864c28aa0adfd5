package viz

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

func TestSilverman(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// sd = sqrt(var unbiased) = sqrt(9.1667) = 3.02765; IQR (linear interpolation of the empirical CDF,
	// gonum's LinInterp) computed independently below.
	sd := math.Sqrt(82.5 / 9)
	q1, q3 := 2.5, 7.5 // LinInterp: p·n = 2.5 → between x2 and x3, 7.5 → between x7 and x8
	want := 0.9 * math.Min(sd, (q3-q1)/1.34) * math.Pow(10, -0.2)
	if got := Silverman(x); math.Abs(got-want) > 1e-12 {
		t.Errorf("Silverman = %v, want %v", got, want)
	}
	if got := Silverman([]float64{1, 1, 1}); got != 0.01 {
		t.Errorf("constant data: bandwidth %v, want 0.01", got)
	}
	if got := Silverman([]float64{300, 300}); got != 3 {
		t.Errorf("constant data 300: bandwidth %v, want 3", got)
	}
}

func TestKDE(t *testing.T) {
	x := []float64{-1, 0, 0.5, 3}
	h := 0.7
	grid := Linspace(-8, 11, 2001)
	d := KDE(x, h, grid)
	area := 0.0
	for i := 1; i < len(grid); i++ {
		area += (d[i] + d[i-1]) / 2 * (grid[i] - grid[i-1])
	}
	if math.Abs(area-1) > 1e-6 {
		t.Errorf("KDE integrates to %v", area)
	}
	// At g = 0.5 by hand.
	want := 0.0
	for _, v := range x {
		u := (0.5 - v) / h
		want += math.Exp(-u*u/2) / (h * math.Sqrt(2*math.Pi))
	}
	want /= 4
	got := KDE(x, h, []float64{0.5})[0]
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("KDE(0.5) = %v, want %v", got, want)
	}
}

func TestBands(t *testing.T) {
	data := make([]float32, 0, 200)
	for i := range 200 {
		data = append(data, float32(199-i)) // reversed: Bands must sort
	}
	q := Bands(data)
	for i := 1; i < 5; i++ {
		if !(q[i] > q[i-1]) {
			t.Fatalf("bands not increasing: %v", q)
		}
	}
	// LinInterp: quantile p of n sorted values is between x[⌈pn⌉-1] and the next; for 0..199, ≈ 200p - 0.5.
	for i, p := range BandProbs {
		if math.Abs(q[i]-(200*p-0.5)) > 0.51 {
			t.Errorf("quantile %v = %v, want about %v", p, q[i], 200*p-0.5)
		}
	}
	if q := Bands(nil); !math.IsNaN(q[2]) {
		t.Error("no data gives a number")
	}
}

func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("SVG not well formed: %v\n%s", err, svg[:min(len(svg), 400)])
		}
	}
}

func TestViolinSVG(t *testing.T) {
	g := []float32{0.9, 1.1, 1.05, 0.98, 1.3, 0.7}
	b := []float32{-0.1, 0.05, 0, 0.2, -0.3, 0.1}
	svg := ViolinSVG("bn1", g, b)
	wellFormed(t, svg)
	if strings.Count(svg, "<path") != 2 || !strings.Contains(svg, "bn1 (6 features)") {
		t.Errorf("violin SVG lacks its two paths or title:\n%s", svg)
	}
	v := NewViolin(Float64s(g))
	if v.Summary.Min != float64(float32(0.7)) || v.Summary.Max != float64(float32(1.3)) {
		t.Errorf("summary %+v", v.Summary)
	}
	// The grid reaches three bandwidths beyond the data, where the density is small but positive.
	if v.Grid[0] > v.Summary.Min-2.9*v.H || v.Density[0] <= 0 || v.Density[0] > 0.05*maxOf(v.Density) {
		t.Errorf("grid/density ends wrong: %v %v", v.Grid[0], v.Density[0])
	}
	// Untrained γ (all 1) still draws.
	wellFormed(t, ViolinSVG("bn3", []float32{1, 1, 1}, []float32{0, 0, 0}))
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}

func TestBandsAndKnockoutSVG(t *testing.T) {
	s := BandSeries{Label: "plain <no BN>", Steps: []int64{0, 100, 2000}, Q: [][5]float64{{-1, -.5, 0, .5, 1}, {-2, -1, 0, 1, 2}, {-3, -1, 1, 2, 5}}}
	svg := BandsSVG(s)
	wellFormed(t, svg)
	if !strings.Contains(svg, "2,000") || !strings.Contains(svg, "plain &lt;no BN&gt;") {
		t.Errorf("bands SVG lacks formatted step or escaped label")
	}
	wellFormed(t, BandsSVG(BandSeries{Label: "empty"}))
	k := KnockoutSVG([]KnockoutSeries{
		{Label: "dropout", Color: "#d07030", Drops: []float64{0.001, 0.002, -0.001}},
		{Label: "plain", Color: "#4a78b0", Drops: []float64{0.03, 0.0, 0.01}},
	})
	wellFormed(t, k)
	if strings.Count(k, "<path") != 2 || !strings.Contains(k, "3.0 pp") {
		t.Errorf("knockout SVG:\n%s", k)
	}
}

func TestViolinTicksDoNotOverlap(t *testing.T) {
	// All values equal: min, median and max share one position; one tick label only.
	svg := ViolinSVG("bn0", []float32{1}, []float32{0})
	if got := strings.Count(svg, `class="tick"`); got != 2 {
		t.Errorf("%d tick labels for two single-value violins, want 2", got)
	}
	if !strings.Contains(svg, "bn0 (1 feature)") {
		t.Error("title not singular")
	}
	if got := strings.Count(ViolinSVG("bn1", []float32{0, 0.5, 1}, []float32{0, 0.5, 1}), `class="tick"`); got != 6 {
		t.Errorf("%d tick labels for spread data, want 6", got)
	}
}
