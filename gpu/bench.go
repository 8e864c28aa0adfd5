//go:build js

package gpu

import (
	"errors"
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
	StateMs           float64 `json:"state_ms"` // one State readback after the timed steps
	SetupMs           float64 `json:"setup_ms"` // NewEngine: buffers, upload, pipelines (compiled once per device)
	Adapter           string  `json:"adapter"`
	Fallback          bool    `json:"fallback"`
}

func nowMs() float64 { return js.Global().Get("performance").Call("now").Float() }

// Bench builds an engine for cfg from nncore.InitState(cfg), runs one warm-up step (pipeline
// compilation, first-touch of buffers), then times `batches` training steps of cfg.Batch images
// (waiting for the GPU at the end) and an evaluation pass over batches·cfg.Batch test images (at
// most the test set).
func Bench(cfg nncore.Config, train, test *mnist.Set, batches int) (BenchResult, error) {
	if train == nil || test == nil {
		return BenchResult{}, errors.New("gpu: Bench: needs the training and test sets")
	}
	t0 := nowMs()
	e, err := NewEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		return BenchResult{}, err
	}
	setup := nowMs() - t0
	defer e.Close()
	t, err := nncore.TimeEngine(e, cfg, train.N, test.N, batches, nowMs)
	if err != nil {
		return BenchResult{}, err
	}
	return BenchResult{
		Variant:           string(cfg.Variant),
		Batch:             t.Batch,
		TrainImgPerSec:    t.TrainImgPerSec(),
		InferImgPerSec:    t.InferImgPerSec(),
		DispatchesPerStep: e.LastDispatches,
		MsPerStep:         t.MsPerStep(),
		StateMs:           t.StateMs,
		SetupMs:           setup,
		Adapter:           e.d.Info.String(),
		Fallback:          e.d.Info.IsFallbackAdapter,
	}, nil
}
