package nncore

import (
	"math"
	"math/rand/v2"
)

// InitState returns the initial parameters for c (docs/CONTRACT.md, "Parameters"): one
// rand.New(rand.NewPCG(seed, 0x1417)) draws every conv/fc weight then bias, in the contract's order,
// uniformly in ±1/sqrt(fan_in) (PyTorch's default initialization); BN γ=1, β=0, running mean 0,
// running variance 1; step 0, no velocity.
func InitState(c Config) *State {
	s := newSpec(c)
	r := rand.New(rand.NewPCG(c.Seed, 0x1417))
	st := &State{}
	for _, p := range s.params {
		t := Tensor{Name: p.name, Shape: append([]int(nil), p.shape...), Data: make([]float32, p.size())}
		switch p.kind {
		case paramWeight, paramBias:
			bound := 1 / math.Sqrt(float64(p.fanIn))
			for i := range t.Data {
				t.Data[i] = float32((2*r.Float64() - 1) * bound)
			}
		case paramGamma:
			for i := range t.Data {
				t.Data[i] = 1
			}
		}
		st.Params = append(st.Params, t)
	}
	for _, b := range s.buffers {
		t := Tensor{Name: b.name, Shape: append([]int(nil), b.shape...), Data: make([]float32, b.size())}
		if b.kind == bufferVar {
			for i := range t.Data {
				t.Data[i] = 1
			}
		}
		st.Buffers = append(st.Buffers, t)
	}
	return st
}
