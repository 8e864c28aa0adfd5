//go:build js

package gpu

import (
	"os"
	"sort"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// TestProfileOps times each dispatch of a training step alone (LENETLAB_PROFILE=variant).
func TestProfileOps(t *testing.T) {
	v := os.Getenv("LENETLAB_PROFILE")
	if v == "" {
		t.Skip("set LENETLAB_PROFILE=<variant> to profile")
	}
	d := openDevice(t)
	cfg := nncore.DefaultConfig()
	cfg.Variant = nncore.Variant(v)
	train, test := synthSet(512, 11), synthSet(256, 12)
	e, err := NewEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	idx := make([]int32, cfg.Batch)
	for i := range idx {
		idx[i] = int32(i)
	}
	if err := e.TrainBatch(idx); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	type row struct {
		name string
		ms   float64
	}
	var rows []row
	total := 0.0
	for i, o := range e.trainOps {
		// The least of 4 runs: other processes share the CPUs SwiftShader runs on.
		ms := 1e9
		for r := 0; r < 4; r++ {
			t0 := nowMs()
			enc := d.NewEncoder()
			o.encode(enc, cfg.Batch)
			enc.Submit()
			if err := d.Sync(); err != nil {
				t.Fatal(err)
			}
			ms = min(ms, nowMs()-t0)
		}
		total += ms
		rows = append(rows, row{o.name + "#" + string(rune('a'+i%26)), ms})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ms > rows[j].ms })
	for _, r := range rows {
		t.Logf("%-28s %8.1f ms", r.name, r.ms)
	}
	t.Logf("total %.1f ms", total)
}

// TestConvVariants compares conv_forward channel blocks on the model's shapes at batch 256,
// interleaving the variants so that they see the same load (LENETLAB_PROFILE=conv).
func TestConvVariants(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "conv" {
		t.Skip("set LENETLAB_PROFILE=conv")
	}
	h := newHarness(t)
	const n = 256
	for _, s := range []struct {
		name string
		cp   convParams
	}{
		{"conv1", newConv(1, 32, 32, 6, 5, 0)},
		{"conv2", newConv(6, 14, 14, 16, 5, 0)},
		{"conv2 dx", newConv(6, 14, 14, 16, 5, 0).inputGrad()},
	} {
		x := h.buf(make([]float32, n*int(s.cp.Cin*s.cp.H*s.cp.W)), 0)
		p := h.buf(make([]float32, 4000), 0)
		wpk := h.buf(make([]float32, 4000), 0)
		y := h.buf(make([]float32, n*int(s.cp.Cout*s.cp.OH*s.cp.OW)), 0)
		best := map[[3]int]float64{}
		for rep := 0; rep < 5; rep++ {
			cb := convBlock(int(s.cp.Cout))
			for _, v := range [][3]int{{4, 4, 0}, {cb, 4, 0}, {cb, 8, 0}, {cb, 4, 1}, {cb, 8, 1}} {
				cb, xw, v4 := v[0], v[1], v[2] == 1
				if v4 && !s.cp.v4() {
					continue
				}
				prog := convForwardProgram(cb, xw, v4)
				o := h.b.op(prog, h.step, s.cp, func(int) int {
					return n * ceilDiv(int(s.cp.Cout), cb) * int(s.cp.OH) * ceilDiv(int(s.cp.OW), xw)
				}, Whole(x), Whole(p), Whole(wpk), Whole(y))
				h.d.WriteU32(h.step, 0, []uint32{0, n, 0, 1})
				t0 := nowMs()
				enc := h.d.NewEncoder()
				o.encode(enc, n)
				enc.Submit()
				if err := h.d.Sync(); err != nil {
					t.Fatal(err)
				}
				ms := nowMs() - t0
				if b, ok := best[v]; !ok || ms < b {
					best[v] = ms
				}
			}
		}
		t.Logf("%-8s (channels, columns per thread, vec4 input) %v", s.name, best)
	}
}
