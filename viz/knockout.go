package viz

import (
	"fmt"
	"math"
	"strings"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// BNEps is the BN epsilon of docs/CONTRACT.md.
const BNEps = 1e-5

// knockChunk is how many test images one forward pass takes (bounds memory: ~8 MB of activations).
const knockChunk = 200

// KnockoutCurve measures co-adaptation: for each hidden unit of layer ("fc1" or "fc2"), the drop in
// test accuracy (a fraction: baseline accuracy minus accuracy without the unit) when the unit is
// knocked out by zeroing its outgoing weights in the next linear layer on a copy of st. It evaluates
// in eval mode on the first limit images of test (0 = all).
//
// The network up to the knocked-out unit is the same for every unit, so it runs once (nncore.RunProbe)
// and only the layers after it are recomputed per unit: the next linear layer's output minus the
// unit's contribution, then the remaining BN (running statistics), ReLU and linear layers.
func KnockoutCurve(cfg nncore.Config, st *nncore.State, test *mnist.Set, limit int, layer string) []float64 {
	next, ok := map[string]string{"fc1": "fc2", "fc2": "fc3"}[layer]
	if !ok {
		panic(fmt.Sprintf("viz: KnockoutCurve: layer %q, want fc1 or fc2", layer))
	}
	test = test.Limit(limit)
	w := param(st, next+".weight")
	units := w.Shape[1]
	outs := w.Shape[0]
	correct := make([]int, units)
	base := 0
	pre := cfg.Preprocess()
	x := make([]float32, knockChunk*mnist.Pixels)
	z := make([]float32, outs)
	var tail *tailNet
	for start := 0; start < test.N; start += knockChunk {
		n := min(knockChunk, test.N-start)
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = int32(start + i)
		}
		pre.Fill(x[:n*mnist.Pixels], test, idx)
		p := nncore.RunProbe(cfg, st, x[:n*mnist.Pixels], n, false)
		if tail == nil {
			tail = newTail(st, p.Acts, next)
		}
		h := actBefore(p.Acts, next)
		zs := p.Act(next)
		for s := range n {
			label := int(test.Labels[start+s])
			hs := h.Data[s*units : (s+1)*units]
			zb := zs.Data[s*outs : (s+1)*outs]
			basePred := tail.predict(zb)
			if basePred == label {
				base++
			}
			for u := range units {
				pred := basePred
				if hs[u] != 0 {
					for o := range outs {
						z[o] = zb[o] - w.Data[o*units+u]*hs[u]
					}
					pred = tail.predict(z)
				}
				if pred == label {
					correct[u]++
				}
			}
		}
	}
	drops := make([]float64, units)
	for u := range drops {
		drops[u] = float64(base-correct[u]) / float64(test.N)
	}
	return drops
}

func param(st *nncore.State, name string) *nncore.Tensor {
	for _, ts := range [][]nncore.Tensor{st.Params, st.Buffers} {
		for i := range ts {
			if ts[i].Name == name {
				return &ts[i]
			}
		}
	}
	panic(fmt.Sprintf("viz: the model state has no %q", name))
}

func actBefore(acts []nncore.Tensor, name string) *nncore.Tensor {
	for i := 1; i < len(acts); i++ {
		if acts[i].Name == name {
			return &acts[i-1]
		}
	}
	panic(fmt.Sprintf("viz: the probe has no activation %q", name))
}

// tailNet is the part of the eval-mode network after a linear layer: BN with running statistics,
// ReLU and linear layers, ending in the logits.
type tailNet struct {
	ops        []tailOp
	bufA, bufB []float32
}

type tailOp struct {
	kind        byte // 'b' BN, 'r' ReLU, 'l' linear
	scale, bias []float32
	w           []float32 // linear [out, in]
	in, out     int
}

func newTail(st *nncore.State, acts []nncore.Tensor, from string) *tailNet {
	t := &tailNet{}
	i := 0
	for i < len(acts) && acts[i].Name != from {
		i++
	}
	width := acts[i].Shape[1]
	for _, a := range acts[i+1:] {
		switch {
		case strings.HasPrefix(a.Name, "bn"):
			g, b := param(st, a.Name+".weight").Data, param(st, a.Name+".bias").Data
			m, v := param(st, a.Name+".running_mean").Data, param(st, a.Name+".running_var").Data
			op := tailOp{kind: 'b', scale: make([]float32, width), bias: make([]float32, width), in: width, out: width}
			for f := range width {
				// y = γ(x−μ)/√(σ²+ε) + β as one scale and shift.
				op.scale[f] = g[f] / float32(math.Sqrt(float64(v[f])+BNEps))
				op.bias[f] = b[f] - m[f]*op.scale[f]
			}
			t.ops = append(t.ops, op)
		case strings.HasPrefix(a.Name, "relu"):
			t.ops = append(t.ops, tailOp{kind: 'r', in: width, out: width})
		case strings.HasPrefix(a.Name, "fc"):
			w := param(st, a.Name+".weight")
			t.ops = append(t.ops, tailOp{kind: 'l', w: w.Data, bias: param(st, a.Name+".bias").Data, in: w.Shape[1], out: w.Shape[0]})
			width = w.Shape[0]
		default:
			panic(fmt.Sprintf("viz: KnockoutCurve cannot recompute layer %q", a.Name))
		}
	}
	t.bufA, t.bufB = make([]float32, 128), make([]float32, 128)
	return t
}

// predict runs the tail on one sample's output of the knocked layer's successor and returns the
// predicted class.
func (t *tailNet) predict(z []float32) int {
	cur := z
	for k, op := range t.ops {
		dst := t.bufA
		if k%2 == 1 {
			dst = t.bufB
		}
		dst = dst[:op.out]
		switch op.kind {
		case 'b':
			for f, v := range cur {
				dst[f] = v*op.scale[f] + op.bias[f]
			}
		case 'r':
			for f, v := range cur {
				dst[f] = max(v, 0)
			}
		case 'l':
			for o := range op.out {
				s := op.bias[o]
				row := op.w[o*op.in : (o+1)*op.in]
				for i, v := range cur {
					s += row[i] * v
				}
				dst[o] = s
			}
		}
		cur = dst
	}
	return Argmax(cur)
}

// ShiftSeries is the internal-covariate-shift demo's data: for each state of one run (snapshots
// taken during training), the quantile bands of activation act (e.g. "fc1", the pre-activation of the
// first hidden layer, before BN and ReLU) over the probe batch x of n images. The probe runs in
// training mode, so every BN layer normalizes with the batch's own statistics, as during training;
// use runs without dropout, or the masks of each state's step perturb the picture.
func ShiftSeries(label string, cfg nncore.Config, states []*nncore.State, x []float32, n int, act string) BandSeries {
	s := BandSeries{Label: label}
	for _, st := range states {
		p := nncore.RunProbe(cfg, st, x, n, true)
		a := p.Act(act)
		if a == nil {
			panic(fmt.Sprintf("viz: ShiftSeries: the model has no activation %q", act))
		}
		s.Steps = append(s.Steps, st.Step)
		s.Q = append(s.Q, Bands(a.Data))
	}
	return s
}
