package main

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

func synthSet(n int, seed uint64) *mnist.Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*28*28), Labels: make([]byte, n)}
	for i := range s.Labels {
		l := byte(r.IntN(10))
		s.Labels[i] = l
		// A learnable pattern: a bright bar whose row depends on the label, plus noise.
		for x := 4; x < 24; x++ {
			s.Images[i*784+(4+2*int(l))*28+x] = 255
		}
		for j := 0; j < 30; j++ {
			s.Images[i*784+r.IntN(784)] = byte(r.IntN(256))
		}
	}
	return s
}

type recorder struct {
	mu   sync.Mutex
	msgs []protocol.Message
	on   func(protocol.Message)
}

func (rec *recorder) post(m protocol.Message) {
	if _, err := protocol.Encode(m); err != nil {
		panic(err)
	}
	rec.mu.Lock()
	rec.msgs = append(rec.msgs, m)
	rec.mu.Unlock()
	if rec.on != nil {
		rec.on(m)
	}
}

func (rec *recorder) kinds(k protocol.Kind) []protocol.Message {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []protocol.Message
	for _, m := range rec.msgs {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}

func testRunner(rec *recorder) *runner {
	train, test := synthSet(512, 1), synthSet(128, 2)
	return &runner{post: rec.post, load: func(int, string) (*mnist.Set, *mnist.Set, error) { return train, test, nil },
		yieldEvery: time.Millisecond, snapshotEvery: time.Millisecond}
}

func quickStart(epochs int) protocol.Start {
	cfg := nncore.DefaultConfig()
	cfg.Epochs, cfg.Batch, cfg.TrainLimit, cfg.TestLimit, cfg.LR = epochs, 32, 384, 100, 0.05
	return protocol.Start{Config: cfg, BatchEveryMS: 1}
}

func TestRunCompletes(t *testing.T) {
	rec := &recorder{}
	r := testRunner(rec)
	yields := 0
	r.yield = func() { yields++ }
	r.run(newControl(), 7, quickStart(2))
	if errs := rec.kinds(protocol.KindError); len(errs) > 0 {
		t.Fatalf("error event: %s", errs[0].Error.Message)
	}
	for _, m := range rec.msgs {
		if m.Run != 7 {
			t.Fatalf("%s event has run %d, want 7", m.Kind, m.Run)
		}
	}
	if b := rec.kinds(protocol.KindBackend); len(b) != 1 || b[0].Backend.Name != "cpu" || b[0].Backend.Reason == "" {
		t.Errorf("backend events %+v", b)
	}
	eps := rec.kinds(protocol.KindEpoch)
	if len(eps) != 2 || eps[0].Epoch.Epoch != 1 || eps[1].Epoch.Epoch != 2 {
		t.Fatalf("epoch events %+v", eps)
	}
	if acc := float64(eps[1].Epoch.TestAcc); acc < 0.3 {
		t.Errorf("test accuracy after 2 epochs on the synthetic bars = %v, want > 0.3 (the model should learn them)", acc)
	}
	batches := rec.kinds(protocol.KindBatch)
	lastB := batches[len(batches)-1].Batch
	if lastB.Epoch != 2 || lastB.Batch != lastB.Batches || lastB.Batches != 12 || lastB.Seen != 768 || lastB.ImagesPerSec <= 0 {
		t.Errorf("last batch event %+v, want epoch 2, batch 12 of 12, 768 seen", lastB)
	}
	if yields == 0 {
		t.Error("training never yielded to the event loop")
	}
	if len(rec.kinds(protocol.KindSnapshot)) < 2 {
		t.Error("fewer than 2 snapshots (one per epoch)")
	}
	fin := rec.kinds(protocol.KindFinished)
	if len(fin) != 1 || fin[0].Finished.Stopped || fin[0].Finished.Final == nil || fin[0].Finished.Final.Epoch != 2 || fin[0].Finished.State == nil {
		t.Fatalf("finished %+v", fin)
	}
	if fin[0].Finished.State.Step != 24 {
		t.Errorf("final state step %d, want 24", fin[0].Finished.State.Step)
	}
	if last := rec.msgs[len(rec.msgs)-1]; last.Kind != protocol.KindFinished {
		t.Errorf("last event is %s, want finished", last.Kind)
	}
}

func TestRunStopAndPause(t *testing.T) {
	rec := &recorder{}
	r := testRunner(rec)
	ctl := newControl()
	batches := 0
	var pausedAt time.Time
	var resumedAfter time.Duration
	rec.on = func(m protocol.Message) {
		if m.Kind != protocol.KindBatch {
			return
		}
		batches++
		switch batches {
		case 2:
			if !ctl.Pause() {
				t.Error("Pause refused")
			}
			pausedAt = time.Now()
			go func() { time.Sleep(60 * time.Millisecond); ctl.Resume() }()
		case 3:
			resumedAfter = time.Since(pausedAt)
		case 5:
			ctl.Stop()
		}
	}
	began := time.Now()
	r.run(ctl, 1, quickStart(3))
	wall := time.Since(began)
	if resumedAfter < 50*time.Millisecond {
		t.Errorf("the batch after a pause came %v later, want the pause (60 ms) to hold training", resumedAfter)
	}
	fin := rec.kinds(protocol.KindFinished)
	if len(fin) != 1 || !fin[0].Finished.Stopped || fin[0].Finished.Final != nil {
		t.Fatalf("finished %+v, want stopped in the first epoch", fin)
	}
	if got := fin[0].Finished.State.Step; got != 5 {
		t.Errorf("stopped after step %d, want 5 (the stop takes effect between batches)", got)
	}
	// The run says "paused" only once it holds, and no batch ends between "paused" and "training".
	pausedSeen, holding := 0, false
	for _, m := range rec.msgs {
		switch {
		case m.Kind == protocol.KindStatus && m.Status.State == protocol.StatePaused:
			pausedSeen++
			holding = true
		case m.Kind == protocol.KindStatus && m.Status.State == protocol.StateTraining:
			holding = false
		case m.Kind == protocol.KindBatch && holding:
			t.Errorf("batch %d reported while paused", m.Batch.Batch)
		}
	}
	if pausedSeen != 1 {
		t.Errorf("%d paused statuses, want 1", pausedSeen)
	}
	if got := float64(fin[0].Finished.Seconds); got > wall.Seconds()-0.055 {
		t.Errorf("training time %.3f s of %.3f s wall: the 60 ms pause was counted", got, wall.Seconds())
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	rec := &recorder{}
	s := quickStart(1)
	s.Config.Batch = 0
	testRunner(rec).run(newControl(), 1, s)
	if e := rec.kinds(protocol.KindError); len(e) != 1 {
		t.Fatalf("events %+v, want one error", rec.msgs)
	}
}
