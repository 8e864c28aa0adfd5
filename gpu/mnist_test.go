//go:build js

package gpu

import (
	"fmt"
	"math/rand/v2"
	"os"
	"syscall/js"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// fetchBytes fetches url from the page's origin.
func fetchBytes(url string) ([]byte, error) {
	resp, err := Await(js.Global().Call("fetch", url))
	if err != nil {
		return nil, err
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Get("status").String())
	}
	ab, err := Await(resp.Call("arrayBuffer"))
	if err != nil {
		return nil, err
	}
	u8 := js.Global().Get("Uint8Array").New(ab)
	b := make([]byte, u8.Length())
	js.CopyBytesToGo(b, u8)
	return b, nil
}

// TestMNISTTraining trains standard-bn on the real MNIST files for 60 steps of 256 and checks
// that it learns (opt-in: LENETLAB_MNIST_URL=/mnist/, served by
// wasmtest -serve /mnist/=<folder of the four .gz files>).
func TestMNISTTraining(t *testing.T) {
	base := os.Getenv("LENETLAB_MNIST_URL")
	if base == "" {
		t.Skip("set LENETLAB_MNIST_URL and serve the MNIST files there")
	}
	openDevice(t)
	train, test, err := mnist.LoadFrom(func(name string) ([]byte, error) { return fetchBytes(base + name) })
	if err != nil {
		t.Fatal(err)
	}
	cfg := nncore.DefaultConfig()
	t0 := nowMs()
	e, err := NewEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	t.Logf("engine with %d + %d images uploaded in %.0f ms", train.N, test.N, nowMs()-t0)
	perm := rand.New(rand.NewPCG(cfg.Seed, 0x5eed0000)).Perm(train.N)
	idx := make([]int32, cfg.Batch)
	t0 = nowMs()
	var last nncore.TrainStats
	for s := 0; s < 60; s++ {
		for i := range idx {
			idx[i] = int32(perm[s*cfg.Batch+i])
		}
		if err := e.TrainBatch(idx); err != nil {
			t.Fatal(err)
		}
		if s%20 == 19 {
			if last, err = e.TakeTrainStats(); err != nil {
				t.Fatal(err)
			}
			t.Logf("steps %d..%d: loss %.3f, accuracy %.1f%%", s-19, s, last.LossSum/float64(last.N), 100*float64(last.Correct)/float64(last.N))
		}
	}
	ms := nowMs() - t0
	t.Logf("60 steps: %.0f img/s, %d dispatches/step", float64(60*cfg.Batch)/(ms/1000), e.LastDispatches)
	t0 = nowMs()
	ev, err := e.Evaluate(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test set: loss %.3f, accuracy %.2f%% (%d images, %.0f img/s)", ev.LossSum/float64(ev.N), 100*float64(ev.Correct)/float64(ev.N), ev.N, float64(ev.N)/((nowMs()-t0)/1000))
	if acc := float64(last.Correct) / float64(last.N); acc < 0.85 {
		t.Errorf("training accuracy over steps 40..59 is %.1f%%, want at least 85%%", 100*acc)
	}
	if acc := float64(ev.Correct) / float64(ev.N); ev.N != 10000 || acc < 0.9 {
		t.Errorf("test accuracy %.2f%% on %d images, want at least 90%% on 10000", 100*acc, ev.N)
	}
}
