// Command bench is the site's benchmark page (static/bench.html): in a Web Worker it loads MNIST
// from data/ (sha256-checked), builds the WebGPU or the CPU engine for a variant at batch 256,
// warms it up, trains N batches and reports steady-state training and inference images/s,
// milliseconds and (WebGPU) dispatches per step. The page shows the result and sets it as
// window.__result for scripts (e2e tests, docs/results-browser.md).
package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// Result is what the page shows and sets as window.__result.
type Result struct {
	OK                bool    `json:"ok"`
	Error             string  `json:"error,omitempty"`
	Engine            string  `json:"engine"`
	Variant           string  `json:"variant"`
	Adapter           string  `json:"adapter"`
	Fallback          bool    `json:"fallback_adapter"`
	Batch             int     `json:"batch"`
	Batches           int     `json:"batches"`
	TrainImgPerSec    float64 `json:"train_img_s"`
	InferImgPerSec    float64 `json:"infer_img_s"`
	DispatchesPerStep int     `json:"dispatches_per_step"`
	MsPerStep         float64 `json:"ms_per_step"`
	// StateMs is the time of one State readback (the fallback checkpoint) after a step.
	StateMs float64 `json:"state_ms"`
	// SetupMs is the engine's construction: buffers, the data upload and, on WebGPU, compiling
	// the pipelines (once per device: the first run of a page pays it).
	SetupMs float64 `json:"setup_ms"`
	// LoadSeconds is the MNIST download, check and decode.
	LoadSeconds float64 `json:"load_s"`
}

// Params are the page's query parameters.
type Params struct {
	Engine  string // "webgpu" (default) or "cpu"
	Variant nncore.Variant
	Batches int
	Batch   int
}

// ParseParams reads engine, variant, batches and batch (defaults webgpu, standard-bn, 20, 256).
func ParseParams(query string) (Params, error) {
	q, err := url.ParseQuery(strings.TrimPrefix(query, "?"))
	if err != nil {
		return Params{}, fmt.Errorf("bad query %q: %v", query, err)
	}
	p := Params{Engine: "webgpu", Variant: nncore.StandardBN, Batches: 20, Batch: 256}
	if v := q.Get("engine"); v != "" {
		if v != "webgpu" && v != "cpu" {
			return p, fmt.Errorf("engine %q: use webgpu or cpu", v)
		}
		p.Engine = v
	}
	if v := q.Get("variant"); v != "" {
		if p.Variant, err = nncore.ParseVariant(v); err != nil {
			return p, err
		}
	}
	for _, f := range []struct {
		name    string
		dst     *int
		lo, max int
	}{{"batches", &p.Batches, 1, 10000}, {"batch", &p.Batch, 2, 4096}} {
		if v := q.Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < f.lo || n > f.max {
				return p, fmt.Errorf("%s %q: use a whole number from %d to %d", f.name, v, f.lo, f.max)
			}
			*f.dst = n
		}
	}
	return p, nil
}

// Config is the benchmarked configuration: the Lab's defaults with the variant and batch.
func (p Params) Config() nncore.Config {
	c := nncore.DefaultConfig()
	c.Variant, c.Batch, c.Epochs = p.Variant, p.Batch, 1
	return c
}

// CPUBench is gpu.Bench for the CPU engine: the same warm-up (one step, its stats, one evaluation
// batch), the same batches (the contract's epoch-0 order), `batches` timed steps, then an
// evaluation pass over batches·batch test images (at most the test set). now is in milliseconds.
func CPUBench(cfg nncore.Config, train, test *mnist.Set, batches int, now func() float64) (Result, error) {
	t0 := now()
	e, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		return Result{}, err
	}
	setup := now() - t0
	defer e.Close()
	t, err := nncore.TimeEngine(e, cfg, train.N, test.N, batches, now)
	if err != nil {
		return Result{}, err
	}
	return Result{OK: true, Engine: "cpu", Variant: string(cfg.Variant), Batch: t.Batch, Batches: batches,
		TrainImgPerSec: t.TrainImgPerSec(), InferImgPerSec: t.InferImgPerSec(),
		MsPerStep: t.MsPerStep(), StateMs: t.StateMs, SetupMs: setup}, nil
}
