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
		t0 := nowMs()
		for r := 0; r < 2; r++ {
			enc := d.NewEncoder()
			o.encode(enc, cfg.Batch)
			enc.Submit()
		}
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		ms := (nowMs() - t0) / 2
		total += ms
		rows = append(rows, row{o.name + "#" + string(rune('a'+i%26)), ms})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ms > rows[j].ms })
	for _, r := range rows {
		t.Logf("%-28s %8.1f ms", r.name, r.ms)
	}
	t.Logf("total %.1f ms", total)
}
