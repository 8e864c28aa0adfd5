package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
				if f, ok := m.(*protocol.VizFrame); ok { // a view that draws at once
					r.viz.ack(protocol.NewVizAck(f.Step, 0))
				}
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
	if d := demo(r.store, nil, protocol.DemoRequest{}); d.Note == "" || len(d.Knockout)+len(d.Shift) > 0 || fmt.Sprint(d.Missing) != "[plain dropout standard-bn]" {
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
	if len(d.Shift) != 0 || d.Note == "" || fmt.Sprint(d.Missing) != "[standard-bn]" {
		t.Errorf("shift without a BN run: %+v, note %q, missing %v", d.Shift, d.Note, d.Missing)
	}
	if want := "Models: run 2 · dropout (with dropout; 1 epoch on 384 training images, batch 32, seed 1) and run 1 · plain (plain: no dropout, no BN; 1 epoch on 384 training images, batch 32, seed 1)."; d.KnockoutRuns != want {
		t.Errorf("knockout runs %q, want %q", d.KnockoutRuns, want)
	}
	s := quickStart(1)
	s.Config.Variant = nncore.StandardBN
	r.run(newControl(), 3, s)
	d = demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Shift) != 2 || d.Note != "" || len(d.Missing) != 0 || !strings.Contains(d.ShiftRuns, "run 1 · plain (without BN") || !strings.Contains(d.ShiftRuns, "run 3 · standard-bn (with BN") {
		t.Fatalf("shift %+v note %q missing %v runs %q", d.Shift, d.Note, d.Missing, d.ShiftRuns)
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

// The hub paces frames by the view's acks: one frame at a time, no faster than vizEvery, and no
// faster than keeps the view's time per frame (after its first) under viewShare of the wall time,
// but at least one every maxGap.
func TestVizHubPacing(t *testing.T) {
	var h *vizHub
	if h.due(time.Now(), 0) {
		t.Error("a nil hub is due a frame")
	}
	h = &vizHub{}
	t0 := time.Unix(1000, 0)
	if h.due(t0, 0) {
		t.Error("a closed hub is due a frame")
	}
	sent := 0
	h.open(func([]byte) { sent++ })
	every := 300 * time.Millisecond
	if !h.due(t0, every) {
		t.Fatal("an open hub that has sent nothing is not due a frame")
	}
	h.frame(nil, t0)
	if h.due(t0.Add(time.Second), every) {
		t.Error("due a frame while the last one is not acked")
	}
	if !h.due(t0.Add(ackWait), every) {
		t.Error("a frame unanswered for ackWait still holds the next one back")
	}
	// The first ack carries the view's start: it does not count.
	h.ack(protocol.NewVizAck(1, 900*time.Millisecond))
	if h.due(t0.Add(every-time.Millisecond), every) || !h.due(t0.Add(every), every) {
		t.Error("after the first ack, frames are not due every vizEvery")
	}
	t1 := t0.Add(time.Second)
	h.frame(nil, t1)
	h.ack(protocol.NewVizAck(2, 60*time.Millisecond)) // 60 ms a frame: 3 s apart at 2 %
	paced := func(cost time.Duration) time.Duration { return time.Duration(float64(cost) / viewShare) }
	gap := paced(60 * time.Millisecond)
	if h.due(t1.Add(gap-time.Millisecond), every) || !h.due(t1.Add(gap), every) {
		t.Errorf("frames of 60 ms are not paced %v apart", gap)
	}
	h.frame(nil, t1.Add(gap))
	h.ack(protocol.NewVizAck(3, 20*time.Millisecond)) // the cost is averaged: 40 ms
	t2 := t1.Add(gap)
	gap = paced(40 * time.Millisecond)
	if h.due(t2.Add(gap-time.Millisecond), every) || !h.due(t2.Add(gap), every) {
		t.Errorf("frames of 60 then 20 ms are not paced %v apart", gap)
	}
	// A slow view (V8 still optimising it) still gets a frame every maxGap.
	t3 := t2.Add(gap)
	h.frame(nil, t3)
	h.ack(protocol.NewVizAck(4, 900*time.Millisecond))
	if h.due(t3.Add(maxGap-time.Millisecond), every) || !h.due(t3.Add(maxGap), every) {
		t.Errorf("a view taking 470 ms a frame is not sent one every %v", maxGap)
	}
	if sent != 4 {
		t.Errorf("sent %d frames, want 4", sent)
	}
	// A new port starts afresh.
	h.frame(nil, t3.Add(maxGap))
	h.open(func([]byte) {})
	if !h.due(t3.Add(maxGap), every) {
		t.Error("a newly opened port is not due a frame")
	}
}

// The knock-out demo's model without dropout is a plain run, never a BN variant; its model with
// dropout is a dropout run trained like it when there is one.
func TestDemoKnockoutRuns(t *testing.T) {
	rec := &recorder{}
	r := testRunner(rec)
	r.store = &runStore{}
	id := 0
	train := func(v nncore.Variant, seed uint64) {
		id++
		s := quickStart(1)
		s.Config.Variant, s.Config.Seed = v, seed
		r.run(newControl(), id, s)
		if e := rec.kinds(protocol.KindError); len(e) > 0 {
			t.Fatal(e[0].Error.Message)
		}
	}
	// "Run the lab" has no plain run: the knock-out demo waits for one; the shift demo uses dropout.
	for _, v := range nncore.LabVariants {
		train(v, 1)
	}
	d := demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Knockout) != 0 || d.KnockoutRuns != "" || fmt.Sprint(d.Missing) != "[plain]" || !strings.Contains(d.Note, "plain") {
		t.Errorf("after the lab's four runs: knockout %d series, runs %q, missing %v, note %q", len(d.Knockout), d.KnockoutRuns, d.Missing, d.Note)
	}
	if len(d.Shift) != 2 || d.Shift[0].Label != "run 3 · dropout" || d.Shift[1].Label != "run 1 · standard-bn" {
		t.Errorf("shift series %v, want run 3 · dropout and run 1 · standard-bn", shiftLabels(d.Shift))
	}
	// A plain run of another seed, then one like the lab's: the demo takes the newest plain run and the
	// dropout run trained like it (not bn-dropout, run 4, which is newer, nor a dropout run of another seed).
	train(nncore.Dropout, 2) // run 5
	train(nncore.Plain, 1)   // run 6
	d = demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Knockout) != 2 || d.Knockout[0].Label != "run 3 · dropout" || d.Knockout[1].Label != "run 6 · plain" || len(d.Missing) != 0 {
		t.Fatalf("knockout %v, missing %v", knockoutLabels(d.Knockout), d.Missing)
	}
	if !strings.Contains(d.KnockoutRuns, "run 3 · dropout (with dropout;") || !strings.Contains(d.KnockoutRuns, "run 6 · plain (plain: no dropout, no BN;") {
		t.Errorf("knockout runs %q", d.KnockoutRuns)
	}
	if d.Shift[0].Label != "run 6 · plain" {
		t.Errorf("the shift demo's run without BN is %q, want the plain run 6", d.Shift[0].Label)
	}
	// Without a dropout run trained like the plain one, the newest dropout run; bn-dropout only when no
	// dropout run without BN is kept, and the page is told.
	train(nncore.Plain, 3) // run 7
	d = demo(r.store, r.test, protocol.DemoRequest{KnockoutN: 64})
	if d.Knockout[0].Label != "run 5 · dropout" || d.Knockout[1].Label != "run 7 · plain" {
		t.Errorf("knockout %v, want run 5 · dropout and run 7 · plain", knockoutLabels(d.Knockout))
	}
	only := &runStore{}
	for _, k := range r.store.runs {
		if k.cfg.Variant != nncore.Dropout {
			only.add(k)
		}
	}
	d = demo(only, r.test, protocol.DemoRequest{KnockoutN: 64})
	if len(d.Knockout) != 2 || d.Knockout[0].Label != "run 4 · bn-dropout" || !strings.Contains(d.KnockoutRuns, "no dropout run without BN") {
		t.Errorf("without dropout runs: knockout %v, runs %q", knockoutLabels(d.Knockout), d.KnockoutRuns)
	}
}

func shiftLabels(s []protocol.DemoShift) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Label)
	}
	return out
}

func knockoutLabels(k []protocol.DemoKnockout) []string {
	var out []string
	for _, x := range k {
		out = append(out, x.Label)
	}
	return out
}
