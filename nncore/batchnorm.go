package nncore

import "math"

// BatchNorm: PyTorch's BatchNorm1d/2d with eps 1e-5 and momentum 0.1.
//
//	x, y   [n, c, hw]   (BN2d: hw = H·W, statistics over N,H,W per channel; BN1d: hw = 1)
//	gamma, beta, mean, variance, runMean, runVar   [c]
//
// Training: y = γ·(x−μ)/sqrt(σ²+eps) + β with the batch mean μ and biased variance σ², which the
// forward pass writes to mean and variance for the backward pass. The running statistics are updated
// separately (BatchNormUpdateRunning) with the unbiased variance. Evaluation uses the running
// statistics. Sums are accumulated in float64.
//
// Backward (training mode) adds into dx (nil skips it), dgamma and dbeta:
//
//	dx = γ/sqrt(σ²+eps) · (dy − mean(dy) − x̂·mean(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy.

// Constants of PyTorch's BatchNorm defaults.
const (
	BNEps      = 1e-5
	BNMomentum = 0.1
)

// BatchNormTrainForward normalizes x with its batch statistics, writing y, mean and variance.
func BatchNormTrainForward(y, mean, variance, x, gamma, beta []float32, n, c, hw int) {
	batchNormTrainForward(y, mean, variance, x, gamma, beta, n, c, hw)
}

// BatchNormEvalForward normalizes x with the running statistics.
func BatchNormEvalForward(y, x, gamma, beta, runMean, runVar []float32, n, c, hw int) {
	batchNormEvalForward(y, x, gamma, beta, runMean, runVar, n, c, hw)
}

// BatchNormUpdateRunning blends the batch statistics of count = n·hw values per channel into the
// running ones: r = 0.9·r + 0.1·batch, with the variance made unbiased (count/(count−1)).
func BatchNormUpdateRunning(runMean, runVar, mean, variance []float32, count int) {
	batchNormUpdateRunning(runMean, runVar, mean, variance, count)
}

// BatchNormBackward adds the training-mode gradients into dx (if non-nil), dgamma and dbeta.
func BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance []float32, n, c, hw int) {
	batchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance, n, c, hw, true)
}

func bnCheck[T Float](y, x []T, n, c, hw int, cs ...[]T) {
	if n < 1 || c < 1 || hw < 1 {
		panic("nncore: batchnorm: bad shape")
	}
	need("batchnorm x/y", n*c*hw, x, y)
	need("batchnorm per-channel", c, cs...)
}

func batchNormTrainForward[T Float](y, mean, variance, x, gamma, beta []T, n, c, hw int) {
	bnCheck(y, x, n, c, hw, mean, variance, gamma, beta)
	cnt := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		var s float64
		for i := 0; i < n; i++ {
			s += sum64(x[(i*c+ch)*hw : (i*c+ch+1)*hw])
		}
		mu := s / cnt
		var ss float64
		for i := 0; i < n; i++ {
			ss += sumSqDev64(x[(i*c+ch)*hw:(i*c+ch+1)*hw], mu)
		}
		va := ss / cnt
		mean[ch], variance[ch] = T(mu), T(va)
		scale := float64(gamma[ch]) / math.Sqrt(va+BNEps)
		shift := float64(beta[ch]) - mu*scale
		bnAffine(y, x, T(scale), T(shift), n, c, hw, ch)
	}
}

// bnAffine writes y = x·scale + shift over channel ch.
func bnAffine[T Float](y, x []T, scale, shift T, n, c, hw, ch int) {
	for i := 0; i < n; i++ {
		o := (i*c + ch) * hw
		src, dst := x[o:o+hw], y[o:o+hw]
		j := 0
		for ; j+4 <= hw; j += 4 {
			s, d := src[j:j+4:j+4], dst[j:j+4:j+4]
			d[0] = s[0]*scale + shift
			d[1] = s[1]*scale + shift
			d[2] = s[2]*scale + shift
			d[3] = s[3]*scale + shift
		}
		for ; j < hw; j++ {
			dst[j] = src[j]*scale + shift
		}
	}
}

func batchNormEvalForward[T Float](y, x, gamma, beta, runMean, runVar []T, n, c, hw int) {
	bnCheck(y, x, n, c, hw, gamma, beta, runMean, runVar)
	for ch := 0; ch < c; ch++ {
		scale := float64(gamma[ch]) / math.Sqrt(float64(runVar[ch])+BNEps)
		shift := float64(beta[ch]) - float64(runMean[ch])*scale
		bnAffine(y, x, T(scale), T(shift), n, c, hw, ch)
	}
}

func batchNormUpdateRunning[T Float](runMean, runVar, mean, variance []T, count int) {
	if count < 2 {
		panic("nncore: batchnorm: running variance needs at least 2 values per channel")
	}
	need("batchnorm running", len(mean), runMean, runVar, variance)
	unbias := float64(count) / float64(count-1)
	for ch := range mean {
		runMean[ch] = T((1-BNMomentum)*float64(runMean[ch]) + BNMomentum*float64(mean[ch]))
		runVar[ch] = T((1-BNMomentum)*float64(runVar[ch]) + BNMomentum*float64(variance[ch])*unbias)
	}
}

// batchNormBackward adds into dx, or overwrites it when acc is false; it always adds into dgamma
// and dbeta.
func batchNormBackward[T Float](dx, dgamma, dbeta, dy, x, gamma, mean, variance []T, n, c, hw int, acc bool) {
	bnCheck(dy, x, n, c, hw, dgamma, dbeta, gamma, mean, variance)
	if dx != nil {
		need("batchnorm dx", n*c*hw, dx)
	}
	cnt := float64(n * hw)
	for ch := 0; ch < c; ch++ {
		mu := float64(mean[ch])
		inv := 1 / math.Sqrt(float64(variance[ch])+BNEps)
		var sdy, sdyx float64
		for i := 0; i < n; i++ {
			o := (i*c + ch) * hw
			a, b := sumDot64(dy[o:o+hw], x[o:o+hw], mu)
			sdy += a
			sdyx += b
		}
		sdyx *= inv
		dgamma[ch] += T(sdyx)
		dbeta[ch] += T(sdy)
		if dx == nil {
			continue
		}
		k := float64(gamma[ch]) * inv
		mdy, mdyx := sdy/cnt, sdyx/cnt
		// dx = k·(dy − mdy − x̂·mdyx) = k·dy − k·mdyx·inv·(x−μ) − k·mdy
		a, bx, c0, m := T(k), T(-k*mdyx*inv), T(-k*mdy), T(mu)
		for i := 0; i < n; i++ {
			o := (i*c + ch) * hw
			g, xs, d := dy[o:o+hw], x[o:o+hw], dx[o:o+hw]
			if acc {
				for j, v := range g {
					d[j] += a*v + bx*(xs[j]-m) + c0
				}
			} else {
				for j, v := range g {
					d[j] = a*v + bx*(xs[j]-m) + c0
				}
			}
		}
	}
}

// The float64 sums below keep four independent chains: one chain waits on the adder's latency at
// every element.

// sum64 returns Σ v.
func sum64[T Float](v []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		q := v[i : i+4 : i+4] // one bounds check for four elements
		s0 += float64(q[0])
		s1 += float64(q[1])
		s2 += float64(q[2])
		s3 += float64(q[3])
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDev64 returns Σ (v−mu)².
func sumSqDev64[T Float](v []T, mu float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		q := v[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(q[0])-mu, float64(q[1])-mu, float64(q[2])-mu, float64(q[3])-mu
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(v); i++ {
		d := float64(v[i]) - mu
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sumDot64 returns Σ g and Σ g·(x−mu).
func sumDot64[T Float](g, x []T, mu float64) (sg, sgx float64) {
	x = x[:len(g)]
	var a0, a1, b0, b1 float64
	i := 0
	for ; i+2 <= len(g); i += 2 {
		g0, g1 := float64(g[i]), float64(g[i+1])
		a0 += g0
		a1 += g1
		b0 += g0 * (float64(x[i]) - mu)
		b1 += g1 * (float64(x[i+1]) - mu)
	}
	for ; i < len(g); i++ {
		a0 += float64(g[i])
		b0 += float64(g[i]) * (float64(x[i]) - mu)
	}
	return a0 + a1, b0 + b1
}
