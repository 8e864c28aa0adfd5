package lab

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

func TestLabPlan(t *testing.T) {
	s := DefaultSettings()
	s.Seed, s.Seeds, s.Quick = "7", "2", "1"
	plan, err := s.LabPlan()
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 8 {
		t.Fatalf("%d runs, want 4 variants × 2 seeds", len(plan))
	}
	for i, p := range plan {
		wantV, wantSeed := string(nncore.LabVariants[i%4]), []string{"7", "8"}[i/4]
		if p.Variant != wantV || p.Seed != wantSeed || p.TrainLimit != "4,096" || p.TestLimit != "1,000" || p.Epochs != "2" {
			t.Errorf("run %d: %+v, want %s seed %s in quick mode", i, p, wantV, wantSeed)
		}
	}
	if got := PlanText(plan, 2); got != "4 variants × 2 seeds = 8 runs, each 2 epochs on 4,096 training and 1,000 test images" {
		t.Errorf("plan text %q", got)
	}
	s.Quick = ""
	s.Epochs, s.TrainLimit = "1", "1024"
	if plan, _ = s.LabPlan(); plan[0].Epochs != "1" || plan[0].TrainLimit != "1024" {
		t.Errorf("without quick mode the form's settings apply: %+v", plan[0])
	}
	for _, bad := range []string{"0", "6", "x"} {
		s.Seeds = bad
		if _, err := s.LabPlan(); err == nil || !strings.Contains(err.Error(), "seeds") {
			t.Errorf("seeds %q: error %v", bad, err)
		}
	}
}

// The lab compares variants from the same initial weights: nncore.InitState draws every conv and
// linear layer in the same order whatever BN layers a variant adds, so equal seeds give equal weights.
func TestLabVariantsStartFromEqualWeights(t *testing.T) {
	cfg := nncore.DefaultConfig()
	cfg.Seed = 11
	cfg.Variant = nncore.StandardBN
	ref := map[string][]float32{}
	for _, p := range nncore.InitState(cfg).Params {
		ref[p.Name] = p.Data
	}
	for _, v := range nncore.LabVariants {
		cfg.Variant = v
		n := 0
		for _, p := range nncore.InitState(cfg).Params {
			if strings.HasPrefix(p.Name, "conv") || strings.HasPrefix(p.Name, "fc") {
				n++
				if !reflect.DeepEqual(p.Data, ref[p.Name]) {
					t.Errorf("%s: %s differs from standard-bn's initial values", v, p.Name)
				}
			}
		}
		if n != 10 {
			t.Errorf("%s: %d conv/fc tensors, want 10", v, n)
		}
	}
}

func fin(run int, acc, loss float64) protocol.Message {
	e := &protocol.Epoch{Epoch: 1, TrainLoss: protocol.Num(loss + 0.1), TrainAcc: protocol.Num(acc + 0.01), TestLoss: protocol.Num(loss), TestAcc: protocol.Num(acc)}
	return protocol.Message{Kind: protocol.KindFinished, Run: run, Finished: &protocol.Finished{Final: e}}
}

func TestControllerRunsTheLabInSequence(t *testing.T) {
	m := NewModel(DefaultSettings())
	m.Form.Seeds, m.Form.Seed = "2", "5"
	c := NewController(m, "data/")
	var sent []protocol.Message
	c.Send = func(msg protocol.Message) { sent = append(sent, msg) }
	c.RunLab()
	accs := map[string][]float64{"standard-bn": {0.9, 0.92}, "bn-input": {0.91, 0.93}, "dropout": {0.80, 0.81}, "bn-dropout": {0.89, 0.9}}
	for i := 0; i < 8; i++ {
		if len(sent) != i+1 || sent[i].Kind != protocol.KindStart {
			t.Fatalf("after %d runs: %d commands sent", i, len(sent))
		}
		st := sent[i].Start.Config
		wantV := nncore.LabVariants[i%4]
		if st.Variant != wantV || st.Seed != uint64(5+i/4) {
			t.Errorf("run %d is %s seed %d, want %s seed %d", i, st.Variant, st.Seed, wantV, 5+i/4)
		}
		c.Apply(fin(sent[i].Run, accs[string(wantV)][i/4], 0.3))
	}
	if len(sent) != 8 || !m.Series.Ended || m.Series.Stopped != "" {
		t.Fatalf("series %+v after %d commands", m.Series, len(sent))
	}
	rows := Compare(m.Series, m.Results)
	if len(rows) != 4 || rows[1].Variant != "bn-input" || rows[1].TestAcc.N != 2 {
		t.Fatalf("rows %+v", rows)
	}
	if d := rows[1].TestAcc.Mean - 0.92; d > 1e-12 || d < -1e-12 {
		t.Errorf("bn-input mean %v, want 0.92", rows[1].TestAcc.Mean)
	}
	ans := Answers(rows)
	if len(ans) != 3 {
		t.Fatalf("answers %+v", ans)
	}
	// bn-input vs standard-bn: +1.00 point, SD 0.0141 each over 2 seeds: SE 1.41 points, within noise.
	if !strings.Contains(ans[0].Text, "raised test accuracy by 1.00 points") || !strings.Contains(ans[0].Text, "within noise") {
		t.Errorf("answer %q", ans[0].Text)
	}
	// dropout vs standard-bn: −10.5 points, far outside noise.
	if !strings.Contains(ans[1].Text, "lowered test accuracy by 10.50 points") || !strings.Contains(ans[1].Text, "not just noise") {
		t.Errorf("answer %q", ans[1].Text)
	}
	html := render(t, m)
	for _, want := range []string{`data-testid="compare-row" data-seeds="2" data-test-acc="0.92" data-test-loss="0.3"`, `data-variant="bn-input"`,
		`data-testid="lab-answer"`, `± 1.41 %`, `data-testid="compare-acc-chart"`, `class="line s4"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestControllerStopEndsTheSeries(t *testing.T) {
	m := NewModel(DefaultSettings())
	c := NewController(m, "data/")
	var sent []protocol.Message
	c.Send = func(msg protocol.Message) { sent = append(sent, msg) }
	c.RunLab()
	c.Apply(protocol.Message{Kind: protocol.KindStatus, Run: 1, Status: &protocol.Status{State: protocol.StateTraining}})
	c.Stop()
	msg := fin(1, 0.5, 1)
	msg.Finished.Stopped = true
	c.Apply(msg)
	if len(sent) != 2 || sent[1].Kind != protocol.KindStop || !m.Series.Ended {
		t.Errorf("sent %+v, series %+v: a stop must end the series", sent, m.Series)
	}
}

func TestControllerDemo(t *testing.T) {
	m := NewModel(DefaultSettings())
	c := NewController(m, "data/")
	var sent []protocol.Message
	c.Send = func(msg protocol.Message) { sent = append(sent, msg) }
	c.EnterConcepts()
	if len(sent) != 0 {
		t.Fatal("asked for demos without any run")
	}
	c.Demo.OnRun()
	for i, v := range []string{"plain", "dropout", "standard-bn"} {
		if sent[i].Start.Config.Variant != nncore.Variant(v) || sent[i].Start.Config.TrainLimit != QuickTrain {
			t.Fatalf("demo run %d: %+v", i, sent[i].Start.Config)
		}
		c.Apply(fin(sent[i].Run, 0.9, 0.3))
	}
	if len(sent) != 4 || sent[3].Kind != protocol.KindDemo {
		t.Fatalf("after the demo runs: %+v", sent[len(sent)-1])
	}
	c.Apply(protocol.Message{Kind: protocol.KindDemoData, DemoData: &protocol.DemoData{KnockoutLayer: "fc1", KnockoutN: 1000,
		Knockout: []protocol.DemoKnockout{{Label: "run 2 · dropout", Drops: []protocol.Num{0.01, 0.002}}},
		Shift:    []protocol.DemoShift{{Label: "run 1 · plain", Steps: []int64{0, 5}, Q: [][5]protocol.Num{{-1, 0, 0, 0, 1}, {-2, 0, 0, 0, 2}}}}}})
	if len(c.Demo.Knockout) != 1 || c.Demo.Knockout[0].Drops[0] != 0.01 || c.Demo.KnockoutN != 1000 || len(c.Demo.Shift) != 1 || c.Demo.Shift[0].Q[1][4] != 2 || c.Demo.Status != "" {
		t.Errorf("demo %+v", c.Demo)
	}
	c.EnterConcepts()
	if len(sent) != 4 {
		t.Error("asked again with no new run")
	}
}

// The demo button trains only the runs the worker says are missing; with none missing it offers none.
func TestControllerDemoTrainsOnlyTheMissingRuns(t *testing.T) {
	m := NewModel(DefaultSettings())
	c := NewController(m, "data/")
	var sent []protocol.Message
	c.Send = func(msg protocol.Message) { sent = append(sent, msg) }
	c.RunLab()
	for i := 0; i < 4; i++ {
		c.Apply(fin(sent[i].Run, 0.9, 0.3))
	}
	if len(sent) != 4 {
		t.Fatalf("sent %d messages for the lab", len(sent))
	}
	c.EnterConcepts()
	if len(sent) != 5 || sent[4].Kind != protocol.KindDemo || c.Demo.Missing != nil {
		t.Fatalf("entering Concepts after the lab: sent %+v, missing %v (unknown until the worker answers)", sent[len(sent)-1], c.Demo.Missing)
	}
	c.Apply(protocol.Message{Kind: protocol.KindDemoData, DemoData: &protocol.DemoData{Missing: []string{"plain"}, Note: "The knock-out demo needs a plain run.",
		ShiftRuns: "Runs: run 3 · dropout and run 1 · standard-bn."}})
	if fmt.Sprint(c.Demo.Missing) != "[plain]" || c.Demo.ShiftRuns == "" || c.Demo.Status == "" {
		t.Fatalf("demo %+v", c.Demo)
	}
	c.Demo.OnRun()
	if len(sent) != 6 || sent[5].Kind != protocol.KindStart || sent[5].Start.Config.Variant != nncore.Plain || c.Demo.Missing != nil {
		t.Fatalf("the demo button sent %+v, missing %v: want one plain run", sent[5:], c.Demo.Missing)
	}
	c.Apply(fin(sent[5].Run, 0.9, 0.3))
	if len(sent) != 7 || sent[6].Kind != protocol.KindDemo {
		t.Fatalf("after the plain run: %+v", sent[6:])
	}
	c.Apply(protocol.Message{Kind: protocol.KindDemoData, DemoData: &protocol.DemoData{KnockoutRuns: "Models: run 3 · dropout and run 5 · plain."}})
	if len(c.Demo.Missing) != 0 || c.Demo.KnockoutRuns == "" {
		t.Errorf("demo %+v", c.Demo)
	}
	c.Demo.OnRun() // nothing missing: nothing to train
	if len(sent) != 7 {
		t.Errorf("the demo button trained %+v with nothing missing", sent[7:])
	}
	// A demo series cut short asks the worker what is still missing.
	c.Demo.Missing = []string{"dropout", "standard-bn"}
	c.Demo.OnRun()
	if len(sent) != 8 || sent[7].Start.Config.Variant != nncore.Dropout {
		t.Fatalf("sent %+v", sent[7:])
	}
	c.Stop()
	stopped := fin(sent[7].Run, 0.5, 1)
	stopped.Finished.Stopped = true
	c.Apply(stopped)
	if last := sent[len(sent)-1]; last.Kind != protocol.KindDemo {
		t.Errorf("after a stopped demo run the page sent %s, want a demo request", last.Kind)
	}
}
