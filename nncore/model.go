package nncore

import "fmt"

// The LeNet-5 graph of docs/CONTRACT.md as a list of ops over numbered activations. A spec holds
// only shapes and names; a net[T] holds the buffers and runs it in float32 (the engine) or float64
// (the gradient checks).

type paramKind uint8

const (
	paramWeight paramKind = iota
	paramBias
	paramGamma
	paramBeta
	bufferMean
	bufferVar
)

type paramInfo struct {
	name  string
	shape []int
	kind  paramKind
	fanIn int
}

func (p paramInfo) size() int {
	n := 1
	for _, d := range p.shape {
		n *= d
	}
	return n
}

// actInfo is one activation tensor [n, c, h, w] (h = w = 1 after flattening).
type actInfo struct {
	name    string
	c, h, w int
}

func (a actInfo) size() int { return a.c * a.h * a.w }

func (a actInfo) shape(n int) []int {
	if a.h == 1 && a.w == 1 && a.name != "input" {
		return []int{n, a.c}
	}
	return []int{n, a.c, a.h, a.w}
}

type opKind uint8

const (
	opConv opKind = iota
	opBN
	opDrop
	opReLU
	opPool
	opLinear
)

type op struct {
	kind    opKind
	in, out int     // activation indices
	param   int     // index of the weight or γ in params (bias or β follows); -1 if none
	buffer  int     // index of the running mean in buffers (running var follows); -1 if none
	k       int     // conv kernel size
	layer   uint32  // K of dropK / bnK
	p       float32 // dropout probability
	aux     int     // index into per-kind state (BN statistics, pool argmax)
}

type spec struct {
	cfg     Config
	acts    []actInfo
	params  []paramInfo
	buffers []paramInfo
	ops     []op
	nBN     int
	nPool   int
}

func (s *spec) addAct(name string, c, h, w int) int {
	s.acts = append(s.acts, actInfo{name, c, h, w})
	return len(s.acts) - 1
}

func (s *spec) conv(in int, name string, cout, k int) int {
	a := s.acts[in]
	fan := a.c * k * k
	s.params = append(s.params,
		paramInfo{name + ".weight", []int{cout, a.c, k, k}, paramWeight, fan},
		paramInfo{name + ".bias", []int{cout}, paramBias, fan})
	out := s.addAct(name, cout, a.h-k+1, a.w-k+1)
	s.ops = append(s.ops, op{kind: opConv, in: in, out: out, param: len(s.params) - 2, buffer: -1, k: k})
	return out
}

func (s *spec) linear(in int, name string, out int) int {
	a := s.acts[in]
	fan := a.size()
	s.params = append(s.params,
		paramInfo{name + ".weight", []int{out, fan}, paramWeight, fan},
		paramInfo{name + ".bias", []int{out}, paramBias, fan})
	o := s.addAct(name, out, 1, 1)
	s.ops = append(s.ops, op{kind: opLinear, in: in, out: o, param: len(s.params) - 2, buffer: -1})
	return o
}

func (s *spec) bn(in int, k uint32) int {
	a := s.acts[in]
	name := fmt.Sprintf("bn%d", k)
	s.params = append(s.params,
		paramInfo{name + ".weight", []int{a.c}, paramGamma, 0},
		paramInfo{name + ".bias", []int{a.c}, paramBeta, 0})
	s.buffers = append(s.buffers,
		paramInfo{name + ".running_mean", []int{a.c}, bufferMean, 0},
		paramInfo{name + ".running_var", []int{a.c}, bufferVar, 0})
	out := s.addAct(name, a.c, a.h, a.w)
	s.ops = append(s.ops, op{kind: opBN, in: in, out: out, param: len(s.params) - 2, buffer: len(s.buffers) - 2, layer: k, aux: s.nBN})
	s.nBN++
	return out
}

func (s *spec) simple(in int, kind opKind, name string) int {
	a := s.acts[in]
	var out int
	if kind == opPool {
		out = s.addAct(name, a.c, a.h/2, a.w/2)
		s.ops = append(s.ops, op{kind: kind, in: in, out: out, param: -1, buffer: -1, aux: s.nPool})
		s.nPool++
	} else {
		out = s.addAct(name, a.c, a.h, a.w)
		s.ops = append(s.ops, op{kind: kind, in: in, out: out, param: -1, buffer: -1})
	}
	return out
}

func (s *spec) drop(in int, k uint32, p float32) int {
	a := s.acts[in]
	out := s.addAct(fmt.Sprintf("drop%d", k), a.c, a.h, a.w)
	s.ops = append(s.ops, op{kind: opDrop, in: in, out: out, param: -1, buffer: -1, layer: k, p: p})
	return out
}

// newSpec builds the graph of c's variant. c's variant must be valid.
func newSpec(c Config) *spec {
	if _, err := ParseVariant(string(c.Variant)); err != nil {
		panic("nncore: " + err.Error())
	}
	s := &spec{cfg: c}
	bn0 := c.Variant == BNInput
	bn := c.HasBN()
	drop := c.HasDropout()
	pixels := c.InputDropout != InputDropoutConv1

	cur := s.addAct("input", 1, 32, 32)
	if bn0 {
		cur = s.bn(cur, 0)
	}
	if drop && pixels {
		cur = s.drop(cur, 0, 0.2)
	}
	block := func(k uint32, p float32) {
		if bn {
			cur = s.bn(cur, k)
		}
		if drop {
			cur = s.drop(cur, k, p)
		}
		cur = s.simple(cur, opReLU, fmt.Sprintf("relu%d", k))
	}
	p1 := float32(0.5)
	if !pixels {
		p1 = 0.2
	}
	cur = s.conv(cur, "conv1", 6, 5)
	block(1, p1)
	cur = s.simple(cur, opPool, "pool1")
	cur = s.conv(cur, "conv2", 16, 5)
	block(2, 0.5)
	cur = s.simple(cur, opPool, "pool2")
	cur = s.linear(cur, "fc1", 120)
	block(3, 0.5)
	cur = s.linear(cur, "fc2", 84)
	block(4, 0.5)
	s.linear(cur, "fc3", 10)
	return s
}

// net runs a spec on batches of up to maxN samples. Every buffer is allocated once here.
type net[T Float] struct {
	s      *spec
	k      *kernels[T]
	maxN   int
	acts   [][]T // [maxN·size] each; acts[0] is the input
	grads  [][]T // gradients of acts; grads[0] is nil (the input needs none)
	gArena []T   // backing store of grads
	params [][]T
	pgrads [][]T
	pArena []T // backing store of pgrads
	bufs   [][]T
	bnMean [][]T // per BN op: last training batch mean and biased variance
	bnVar  [][]T
	argmax [][]int32
	col    []T // conv scratch
	dcol   []T
	split  *convSplit[T] // when set, conv kernels run over two halves of the batch
	labels []int32
}

func newNet[T Float](s *spec, k *kernels[T], maxN int) *net[T] {
	if maxN < 1 {
		panic("nncore: net: batch capacity < 1")
	}
	m := &net[T]{s: s, k: k, maxN: maxN, labels: make([]int32, maxN)}
	total := 0
	for i, a := range s.acts {
		m.acts = append(m.acts, make([]T, maxN*a.size()))
		if i > 0 {
			total += maxN * a.size()
		}
	}
	m.gArena = make([]T, total)
	m.grads = append(m.grads, nil)
	off := 0
	for _, a := range s.acts[1:] {
		n := maxN * a.size()
		m.grads = append(m.grads, m.gArena[off:off+n:off+n])
		off += n
	}
	ptotal := 0
	for _, p := range s.params {
		m.params = append(m.params, make([]T, p.size()))
		ptotal += p.size()
	}
	m.pArena = make([]T, ptotal)
	off = 0
	for _, p := range s.params {
		m.pgrads = append(m.pgrads, m.pArena[off:off+p.size():off+p.size()])
		off += p.size()
	}
	for _, b := range s.buffers {
		m.bufs = append(m.bufs, make([]T, b.size()))
	}
	colSize := 0
	for _, o := range s.ops {
		a := s.acts[o.in]
		switch o.kind {
		case opBN:
			m.bnMean = append(m.bnMean, make([]T, a.c))
			m.bnVar = append(m.bnVar, make([]T, a.c))
		case opPool:
			m.argmax = append(m.argmax, make([]int32, maxN*s.acts[o.out].size()))
		case opConv:
			colSize = max(colSize, 2*convScratch(maxN, a.c, a.h, a.w, s.acts[o.out].c, o.k))
		}
	}
	m.col = make([]T, colSize)
	m.dcol = make([]T, colSize)
	return m
}

// load copies st's parameters and buffers into the net, checking names and shapes.
func (m *net[T]) load(st *State) error {
	if len(st.Params) != len(m.s.params) || len(st.Buffers) != len(m.s.buffers) {
		return fmt.Errorf("state has %d parameters and %d buffers, variant %s needs %d and %d",
			len(st.Params), len(st.Buffers), m.s.cfg.Variant, len(m.s.params), len(m.s.buffers))
	}
	for i, p := range m.s.params {
		if err := checkTensor(st.Params[i], p); err != nil {
			return err
		}
		for j, v := range st.Params[i].Data {
			m.params[i][j] = T(v)
		}
	}
	for i, b := range m.s.buffers {
		if err := checkTensor(st.Buffers[i], b); err != nil {
			return err
		}
		for j, v := range st.Buffers[i].Data {
			m.bufs[i][j] = T(v)
		}
	}
	return nil
}

func checkTensor(t Tensor, p paramInfo) error {
	if t.Name != p.name || fmt.Sprint(t.Shape) != fmt.Sprint(p.shape) || len(t.Data) != p.size() {
		return fmt.Errorf("state tensor %q %v (%d values) does not match %q %v of the model",
			t.Name, t.Shape, len(t.Data), p.name, p.shape)
	}
	return nil
}

// forward runs the graph on the n samples in acts[0]. In training mode BN uses (and records) batch
// statistics and updates the running ones, and dropout draws masks for (seed, step).
func (m *net[T]) forward(n int, train bool, seed uint64, step uint32) {
	if n < 1 || n > m.maxN {
		panic(fmt.Sprintf("nncore: net: batch of %d, capacity %d", n, m.maxN))
	}
	for _, o := range m.s.ops {
		a, b := m.s.acts[o.in], m.s.acts[o.out]
		x, y := m.acts[o.in][:n*a.size()], m.acts[o.out][:n*b.size()]
		switch o.kind {
		case opConv:
			if m.split != nil {
				m.split.forward(y, x, m.params[o.param], m.params[o.param+1], n, a.c, a.h, a.w, b.c, o.k)
				continue
			}
			m.k.convFwd(y, x, m.params[o.param], m.params[o.param+1], m.col, n, a.c, a.h, a.w, b.c, o.k)
		case opLinear:
			m.k.linFwd(y, x, m.params[o.param], m.params[o.param+1], n, a.size(), b.c)
		case opBN:
			g, be := m.params[o.param], m.params[o.param+1]
			rm, rv := m.bufs[o.buffer], m.bufs[o.buffer+1]
			if train {
				mu, va := m.bnMean[o.aux], m.bnVar[o.aux]
				batchNormTrainForward(y, mu, va, x, g, be, n, a.c, a.h*a.w)
				batchNormUpdateRunning(rm, rv, mu, va, n*a.h*a.w)
			} else {
				batchNormEvalForward(y, x, g, be, rm, rv, n, a.c, a.h*a.w)
			}
		case opDrop:
			if train {
				dropoutForward(y, x, seed, step, o.layer, o.p, 0)
			} else {
				copy(y, x)
			}
		case opReLU:
			reluForward(y, x)
		case opPool:
			maxPoolForward(y, m.argmax[o.aux], x, n, a.c, a.h, a.w)
		}
	}
}

// logits returns the last activation of the n samples of the previous forward pass.
func (m *net[T]) logits(n int) []T { return m.acts[len(m.acts)-1][:n*10] }

// zeroGrads clears the parameter gradients. Activation gradients need no clearing: backward
// overwrites each one (the element-wise layers and max-pool write every element; conv and linear
// clear theirs before adding).
func (m *net[T]) zeroGrads() {
	clear(m.pArena)
}

// backward propagates the logits' gradient (already in the last grads buffer) through a training
// forward pass of n samples, adding into the parameter gradients.
func (m *net[T]) backward(n int, seed uint64, step uint32) {
	for i := len(m.s.ops) - 1; i >= 0; i-- {
		o := m.s.ops[i]
		a, b := m.s.acts[o.in], m.s.acts[o.out]
		x, y := m.acts[o.in][:n*a.size()], m.acts[o.out][:n*b.size()]
		dy := m.grads[o.out][:n*b.size()]
		var dx []T
		if o.in != 0 {
			dx = m.grads[o.in][:n*a.size()]
		}
		if dx != nil && (o.kind == opConv || o.kind == opLinear) {
			clear(dx)
		}
		switch o.kind {
		case opConv:
			if m.split != nil {
				m.split.backward(dx, m.pgrads[o.param], m.pgrads[o.param+1], dy, x, m.params[o.param], n, a.c, a.h, a.w, b.c, o.k)
				continue
			}
			m.k.convBwd(dx, m.pgrads[o.param], m.pgrads[o.param+1], dy, x, m.params[o.param], m.col, m.dcol, n, a.c, a.h, a.w, b.c, o.k)
		case opLinear:
			m.k.linBwd(dx, m.pgrads[o.param], m.pgrads[o.param+1], dy, x, m.params[o.param], n, a.size(), b.c)
		case opBN:
			batchNormBackward(dx, m.pgrads[o.param], m.pgrads[o.param+1], dy, x, m.params[o.param], m.bnMean[o.aux], m.bnVar[o.aux], n, a.c, a.h*a.w, false)
		case opDrop:
			if dx != nil {
				dropoutBackward(dx, dy, seed, step, o.layer, o.p, 0, false)
			}
		case opReLU:
			if dx != nil {
				reluBackward(dx, dy, y, false)
			}
		case opPool:
			if dx != nil {
				maxPoolBackwardSet(dx, dy, m.argmax[o.aux][:n*b.size()], n, a.c, a.h, a.w)
			}
		}
	}
}

// lossAndGrad computes the batch loss of the last forward pass against m.labels[:n] and, when grad
// is set, writes its gradient into the logits' gradient buffer.
func (m *net[T]) lossAndGrad(n int, grad bool) (sum float64, correct int) {
	var d []T
	if grad {
		d = m.grads[len(m.grads)-1][:n*10]
		clear(d)
	}
	return softmaxCrossEntropy(d, m.logits(n), m.labels[:n], n, 10)
}

// trainStep runs forward, loss, backward and SGD on the n samples in acts[0] with labels m.labels.
func (m *net[T]) trainStep(n int, seed uint64, step uint32, vel [][]T, c Config) (sum float64, correct int) {
	m.forward(n, true, seed, step)
	m.zeroGrads()
	sum, correct = m.lossAndGrad(n, true)
	m.backward(n, seed, step)
	for i := range m.params {
		var v []T
		if vel != nil {
			v = vel[i]
		}
		sgdStep(m.params[i], m.pgrads[i], v, c.LR, c.Momentum, c.WeightDecay)
	}
	return sum, correct
}
