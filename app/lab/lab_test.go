package lab

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

func TestFormat(t *testing.T) {
	cases := []struct{ got, want string }{
		{Thousands(0), "0"}, {Thousands(999), "999"}, {Thousands(1000), "1,000"}, {Thousands(60000), "60,000"},
		{Thousands(-1234567), "-1,234,567"}, {Fixed(1234.5678, 2), "1,234.57"}, {Fixed(-0.5, 1), "-0.5"},
		{Fixed(math.NaN(), 2), "NaN"}, {Fixed(1e6, 0), "1,000,000"}, {Percent(0.98765), "98.77%"},
		{Duration(42.13), "42.1 s"}, {Duration(185), "3 min 05 s"}, {Duration(3720), "1 h 02 min"},
		{Bytes(11594722), "11.6 MB"}, {Plain(0.25), "0.25"}, {Plain(1e-7), "0.0000001"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func TestSettingsQueryRoundTrip(t *testing.T) {
	q, _ := url.ParseQuery("variant=bn-input&epochs=5&train-limit=2048&test-limit=1000&seed=7&batch=128&lr=0.05&input=pad&input-dropout=conv1&seeds=3&quick=1&engine=cpu&junk=1")
	s := SettingsFromQuery(q)
	want := Settings{Variant: "bn-input", Epochs: "5", TrainLimit: "2048", TestLimit: "1000", Seed: "7", Batch: "128", LR: "0.05", Input: "pad", InputDropout: "conv1", Seeds: "3", Quick: "1", Engine: "cpu"}
	if s != want {
		t.Fatalf("SettingsFromQuery = %+v, want %+v", s, want)
	}
	if back := SettingsFromQuery(s.Query()); back != s {
		t.Errorf("Query round trip: %+v, want %+v", back, s)
	}
	if d := DefaultSettings().Query(); len(d) != 0 {
		t.Errorf("default settings give query %v, want none", d)
	}
	cfg, err := s.Config()
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := nncore.Config{Variant: nncore.BNInput, InputDropout: "conv1", Input: mnist.Pad, Seed: 7, Epochs: 5, Batch: 128, LR: 0.05, TrainLimit: 2048, TestLimit: 1000}
	if cfg != wantCfg {
		t.Errorf("Config = %+v, want %+v", cfg, wantCfg)
	}
}

func TestDefaultsValid(t *testing.T) {
	cfg, err := DefaultSettings().Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TrainLimit != 60000 || cfg.TestLimit != 10000 || cfg.Variant != nncore.StandardBN {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		param, value, want string
	}{
		{"variant", "bn-everything", "variant"},
		{"epochs", "0", "epochs: 0 is out of range"},
		{"epochs", "two", "not a whole number"},
		{"train-limit", "70,000", "70,000 is out of range"},
		{"test-limit", "0", "test images"},
		{"batch", "1", "batch size"},
		{"lr", "-1", "learning rate"},
		{"lr", "NaN", "learning rate"},
		{"seed", "-3", "seed"},
		{"input", "crop", "input"},
		{"input-dropout", "fc1", "input dropout"},
	}
	for _, c := range cases {
		s := DefaultSettings()
		s.Set(c.param, c.value)
		_, err := s.Config()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: error %v, want one containing %q", c.param, c.value, err, c.want)
		}
	}
	s := DefaultSettings()
	s.TrainLimit, s.Batch = "100", "256"
	if _, err := s.Config(); err == nil || !strings.Contains(err.Error(), "more than the 100 training images") {
		t.Errorf("batch > train images: %v", err)
	}
}

func TestModelRun(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewModel(DefaultSettings())
	m.Now = func() time.Time { return now }
	if m.Status() != StatusIdle {
		t.Fatalf("status %q", m.Status())
	}
	if _, ok := m.Command(protocol.KindPause); ok {
		t.Error("pause allowed while idle")
	}
	m.Form.Epochs = "zero"
	if _, ok := m.Start("data/"); ok || m.FormErr == "" {
		t.Fatal("invalid form started a run")
	}
	m.Form.Epochs = "2"
	start, ok := m.Start("data/")
	if !ok || start.Start.Config.Epochs != 2 || start.Run != 1 {
		t.Fatalf("start = %+v, %v", start, ok)
	}
	if _, ok := m.Start("data/"); ok {
		t.Error("second start while busy")
	}
	if _, err := protocol.Encode(start); err != nil {
		t.Fatal(err)
	}
	m.Apply(protocol.Message{Kind: protocol.KindLoading, Run: 1, Loading: &protocol.Loading{Loaded: 50, Total: 100}})
	if f := m.Run.LoadingFrac(); f != 0.5 {
		t.Errorf("loading frac %v", f)
	}
	m.Apply(protocol.Message{Kind: protocol.KindStatus, Run: 1, Status: &protocol.Status{State: protocol.StatePreparing}})
	if m.Status() != StatusPreparing || !m.Busy() {
		t.Errorf("while the engine is built: status %q, busy %v", m.Status(), m.Busy())
	}
	m.Apply(protocol.Message{Kind: protocol.KindBackend, Run: 1, Backend: &protocol.Backend{Name: "cpu", Reason: "no WebGPU"}})
	now = now.Add(1500 * time.Millisecond)
	m.Apply(protocol.Message{Kind: protocol.KindBatch, Run: 1, Batch: &protocol.Batch{Epoch: 1, Batch: 4, Batches: 8, Epochs: 2, Loss: 2.3, LossBatches: 1, ImagesPerSec: 1000, Elapsed: 2}})
	if m.Status() != StatusTraining || m.Run.FirstStep != 1500*time.Millisecond {
		t.Errorf("after first batch: status %q first step %v", m.Status(), m.Run.FirstStep)
	}
	if frac, eta := m.Run.Progress(); frac != 0.25 || eta != 6 {
		t.Errorf("progress %v eta %v, want 0.25 and 6 s", frac, eta)
	}
	if got := m.Run.ProgressText(); !strings.Contains(got, "epoch 1 of 2 · batch 4 of 8 · 1,000 images/s · ETA 6.0 s") {
		t.Errorf("progress text %q", got)
	}
	// A batch whose statistics were not read moves the progress but adds no loss point.
	points := len(m.Run.Losses)
	m.Apply(protocol.Message{Kind: protocol.KindBatch, Run: 1, Batch: &protocol.Batch{Epoch: 1, Batch: 5, Batches: 8, Epochs: 2, Loss: 2.3, ImagesPerSec: 1000, Elapsed: 2.5}})
	if len(m.Run.Losses) != points || m.Run.Batch.Batch != 5 {
		t.Errorf("unread batch: %d loss points (was %d), batch %d", len(m.Run.Losses), points, m.Run.Batch.Batch)
	}
	// A stale event of another run changes nothing.
	m.Apply(protocol.Message{Kind: protocol.KindError, Run: 9, Error: &protocol.Error{Message: "old"}})
	if m.Status() != StatusTraining {
		t.Errorf("stale error applied: %q", m.Status())
	}
	pause, ok := m.Command(protocol.KindPause)
	if !ok || pause.Run != 1 {
		t.Fatal("pause refused while training")
	}
	m.Apply(protocol.Message{Kind: protocol.KindStatus, Run: 1, Status: &protocol.Status{State: protocol.StatePaused}})
	if _, ok := m.Command(protocol.KindResume); !ok || m.Status() != StatusPaused {
		t.Fatal("resume refused while paused")
	}
	ep := protocol.Epoch{Epoch: 1, TrainLoss: 0.5, TrainAcc: 0.8, TestLoss: 0.4, TestAcc: 0.85, Seconds: 3}
	m.Apply(protocol.Message{Kind: protocol.KindEpoch, Run: 1, Epoch: &ep})
	m.Apply(protocol.Message{Kind: protocol.KindFinished, Run: 1, Finished: &protocol.Finished{Final: &ep, Backend: protocol.Backend{Name: "cpu"}, Seconds: 3}})
	if m.Status() != StatusDone || len(m.Results) != 1 || m.Results[0].Final.TestAcc != 0.85 || m.Busy() {
		t.Errorf("after finish: status %q results %+v", m.Status(), m.Results)
	}
	if _, ok := m.Start("data/"); !ok || m.Run.ID != 2 || len(m.Run.Epochs) != 0 {
		t.Error("could not start a second run after the first finished")
	}
}

func TestLossCurveThinned(t *testing.T) {
	m := NewModel(DefaultSettings())
	m.Start("data/")
	for i := 1; i <= 3*maxLossPoints; i++ {
		m.Apply(protocol.Message{Kind: protocol.KindBatch, Run: 1, Batch: &protocol.Batch{Epoch: 1, Batch: i, Batches: 3 * maxLossPoints, Epochs: 1, Loss: 1, LossBatches: 1}})
	}
	if n := len(m.Run.Losses); n > maxLossPoints || n < maxLossPoints/2 {
		t.Errorf("%d loss points kept", n)
	}
	last := m.Run.Losses[len(m.Run.Losses)-1]
	if last.X != 1 {
		t.Errorf("last point x=%v, want 1 (the newest batch is kept)", last.X)
	}
}

func TestChartSVG(t *testing.T) {
	c := Chart{Title: "Loss <per> batch", XLabel: "epoch", YLabel: "loss", Series: []Series{
		{Name: "a", Class: "s1", Points: []Point{{0.5, 2.3}, {1, 1.1}, {1.5, math.NaN()}, {2, 0.4}}},
	}}
	svg := c.SVG()
	for _, want := range []string{`<svg class="chart"`, `Loss &lt;per&gt; batch`, `>epoch</text>`, `>loss</text>`, `<path class="line s1" d="M`, "</svg>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q:\n%s", want, svg)
		}
	}
	// The NaN breaks the line: two M commands in the series path.
	i := strings.Index(svg, `<path class="line s1" d="`)
	d := svg[i+len(`<path class="line s1" d="`):]
	d = d[:strings.Index(d, `"`)]
	if strings.Count(d, "M") != 2 || strings.Count(d, "L") != 1 {
		t.Errorf("series path %q: want a break at the NaN", d)
	}
	// Ticks: y from 0 to 2.5 in steps of 0.5.
	for _, tick := range []string{">0.0<", ">0.5<", ">2.5<"} {
		if !strings.Contains(svg, tick) {
			t.Errorf("y tick %s missing", tick)
		}
	}
	if strings.Count(svg, "<path") > 4 || strings.Count(svg, "<") > 60 {
		t.Errorf("chart uses too many nodes: %d", strings.Count(svg, "<"))
	}
}

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ span, want float64 }{{2.3, 0.5}, {1, 0.2}, {10, 2}, {0.07, 0.02}, {300, 100}} {
		if got := niceStep(c.span, 5); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", c.span, got, c.want)
		}
	}
}

func TestBNTables(t *testing.T) {
	s := &nncore.Snapshot{BN: []nncore.BNSnapshot{
		{Name: "bn1", Gamma: []float32{1.25, 0.5}, Beta: []float32{-0.125, 0}, RunningMean: []float32{0.1, 0.2}, RunningVar: []float32{1, 2}},
		{Name: "bn3", Gamma: make([]float32, 120), Beta: make([]float32, 120), RunningMean: make([]float32, 120), RunningVar: make([]float32, 120)},
	}}
	h := BNTablesHTML(s)
	if strings.Count(h, `data-testid="bn-table"`) != 2 || !strings.Contains(h, `data-layer="bn3"`) {
		t.Errorf("tables: %s", h[:200])
	}
	if !strings.Contains(h, "<td>0</td><td>1.2500</td><td>-0.1250</td><td>0.1000</td><td>1.0000</td>") {
		t.Error("bn1 channel 0 row is wrong")
	}
	if n := strings.Count(h, "<tr>"); n != 2+1+120+1 {
		t.Errorf("%d rows, want 124", n)
	}
	if BNTablesHTML(nil) != "" {
		t.Error("nil snapshot rendered something")
	}
}
