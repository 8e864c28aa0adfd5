package lab

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"
)

// render builds the Lab component natively and returns its HTML.
func render(t *testing.T, m *Model) string {
	t.Helper()
	env, err := vugu.NewBuildEnv()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	root := &Lab{Ctl: &Controller{Model: m}}
	if err := staticrender.New(&buf).Render(env.RunBuild(root)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestLabRendersTestHooks(t *testing.T) {
	m := NewModel(DefaultSettings())
	html := render(t, m)
	for _, want := range []string{`data-testid="variant"`, `data-testid="epochs"`, `data-testid="train-limit"`, `data-testid="seed"`,
		`data-testid="start"`, `data-testid="stop"`, `data-testid="status">idle<`} {
		if !strings.Contains(html, want) {
			t.Errorf("idle page lacks %s", want)
		}
	}
	if strings.Contains(html, `data-testid="epoch-row"`) {
		t.Error("epoch rows before any run")
	}

	m.Start("data/")
	ep := protocol.Epoch{Epoch: 1, TrainLoss: 0.5, TrainAcc: 0.875, TestLoss: 0.25, TestAcc: 0.9375, ImagesPerSec: 1234}
	for _, msg := range []protocol.Message{
		{Kind: protocol.KindBackend, Run: 1, Backend: &protocol.Backend{Name: "cpu", Reason: "WebGPU engine not available yet"}},
		{Kind: protocol.KindBatch, Run: 1, Batch: &protocol.Batch{Epoch: 1, Batch: 8, Batches: 8, Epochs: 1, Loss: 0.4, LossBatches: 1}},
		{Kind: protocol.KindEpoch, Run: 1, Epoch: &ep},
		{Kind: protocol.KindSnapshot, Run: 1, Snapshot: &nncore.Snapshot{BN: []nncore.BNSnapshot{{Name: "bn1", Gamma: []float32{1.5}, Beta: []float32{-0.5}, RunningMean: []float32{0}, RunningVar: []float32{1}}}}},
		{Kind: protocol.KindFinished, Run: 1, Finished: &protocol.Finished{Final: &ep, Backend: protocol.Backend{Name: "cpu"}, Seconds: 2}},
	} {
		m.Apply(msg)
	}
	html = render(t, m)
	for _, want := range []string{
		`data-testid="status">done<`, `data-testid="backend">cpu<`,
		// (staticrender sorts attributes by name)
		`data-testid="epoch-row" data-epoch="1" data-images-per-sec="1234" data-test-acc="0.9375" data-test-loss="0.25" data-train-acc="0.875" data-train-loss="0.5"`,
		`data-testid="result-row"`, `data-test-acc="0.9375"`, `<td>93.75%</td>`, `<td>1,234</td>`,
		`data-testid="bn-table" data-layer="bn1"`, `<td>1.5000</td>`, `<path class="line s1"`,
	} {
		if !strings.Contains(html, want) {
			i := strings.Index(html, "epoch-row")
			t.Errorf("finished page lacks %s\n%s", want, html[max(0, i-50):min(len(html), i+300)])
		}
	}
}

func TestLabRendersBNPanels(t *testing.T) {
	s := DefaultSettings()
	s.Variant = "bn-input"
	m := NewModel(s)
	m.Start("data/")
	bn := func(name string, g float32) nncore.BNSnapshot {
		return nncore.BNSnapshot{Name: name, Gamma: []float32{g, g + 0.5}, Beta: []float32{0, 0.25}, RunningMean: []float32{0, 0}, RunningVar: []float32{1, 1},
			BatchMean: []float32{0.5, 0.5}, BatchVar: []float32{2, 2}}
	}
	snap := &nncore.Snapshot{Step: 3, BN: []nncore.BNSnapshot{bn("bn0", 1), bn("bn1", 1.5)}}
	m.Apply(protocol.Message{Kind: protocol.KindSnapshot, Run: 1, Snapshot: snap})
	m.Apply(protocol.Message{Kind: protocol.KindModeGap, Run: 1, ModeGap: &protocol.ModeGap{Step: 3, Epoch: 1, N: 64, TrainAcc: 0.5, EvalAcc: 0.25}})
	html := render(t, m)
	for _, want := range []string{`data-testid="bnstats-table" data-layer="bn0"`, `data-eval-mode-acc="0.25"`, `data-train-mode-acc="0.5"`, `a gap of 25.0 points`} {
		if !strings.Contains(html, want) {
			t.Errorf("training page lacks %s", want)
		}
	}
	if strings.Contains(html, `data-testid="violin"`) {
		t.Error("violins before the first epoch ended")
	}
	m.Apply(protocol.Message{Kind: protocol.KindEpoch, Run: 1, Epoch: &protocol.Epoch{Epoch: 1}})
	m.Apply(protocol.Message{Kind: protocol.KindSnapshot, Run: 1, Snapshot: snap})
	html = render(t, m)
	for _, want := range []string{`data-testid="violin" style="margin:0;max-width:320px" data-layer="bn0"`, `data-testid="violin" style="margin:0;max-width:320px" data-layer="bn1"`, `data-testid="bn0-note"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page after an epoch lacks %s", want)
		}
	}
}
