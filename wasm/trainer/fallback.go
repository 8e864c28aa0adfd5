package main

import (
	"fmt"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// Checkpoint policy of fallbackEngine: the primary engine's State is read back after a step when
// checkpointEvery has passed or checkpointSteps steps were taken since the last checkpoint,
// whichever comes first. It bounds the steps the CPU engine re-runs after a device loss.
const (
	checkpointEvery = 2 * time.Second
	checkpointSteps = 50
)

// fallbackEngine trains on a primary engine (the WebGPU engine) and, when that engine's device
// is lost, continues the same run on the CPU engine without losing what was learned. A lost GPU
// cannot be read, so the wrapper keeps a checkpoint State (read back every checkpointEvery or
// checkpointSteps steps, and taken for free whenever the caller reads State) together with the
// batches trained since; on loss it builds the CPU engine from the checkpoint (its Step counter
// keeps the dropout masks aligned), re-runs those batches and carries on. Train statistics the
// caller already took are not counted twice; those the device lost are recomputed.
//
// Like the engines it wraps, it is used from one goroutine.
type fallbackEngine struct {
	cur     nncore.Engine
	primary bool // cur is still the primary engine
	cfg     nncore.Config
	train   *mnist.Set
	test    *mnist.Set
	// isLost says whether an error of the primary engine means its device is gone.
	isLost func(error) bool
	// onSwitch is told the new backend after a switch (may be nil).
	onSwitch func(protocol.Backend)
	// name describes the primary engine in the switch's reason, e.g. "WebGPU".
	name string

	ckpt     *nncore.State // last checkpoint (a private deep copy)
	log      [][]int32     // batches trained since the checkpoint, in order
	taken    int           // how many of log had their train stats taken by the caller
	pending  nncore.TrainStats
	lastCkpt time.Time
	every    time.Duration
	steps    int
	now      func() time.Time
	// Checkpoints counts checkpoints read back from the primary engine (for tests and notes).
	checkpoints int
}

var _ nncore.Engine = (*fallbackEngine)(nil)

// newFallbackEngine wraps primary, built from st for cfg on train and test.
func newFallbackEngine(primary nncore.Engine, name string, cfg nncore.Config, st *nncore.State, train, test *mnist.Set,
	isLost func(error) bool, onSwitch func(protocol.Backend)) *fallbackEngine {
	return &fallbackEngine{cur: primary, primary: true, cfg: cfg, train: train, test: test, isLost: isLost,
		onSwitch: onSwitch, name: name, ckpt: cloneState(st), every: checkpointEvery, steps: checkpointSteps,
		now: time.Now, lastCkpt: time.Now()}
}

func cloneTensors(ts []nncore.Tensor) []nncore.Tensor {
	if ts == nil {
		return nil
	}
	out := make([]nncore.Tensor, len(ts))
	for i, t := range ts {
		out[i] = nncore.Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
	}
	return out
}

func cloneState(st *nncore.State) *nncore.State {
	return &nncore.State{Step: st.Step, Params: cloneTensors(st.Params), Buffers: cloneTensors(st.Buffers), Velocity: cloneTensors(st.Velocity)}
}

func addStats(a, b nncore.TrainStats) nncore.TrainStats {
	return nncore.TrainStats{LossSum: a.LossSum + b.LossSum, Correct: a.Correct + b.Correct, N: a.N + b.N}
}

// lost reports whether err means the primary engine's device is gone (never for the CPU engine).
func (f *fallbackEngine) lost(err error) bool {
	return err != nil && f.primary && f.isLost != nil && f.isLost(err)
}

// fallBack builds the CPU engine from the checkpoint and re-runs the batches since.
func (f *fallbackEngine) fallBack(cause error) error {
	lostAt := f.ckpt.Step + int64(len(f.log))
	f.cur.Close()
	f.primary = false
	cpu, err := nncore.NewCPUEngine(f.cfg, f.ckpt, f.train, f.test)
	if err != nil {
		return fmt.Errorf("%s device lost (%v) and the CPU engine could not take over: %w", f.name, cause, err)
	}
	f.cur = cpu
	for i, idx := range f.log {
		if i == f.taken {
			// The caller has the stats of the batches before this one: drop the re-run's.
			if _, err := cpu.TakeTrainStats(); err != nil {
				return err
			}
		}
		if err := cpu.TrainBatch(idx); err != nil {
			return fmt.Errorf("%s device lost; re-running step %d on the CPU engine failed: %w", f.name, f.ckpt.Step+int64(i), err)
		}
	}
	if f.taken == len(f.log) {
		if _, err := cpu.TakeTrainStats(); err != nil {
			return err
		}
	}
	from := f.ckpt.Step
	f.log, f.taken, f.ckpt = nil, 0, nil
	if f.onSwitch != nil {
		f.onSwitch(protocol.Backend{Name: cpu.Backend(), Reason: fmt.Sprintf(
			"%s device lost at step %d; continued on the CPU engine from step %d (%v)", f.name, lostAt, from, cause)})
	}
	return nil
}

// checkpoint reads the primary engine's state back when the policy says so.
func (f *fallbackEngine) maybeCheckpoint() error {
	if !f.primary || (len(f.log) < f.steps && f.now().Sub(f.lastCkpt) < f.every) {
		return nil
	}
	if f.taken < len(f.log) {
		s, err := f.cur.TakeTrainStats()
		if err != nil {
			return err
		}
		f.pending, f.taken = addStats(f.pending, s), len(f.log)
	}
	st, err := f.cur.State()
	if err != nil {
		return err
	}
	f.setCheckpoint(st)
	return nil
}

func (f *fallbackEngine) setCheckpoint(st *nncore.State) {
	f.ckpt, f.log, f.taken, f.lastCkpt = cloneState(st), f.log[:0], 0, f.now()
	f.checkpoints++
}

// do runs op on the current engine, switching to the CPU engine and running it again there
// when the primary engine's device is lost.
func (f *fallbackEngine) do(op func(nncore.Engine) error) error {
	err := op(f.cur)
	if !f.lost(err) {
		return err
	}
	if err := f.fallBack(err); err != nil {
		return err
	}
	return op(f.cur)
}

func (f *fallbackEngine) Backend() string { return f.cur.Backend() }

func (f *fallbackEngine) TrainBatch(idx []int32) error {
	err := f.cur.TrainBatch(idx)
	if f.lost(err) {
		if err := f.fallBack(err); err != nil {
			return err
		}
		return f.cur.TrainBatch(idx)
	}
	if err != nil || !f.primary {
		return err
	}
	f.log = append(f.log, append([]int32(nil), idx...))
	if err := f.maybeCheckpoint(); f.lost(err) {
		return f.fallBack(err) // the batch is in the log: it is re-run
	} else if err != nil {
		return err
	}
	return nil
}

func (f *fallbackEngine) TakeTrainStats() (nncore.TrainStats, error) {
	var s nncore.TrainStats
	err := f.do(func(e nncore.Engine) (err error) {
		s, err = e.TakeTrainStats()
		return err
	})
	if err != nil {
		return nncore.TrainStats{}, err
	}
	s, f.pending = addStats(f.pending, s), nncore.TrainStats{}
	f.taken = len(f.log)
	return s, nil
}

func (f *fallbackEngine) Evaluate(limit int) (nncore.EvalStats, error) {
	var s nncore.EvalStats
	err := f.do(func(e nncore.Engine) (err error) {
		s, err = e.Evaluate(limit)
		return err
	})
	return s, err
}

func (f *fallbackEngine) Snapshot() (*nncore.Snapshot, error) {
	var s *nncore.Snapshot
	err := f.do(func(e nncore.Engine) (err error) {
		s, err = e.Snapshot()
		return err
	})
	return s, err
}

// State reads the current engine's state; on the primary engine, with every train stat taken,
// it is also the new checkpoint (no extra readback).
func (f *fallbackEngine) State() (*nncore.State, error) {
	var st *nncore.State
	err := f.do(func(e nncore.Engine) (err error) {
		st, err = e.State()
		return err
	})
	if err == nil && f.primary && f.taken == len(f.log) {
		f.setCheckpoint(st)
	}
	return st, err
}

func (f *fallbackEngine) Predict(x []float32, n int) ([]float32, error) {
	var p []float32
	err := f.do(func(e nncore.Engine) (err error) {
		p, err = e.Predict(x, n)
		return err
	})
	return p, err
}

func (f *fallbackEngine) Close() { f.cur.Close() }
