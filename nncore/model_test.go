package nncore

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// variantConfigs lists every variant, and the dropout ones also with input-dropout=conv1.
func variantConfigs() []Config {
	var out []Config
	for _, v := range Variants {
		c := DefaultConfig()
		c.Variant = v
		out = append(out, c)
		if c.HasDropout() {
			c.InputDropout = InputDropoutConv1
			out = append(out, c)
		}
	}
	return out
}

func name(c Config) string { return fmt.Sprintf("%s/%s", c.Variant, c.InputDropout) }

// newTestNet builds a float64 reference net with c's initial weights, random input and labels.
func newTestNet(c Config, n int, seed uint64) *net[float64] {
	m := newNet(newSpec(c), refKernels[float64](), n)
	if err := m.load(InitState(c)); err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(seed, 11))
	for i := range m.acts[0][:n*1024] {
		m.acts[0][i] = r.Float64()*2 - 0.5
	}
	for i := range n {
		m.labels[i] = int32(r.IntN(10))
	}
	// Non-trivial BN affine parameters and running statistics.
	for i, p := range m.s.params {
		if p.kind == paramGamma || p.kind == paramBeta {
			for j := range m.params[i] {
				m.params[i][j] += (r.Float64() - 0.5) * 0.4
			}
		}
	}
	return m
}

// The whole model's gradient against central differences, in float64, for every variant. Dropout
// masks are fixed by the hash at a fixed step.
func TestGradModel(t *testing.T) {
	const n, perTensor = 4, 12
	for _, c := range variantConfigs() {
		t.Run(name(c), func(t *testing.T) {
			m := newTestNet(c, n, 3)
			const seed, step = 5, 17
			loss := func() float64 {
				m.forward(n, true, seed, step)
				s, _ := m.lossAndGrad(n, false)
				return s / n
			}
			m.forward(n, true, seed, step)
			m.zeroGrads()
			m.lossAndGrad(n, true)
			m.backward(n, seed, step)
			r := rand.New(rand.NewPCG(9, 9))
			for i, p := range m.s.params {
				v, g := m.params[i], m.pgrads[i]
				idx := r.Perm(len(v))
				if len(idx) > perTensor {
					idx = idx[:perTensor]
				}
				for _, j := range idx {
					// A ReLU or max-pool kink within ε of the point spoils a difference; the true
					// gradient is what the differences converge to as ε shrinks, so a mismatch must
					// persist at every ε to count.
					var nums []float64
					ok := false
					for _, eps := range []float64{1e-6, 1e-7, 1e-8} {
						old := v[j]
						v[j] = old + eps
						lp := loss()
						v[j] = old - eps
						lm := loss()
						v[j] = old
						num := (lp - lm) / (2 * eps)
						nums = append(nums, num)
						if math.Abs(num-g[j]) <= 1e-6+1e-4*math.Abs(num) {
							ok = true
							break
						}
					}
					if !ok {
						t.Errorf("%s[%d]: analytic %.9g, numeric %.9g", p.name, j, g[j], nums)
					}
				}
			}
		})
	}
}

// The float32 engine net (fast kernels) against the float64 reference net: logits, loss and every
// parameter gradient of one training step.
func TestFastNetMatchesFloat64(t *testing.T) {
	const n = 6
	for _, c := range variantConfigs() {
		t.Run(name(c), func(t *testing.T) {
			ref := newTestNet(c, n, 4)
			fast := newNet(newSpec(c), fastKernels, n+3)
			poisonNet(fast)
			for i := range ref.params {
				for j, v := range ref.params[i] {
					fast.params[i][j] = float32(v)
				}
			}
			for i := range ref.bufs {
				for j, v := range ref.bufs[i] {
					fast.bufs[i][j] = float32(v)
				}
			}
			for i := range n * 1024 {
				fast.acts[0][i] = float32(ref.acts[0][i])
			}
			copy(fast.labels, ref.labels[:n])
			for _, m := range []interface {
				forward(int, bool, uint64, uint32)
				zeroGrads()
				lossAndGrad(int, bool) (float64, int)
				backward(int, uint64, uint32)
			}{ref, fast} {
				m.forward(n, true, 3, 2)
				m.zeroGrads()
				m.lossAndGrad(n, true)
				m.backward(n, 3, 2)
			}
			closeAll(t, "logits", fast.logits(n), to32(ref.logits(n)), 1e-4, 1e-4)
			for i, p := range ref.s.params {
				closeAll(t, p.name+" grad", fast.pgrads[i], to32(ref.pgrads[i]), 1e-5, 2e-3)
			}
			for i, b := range ref.s.buffers {
				closeAll(t, b.name, fast.bufs[i], to32(ref.bufs[i]), 1e-6, 1e-5)
			}
		})
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// poisonNet fills every activation, gradient and scratch buffer with NaN, so that a value read
// before it is written (or past the batch's end) shows.
func poisonNet(m *net[float32]) {
	nan := float32(math.NaN())
	fill := func(v []float32) {
		for i := range v {
			v[i] = nan
		}
	}
	for _, a := range m.acts {
		fill(a)
	}
	fill(m.gArena)
	fill(m.pArena)
	fill(m.col)
	fill(m.dcol)
	for i := range m.bnMean {
		fill(m.bnMean[i])
		fill(m.bnVar[i])
	}
	if p := m.split; p != nil {
		for i := range 2 {
			fill(p.col[i])
			fill(p.dcol[i])
			fill(p.dw[i])
			fill(p.db[i])
		}
	}
}
