package nncore

import (
	"math/rand/v2"
	"testing"
)

// Element-wise layers at conv1's output size for a batch of 64 (for comparing platforms).
func BenchmarkElementwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n, c, hw = 64, 6, 28 * 28
	x := randVec32(r, n*c*hw, 1)
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	mu, va, g, be := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
	for i := range g {
		g[i] = 1
	}
	arg := make([]int32, len(x)/4)
	p := make([]float32, len(x)/4)
	bench := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
	bench("bn-fwd", func() { batchNormTrainForward(y, mu, va, x, g, be, n, c, hw) })
	bench("bn-bwd", func() { batchNormBackward(dx, mu, va, y, x, g, mu, va, n, c, hw, false) })
	bench("relu-fwd", func() { reluForward(y, x) })
	bench("relu-bwd", func() { reluBackward(dx, y, x, false) })
	bench("pool-fwd", func() { maxPoolForward(p, arg, x, n, c, 28, 28) })
	bench("pool-bwd", func() { maxPoolBackwardSet(dx, p, arg, n, c, 28, 28) })
	bench("dropout-fwd", func() { dropoutForward(y, x, 1, 2, 1, 0.5, 0) })
}
