//go:build js

package gpu

import (
	"fmt"
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
		rows = append(rows, row{fmt.Sprintf("%2d %s", i, o.name), ms})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ms > rows[j].ms })
	for _, r := range rows {
		t.Logf("%-44s %8.1f ms", r.name, r.ms)
	}
	t.Logf("total %.1f ms", total)
}
