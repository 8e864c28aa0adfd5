package main

import (
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

func TestVizFramesOnlyWhileOpen(t *testing.T) {
	for _, open := range []bool{false, true} {
		rec := &recorder{}
		r := testRunner(rec)
		r.viz, r.vizEvery = &vizHub{}, 0
		var got []any
		if open {
			r.viz.open(func(b []byte) {
				m, err := protocol.UnmarshalViz(b)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, m)
			})
		}
		s := quickStart(1)
		s.Config.Variant = nncore.BNDropout
		r.run(newControl(), 4, s)
		if e := rec.kinds(protocol.KindError); len(e) > 0 {
			t.Fatal(e[0].Error.Message)
		}
		if !open {
			if len(got) != 0 {
				t.Fatalf("closed hub got %d messages", len(got))
			}
			if len(r.viz.models) != 1 {
				t.Errorf("the closed hub kept %d models, want 1 for later", len(r.viz.models))
			}
			// A port opened later gets the kept model.
			r.viz.open(func(b []byte) { got = append(got, b) })
			if len(got) != 1 {
				t.Errorf("a new port got %d messages, want the kept model", len(got))
			}
			continue
		}
		frames := 0
		var lastStep int64
		for _, m := range got[:len(got)-1] {
			f, ok := m.(*protocol.VizFrame)
			if !ok {
				t.Fatalf("got a %T before the end of the run", m)
			}
			frames++
			if f.Run != "run 4 · bn-dropout" || f.ProbeN != protocol.VizProbeN || len(f.Masks) == 0 || f.Step < lastStep {
				t.Errorf("frame run %q probe %d masks %d step %d", f.Run, f.ProbeN, len(f.Masks), f.Step)
			}
			lastStep = f.Step
		}
		f := rec.kinds(protocol.KindFinished)[0].Finished
		if f.VizFrames != frames || f.VizSeconds <= 0 {
			t.Errorf("finished reports %d frames in %v s, want %d", f.VizFrames, f.VizSeconds, frames)
		}
		if frames < 1 || frames > 12 { // vizEvery 0: at most one per batch (384 images / 32), within 3 % of the training time
			t.Errorf("%d frames, want 1 to 12", frames)
		}
		if m, ok := got[len(got)-1].(*protocol.VizModel); !ok || m.Label != "run 4 · bn-dropout" || m.Step != 12 {
			t.Errorf("last message %+v, want the run's VizModel at step 12", got[len(got)-1])
		}
	}
}

func TestModeGapEvents(t *testing.T) {
	rec := &recorder{}
	r := testRunner(rec)
	s := quickStart(1)
	s.Config.Variant = nncore.StandardBN
	r.run(newControl(), 2, s)
	gaps := rec.kinds(protocol.KindModeGap)
	// The first snapshot always measures; later ones only within 1 % of the training time.
	if len(gaps) < 1 || len(gaps) > 12 {
		t.Fatalf("%d mode-gap events, want 1 to one per batch", len(gaps))
	}
	for _, g := range gaps {
		m := g.ModeGap
		if m.N != 64 || m.TrainAcc < 0 || m.TrainAcc > 1 || m.EvalAcc < 0 || m.EvalAcc > 1 || m.Step < 1 {
			t.Errorf("mode gap %+v", m)
		}
	}
	// Early in training the running statistics (momentum 0.1 from 0 and 1) lag: eval mode is worse.
	first := gaps[0].ModeGap
	if first.Step <= 3 && !(first.TrainAcc > first.EvalAcc) {
		t.Errorf("at step %d train-mode accuracy %v is not above eval-mode %v", first.Step, first.TrainAcc, first.EvalAcc)
	}
}

func TestDemoFromKeptRuns(t *testing.T) {
	rec := &recorder{}
	r := testRunner(rec)
	r.store = &runStore{}
	if d := demo(r.store, nil, protocol.DemoRequest{}); d.Note == "" || len(d.Knockout)+len(d.Shift) > 0 {
		t.Fatalf("demo without runs: %+v", d)
	}
	for i, v := range []nncore.Variant{nncore.Plain, nncore.Dropout} {
		s := quickStart(1)
		s.Config.Variant = v
		r.run(newControl(), i+1, s)
	}
	d := demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Knockout) != 2 || d.KnockoutN != 64 || len(d.Knockout[0].Drops) != 120 || d.Knockout[0].Label != "run 2 · dropout" || d.Knockout[1].Label != "run 1 · plain" {
		t.Fatalf("knockout %+v", d.Knockout)
	}
	if len(d.Shift) != 0 || d.Note == "" {
		t.Errorf("shift without a BN run: %+v, note %q", d.Shift, d.Note)
	}
	s := quickStart(1)
	s.Config.Variant = nncore.StandardBN
	r.run(newControl(), 3, s)
	d = demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Shift) != 2 || d.Note != "" {
		t.Fatalf("shift %+v note %q", d.Shift, d.Note)
	}
	for _, sh := range d.Shift {
		// 12 steps, a state every step: 0..12.
		if len(sh.Steps) != 13 || sh.Steps[0] != 0 || sh.Steps[12] != 12 || len(sh.Q) != 13 {
			t.Errorf("%s: steps %v", sh.Label, sh.Steps)
		}
		for _, q := range sh.Q {
			if !(q[0] <= q[2] && q[2] <= q[4]) {
				t.Errorf("%s: quantiles out of order %v", sh.Label, q)
			}
		}
	}
}
