package nncore

import (
	"errors"

	"github.com/lenetlab/lenetlab/mnist"
)

// EngineTimes are the timings of TimeEngine, in milliseconds.
type EngineTimes struct {
	Batch, Batches int     // timed steps of Batch images
	Inferred       int     // test images in the timed evaluation
	TrainMs        float64 // the timed steps, up to the statistics read that waits for them
	InferMs        float64 // the evaluation pass
	StateMs        float64 // one State readback afterwards (a device-loss checkpoint)
}

// TrainImgPerSec is the steady-state training throughput.
func (t EngineTimes) TrainImgPerSec() float64 { return float64(t.Batches*t.Batch) / (t.TrainMs / 1000) }

// InferImgPerSec is the evaluation throughput.
func (t EngineTimes) InferImgPerSec() float64 { return float64(t.Inferred) / (t.InferMs / 1000) }

// MsPerStep is the mean time of one training step.
func (t EngineTimes) MsPerStep() float64 { return t.TrainMs / float64(t.Batches) }

// TimeEngine is the benchmark both engines share: one warm-up step, its statistics and one
// evaluation batch (pipeline compilation, first touch of buffers), then `batches` timed steps of
// c.Batch images in the contract's epoch-0 order (cycling over the trainN images), the statistics read
// that waits for them, an evaluation pass over batches·c.Batch test images (at most testN), and one
// State readback. now is a clock in milliseconds.
func TimeEngine(e Engine, c Config, trainN, testN, batches int, now func() float64) (EngineTimes, error) {
	if batches < 1 {
		return EngineTimes{}, errors.New("bench: batches must be at least 1")
	}
	B := c.Batch
	perm := mnist.Perm(c.Seed, 0, trainN)
	idx := make([]int32, B)
	batch := func(b int) []int32 {
		for i := range idx {
			idx[i] = perm[(b*B+i)%len(perm)]
		}
		return idx
	}
	if err := e.TrainBatch(batch(0)); err != nil {
		return EngineTimes{}, err
	}
	if _, err := e.TakeTrainStats(); err != nil {
		return EngineTimes{}, err
	}
	if _, err := e.Evaluate(B); err != nil {
		return EngineTimes{}, err
	}
	t := EngineTimes{Batch: B, Batches: batches, Inferred: min(batches*B, testN)}
	t0 := now()
	for b := 1; b <= batches; b++ {
		if err := e.TrainBatch(batch(b)); err != nil {
			return t, err
		}
	}
	if _, err := e.TakeTrainStats(); err != nil {
		return t, err
	}
	t.TrainMs = now() - t0
	t0 = now()
	if _, err := e.Evaluate(t.Inferred); err != nil {
		return t, err
	}
	t.InferMs = now() - t0
	t0 = now()
	if _, err := e.State(); err != nil {
		return t, err
	}
	t.StateMs = now() - t0
	return t, nil
}
