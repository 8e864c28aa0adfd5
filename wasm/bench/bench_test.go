package main

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

func TestParseParams(t *testing.T) {
	p, err := ParseParams("")
	if err != nil || p.Engine != "webgpu" || p.Variant != nncore.StandardBN || p.Batches != 20 || p.Batch != 256 {
		t.Fatalf("defaults: %+v, %v", p, err)
	}
	p, err = ParseParams("?engine=cpu&variant=dropout&batches=2")
	if err != nil || p.Engine != "cpu" || p.Variant != nncore.Dropout || p.Batches != 2 {
		t.Fatalf("cpu dropout 2: %+v, %v", p, err)
	}
	for _, q := range []string{"engine=tpu", "variant=x", "batches=0", "batches=two", "batch=1"} {
		if _, err := ParseParams(q); err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

func TestCPUBench(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	set := func(n int) *mnist.Set {
		s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
		for i := range s.Images {
			s.Images[i] = byte(r.IntN(256))
		}
		for i := range s.Labels {
			s.Labels[i] = byte(r.IntN(10))
		}
		return s
	}
	p := Params{Engine: "cpu", Variant: nncore.Dropout, Batches: 2, Batch: 16}
	start := time.Now()
	now := func() float64 { return float64(time.Since(start).Microseconds()) / 1000 }
	res, err := CPUBench(p.Config(), set(100), set(20), p.Batches, now)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.TrainImgPerSec <= 0 || res.InferImgPerSec <= 0 || res.MsPerStep <= 0 || res.Engine != "cpu" {
		t.Fatalf("%+v", res)
	}
}
