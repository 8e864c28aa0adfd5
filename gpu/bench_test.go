//go:build js

package gpu

import (
	"os"
	"strconv"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// TestBench measures every variant at batch 256 over LENETLAB_BENCH steps (opt-in: it takes about
// a minute on SwiftShader) and checks the engine trains faster than the CPU engine in the same browser.
func TestBench(t *testing.T) {
	batches, _ := strconv.Atoi(os.Getenv("LENETLAB_BENCH"))
	if batches < 1 {
		t.Skip("set LENETLAB_BENCH=<steps> to benchmark")
	}
	openDevice(t)
	train, test := synthSet(2048, 11), synthSet(1024, 12)
	for _, v := range nncore.Variants {
		cfg := nncore.DefaultConfig()
		cfg.Variant = v
		r, err := Bench(cfg, train, test, batches)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-12s batch %d: train %.0f img/s (%.0f ms/step, %d dispatches/step), infer %.0f img/s on %s",
			v, r.Batch, r.TrainImgPerSec, r.MsPerStep, r.DispatchesPerStep, r.InferImgPerSec, r.Adapter)
		if v == nncore.StandardBN {
			cpu, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
			if err != nil {
				t.Fatal(err)
			}
			idx := make([]int32, cfg.Batch)
			for i := range idx {
				idx[i] = int32(i)
			}
			t0 := nowMs()
			for b := 0; b < batches; b++ {
				if err := cpu.TrainBatch(idx); err != nil {
					t.Fatal(err)
				}
			}
			cpuRate := float64(batches*cfg.Batch) / ((nowMs() - t0) / 1000)
			t.Logf("cpu engine in this browser: train %.0f img/s", cpuRate)
			if r.TrainImgPerSec <= cpuRate {
				t.Errorf("webgpu trains %.0f img/s, no faster than the CPU engine's %.0f", r.TrainImgPerSec, cpuRate)
			}
		}
	}
}
