//go:build js

package gpu

import (
	"errors"
	"math/rand/v2"
	"syscall/js"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// BenchResult is what the site's benchmark page shows for the WebGPU engine.
type BenchResult struct {
	Variant           string  `json:"variant"`
	Batch             int     `json:"batch"`
	TrainImgPerSec    float64 `json:"train_img_s"`
	InferImgPerSec    float64 `json:"infer_img_s"`
	DispatchesPerStep int     `json:"dispatches_per_step"`
	MsPerStep         float64 `json:"ms_per_step"`
	Adapter           string  `json:"adapter"`
	Fallback          bool    `json:"fallback"`
}

func nowMs() float64 { return js.Global().Get("performance").Call("now").Float() }

// Bench builds an engine for cfg from nncore.InitState(cfg), runs one warm-up step (pipeline
// compilation, first-touch of buffers), then times `batches` training steps of cfg.Batch images
// (waiting for the GPU at the end) and an evaluation pass over batches·cfg.Batch test images (at
// most the test set).
func Bench(cfg nncore.Config, train, test *mnist.Set, batches int) (BenchResult, error) {
	if batches < 1 {
		return BenchResult{}, errors.New("gpu: Bench: batches must be at least 1")
	}
	if train == nil || test == nil {
		return BenchResult{}, errors.New("gpu: Bench: needs the training and test sets")
	}
	e, err := NewEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		return BenchResult{}, err
	}
	defer e.Close()
	B := cfg.Batch
	perm := rand.New(rand.NewPCG(cfg.Seed, 0x5eed0000)).Perm(train.N)
	idx := make([]int32, B)
	batch := func(b int) []int32 {
		for i := range idx {
			idx[i] = int32(perm[(b*B+i)%len(perm)])
		}
		return idx
	}
	if err := e.TrainBatch(batch(0)); err != nil {
		return BenchResult{}, err
	}
	if _, err := e.TakeTrainStats(); err != nil {
		return BenchResult{}, err
	}
	if _, err := e.Evaluate(B); err != nil {
		return BenchResult{}, err
	}
	t0 := nowMs()
	for b := 1; b <= batches; b++ {
		if err := e.TrainBatch(batch(b)); err != nil {
			return BenchResult{}, err
		}
	}
	if _, err := e.TakeTrainStats(); err != nil {
		return BenchResult{}, err
	}
	trainMs := nowMs() - t0
	n := min(batches*B, test.N)
	t0 = nowMs()
	if _, err := e.Evaluate(n); err != nil {
		return BenchResult{}, err
	}
	inferMs := nowMs() - t0
	return BenchResult{
		Variant:           string(cfg.Variant),
		Batch:             B,
		TrainImgPerSec:    float64(batches*B) / (trainMs / 1000),
		InferImgPerSec:    float64(n) / (inferMs / 1000),
		DispatchesPerStep: e.LastDispatches,
		MsPerStep:         trainMs / float64(batches),
		Adapter:           e.d.Info.String(),
		Fallback:          e.d.Info.IsFallbackAdapter,
	}, nil
}
