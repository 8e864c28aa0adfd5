package nncore

import "fmt"

// Probe holds every intermediate activation of one forward pass, for visualizations and the draw pad.
// Acts are in graph order, named "input", "bn0", "drop0", "conv1", "bn1", "drop1", "relu1", "pool1",
// "conv2", ..., "fc3" as the variant has them (no dropK in eval mode); shapes are [n,C,H,W] or [n,F].
// Probs are the softmax of fc3, [n,10].
type Probe struct {
	Acts  []Tensor
	Probs []float32
}

// Act returns the activation called name, or nil.
func (p *Probe) Act(name string) *Tensor {
	for i := range p.Acts {
		if p.Acts[i].Name == name {
			return &p.Acts[i]
		}
	}
	return nil
}

// RunProbe runs a pure CPU forward pass of c's model with st's weights on preprocessed input x
// [n,1,32,32]. In eval mode BN uses the running statistics; in training mode it uses the batch's
// statistics (st is not modified) and dropout draws the masks of step st.Step. It panics when st does
// not fit c or x does not hold n images.
func RunProbe(c Config, st *State, x []float32, n int, trainMode bool) *Probe {
	if n < 1 || len(x) != n*1024 {
		panic(fmt.Sprintf("nncore: RunProbe: %d floats for %d images", len(x), n))
	}
	m := newNet(newSpec(c), fastKernels, n)
	if err := m.load(st); err != nil {
		panic("nncore: RunProbe: " + err.Error())
	}
	copy(m.acts[0], x)
	m.forward(n, trainMode, c.Seed, uint32(st.Step))
	p := &Probe{Probs: make([]float32, n*10)}
	for i, a := range m.s.acts {
		if !trainMode && i > 0 && m.s.ops[i-1].kind == opDrop {
			continue
		}
		p.Acts = append(p.Acts, Tensor{Name: a.name, Shape: a.shape(n), Data: clone(m.acts[i][:n*a.size()])})
	}
	Softmax(p.Probs, m.logits(n), n, 10)
	return p
}
