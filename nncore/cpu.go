package nncore

import (
	"errors"
	"fmt"

	"github.com/lenetlab/lenetlab/mnist"
)

// CPUEngine trains the model in pure Go float32. The convolutions run over two fixed halves of each
// batch, the second on a helper goroutine when GOMAXPROCS > 1 (results do not depend on it); Close
// stops the helper. It is not safe for concurrent use.
type CPUEngine struct {
	cfg         Config
	pre         mnist.Preprocess
	train, test *mnist.Set
	m           *net[float32]
	vel         [][]float32 // nil without momentum
	step        int64
	trained     bool // a training step has run, so the BN batch statistics and masks are set
	stats       TrainStats
	idx         []int32 // evaluation scratch
	closed      bool
}

var _ Engine = (*CPUEngine)(nil)

// NewCPUEngine builds a CPU engine for c from st (copied; st is not retained). train and test may be
// nil when the engine is only used for Predict.
func NewCPUEngine(c Config, st *State, train, test *mnist.Set) (*CPUEngine, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("nncore: NewCPUEngine: nil state (use InitState)")
	}
	e := &CPUEngine{cfg: c, pre: c.Preprocess(), train: train, test: test, step: st.Step}
	e.m = newNet(newSpec(c), fastKernels, c.Batch)
	if err := e.m.load(st); err != nil {
		return nil, err
	}
	e.m.split = newConvSplit(e.m.k, e.m.s, c.Batch)
	if c.Momentum > 0 {
		e.vel = make([][]float32, len(e.m.params))
		for i := range e.vel {
			e.vel[i] = make([]float32, len(e.m.params[i]))
		}
		if len(st.Velocity) > 0 {
			if len(st.Velocity) != len(e.m.params) {
				return nil, fmt.Errorf("state has %d velocity tensors, the model has %d parameters", len(st.Velocity), len(e.m.params))
			}
			for i, p := range e.m.s.params {
				if err := checkTensor(st.Velocity[i], p); err != nil {
					return nil, err
				}
				copy(e.vel[i], st.Velocity[i].Data)
			}
		}
	}
	e.idx = make([]int32, c.Batch)
	return e, nil
}

// Backend returns "cpu".
func (e *CPUEngine) Backend() string { return "cpu" }

// Config returns the engine's configuration.
func (e *CPUEngine) Config() Config { return e.cfg }

// TrainBatch runs one SGD step on the training images idx.
func (e *CPUEngine) TrainBatch(idx []int32) error {
	if e.closed {
		return errors.New("nncore: engine is closed")
	}
	if e.train == nil {
		return errors.New("nncore: engine has no training set")
	}
	n := len(idx)
	if n < 1 || n > e.cfg.Batch {
		return fmt.Errorf("nncore: batch of %d images, want 1 to %d", n, e.cfg.Batch)
	}
	if n == 1 && e.cfg.HasBN() {
		return errors.New("nncore: BatchNorm cannot train on a batch of 1 image")
	}
	for _, i := range idx {
		if i < 0 || int(i) >= e.train.N {
			return fmt.Errorf("nncore: training index %d out of range [0, %d)", i, e.train.N)
		}
	}
	e.pre.Fill(e.m.acts[0][:n*mnist.Pixels], e.train, idx)
	for k, i := range idx {
		e.m.labels[k] = int32(e.train.Labels[i])
	}
	sum, correct := e.m.trainStep(n, e.cfg.Seed, uint32(e.step), e.vel, e.cfg)
	e.stats.LossSum += sum
	e.stats.Correct += correct
	e.stats.N += n
	e.step++
	e.trained = true
	return nil
}

// TakeTrainStats returns and resets the sums since the previous call.
func (e *CPUEngine) TakeTrainStats() (TrainStats, error) {
	s := e.stats
	e.stats = TrainStats{}
	return s, nil
}

// Evaluate runs eval mode over the first limit test images (0 or more than there are: all).
func (e *CPUEngine) Evaluate(limit int) (EvalStats, error) {
	if e.closed {
		return EvalStats{}, errors.New("nncore: engine is closed")
	}
	if e.test == nil {
		return EvalStats{}, errors.New("nncore: engine has no test set")
	}
	total := e.test.N
	if limit > 0 && limit < total {
		total = limit
	}
	var s EvalStats
	for lo := 0; lo < total; lo += e.cfg.Batch {
		n := min(e.cfg.Batch, total-lo)
		idx := e.idx[:n]
		for k := range idx {
			idx[k] = int32(lo + k)
			e.m.labels[k] = int32(e.test.Labels[lo+k])
		}
		e.pre.Fill(e.m.acts[0][:n*mnist.Pixels], e.test, idx)
		e.m.forward(n, false, e.cfg.Seed, uint32(e.step))
		sum, correct := e.m.lossAndGrad(n, false)
		s.LossSum += sum
		s.Correct += correct
		s.N += n
	}
	return s, nil
}

// Predict returns softmax probabilities [n,10] in eval mode for preprocessed input x [n,1,32,32].
func (e *CPUEngine) Predict(x []float32, n int) ([]float32, error) {
	if e.closed {
		return nil, errors.New("nncore: engine is closed")
	}
	if n < 0 || len(x) != n*mnist.Pixels {
		return nil, fmt.Errorf("nncore: Predict: %d floats for %d images, want %d", len(x), n, n*mnist.Pixels)
	}
	probs := make([]float32, n*10)
	for lo := 0; lo < n; lo += e.cfg.Batch {
		k := min(e.cfg.Batch, n-lo)
		copy(e.m.acts[0], x[lo*mnist.Pixels:(lo+k)*mnist.Pixels])
		e.m.forward(k, false, e.cfg.Seed, uint32(e.step))
		Softmax(probs[lo*10:(lo+k)*10], e.m.logits(k), k, 10)
	}
	return probs, nil
}

// Snapshot returns the BN statistics and the first sample's dropout masks of the last training
// step (BatchMean/BatchVar and Masks are empty before the first step).
func (e *CPUEngine) Snapshot() (*Snapshot, error) {
	s := &Snapshot{Step: e.step}
	for _, o := range e.m.s.ops {
		switch o.kind {
		case opBN:
			b := BNSnapshot{
				Name:        e.m.s.acts[o.out].name,
				Gamma:       clone(e.m.params[o.param]),
				Beta:        clone(e.m.params[o.param+1]),
				RunningMean: clone(e.m.bufs[o.buffer]),
				RunningVar:  clone(e.m.bufs[o.buffer+1]),
			}
			if e.trained {
				b.BatchMean = clone(e.m.bnMean[o.aux])
				b.BatchVar = clone(e.m.bnVar[o.aux])
			}
			s.BN = append(s.BN, b)
		case opDrop:
			if !e.trained {
				continue
			}
			a := e.m.s.acts[o.out]
			shape := []int{a.c, a.h, a.w}
			if a.h == 1 && a.w == 1 {
				shape = []int{a.c}
			}
			keep := make([]byte, a.size())
			dropoutMask(keep, e.cfg.Seed, uint32(e.step-1), o.layer, o.p, 0)
			s.Masks = append(s.Masks, MaskSnapshot{Name: a.name, Shape: shape, P: o.p, Keep: keep})
		}
	}
	return s, nil
}

// State returns a copy of the parameters, running statistics, velocity and step counter.
func (e *CPUEngine) State() (*State, error) {
	st := &State{Step: e.step}
	for i, p := range e.m.s.params {
		st.Params = append(st.Params, Tensor{Name: p.name, Shape: clone(p.shape), Data: clone(e.m.params[i])})
		if e.vel != nil {
			st.Velocity = append(st.Velocity, Tensor{Name: p.name, Shape: clone(p.shape), Data: clone(e.vel[i])})
		}
	}
	for i, b := range e.m.s.buffers {
		st.Buffers = append(st.Buffers, Tensor{Name: b.name, Shape: clone(b.shape), Data: clone(e.m.bufs[i])})
	}
	return st, nil
}

// Close stops the engine's helper goroutine; later calls return errors.
func (e *CPUEngine) Close() {
	if !e.closed {
		e.m.split.close()
	}
	e.closed = true
}

func clone[S ~[]E, E any](s S) S { return append(S(nil), s...) }
