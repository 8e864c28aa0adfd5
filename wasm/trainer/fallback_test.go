package main

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

var errFakeLost = errors.New("fake: device lost")

// lossyEngine is a "GPU" engine (a CPU engine underneath) whose device is lost at the first call
// of method `when` once `at` steps were trained; after that every call fails, as a lost WebGPU
// device does. Steps trained after the last readback are gone with it.
type lossyEngine struct {
	nncore.Engine
	at     int64
	when   string // "train", "stats" or "state"
	steps  int64
	isLost bool
	states int // successful State calls
}

func (l *lossyEngine) check(method string) error {
	if !l.isLost && l.steps >= l.at && method == l.when {
		l.isLost = true
	}
	if l.isLost {
		return errFakeLost
	}
	return nil
}

func (l *lossyEngine) Backend() string { return "webgpu" }
func (l *lossyEngine) TrainBatch(idx []int32) error {
	if err := l.check("train"); err != nil {
		return err
	}
	l.steps++
	return l.Engine.TrainBatch(idx)
}
func (l *lossyEngine) TakeTrainStats() (nncore.TrainStats, error) {
	if err := l.check("stats"); err != nil {
		return nncore.TrainStats{}, err
	}
	return l.Engine.TakeTrainStats()
}
func (l *lossyEngine) State() (*nncore.State, error) {
	if err := l.check("state"); err != nil {
		return nil, err
	}
	l.states++
	return l.Engine.State()
}
func (l *lossyEngine) Evaluate(n int) (nncore.EvalStats, error) {
	if err := l.check("eval"); err != nil {
		return nncore.EvalStats{}, err
	}
	return l.Engine.Evaluate(n)
}
func (l *lossyEngine) Snapshot() (*nncore.Snapshot, error) {
	if err := l.check("snapshot"); err != nil {
		return nil, err
	}
	return l.Engine.Snapshot()
}

// TestFallbackContinuesOnCPU: a run whose "GPU" is lost mid-epoch continues on the CPU engine
// from the last checkpoint and ends exactly where an uninterrupted CPU run ends: same weights,
// running statistics, momentum, step counter and per-epoch metrics (dropout and BN included).
func TestFallbackContinuesOnCPU(t *testing.T) {
	train, test := synthSet(300, 1), synthSet(64, 2)
	cfg := nncore.Config{Variant: nncore.BNDropout, Seed: 7, Epochs: 2, Batch: 16, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4}
	run := func(eng nncore.Engine, perBatch bool) ([]nncore.EpochMetrics, *nncore.State) {
		t.Helper()
		h := nncore.Hooks{}
		if perBatch {
			h.OnBatch = func(nncore.BatchInfo) error { return nil }
		}
		ms, err := nncore.Train(context.Background(), eng, cfg, train, h)
		if err != nil {
			t.Fatal(err)
		}
		st, err := eng.State()
		if err != nil {
			t.Fatal(err)
		}
		return ms, st
	}
	ref, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	wantM, wantSt := run(ref, true)
	// 300 images, batch 16: 19 steps per epoch; checkpoints every 5 steps.
	for _, tc := range []struct {
		when     string
		at       int64
		perBatch bool
		from     int64 // the checkpoint the CPU engine starts from
	}{
		{"train", 13, true, 10},
		{"train", 13, false, 10},
		{"stats", 7, true, 5},
		{"stats", 24, false, 20}, // the checkpoint at step 25 takes the stats
		{"state", 10, true, 5},
		{"eval", 19, true, 15},
		{"train", 0, true, 0}, // lost before the first step
	} {
		inner, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
		if err != nil {
			t.Fatal(err)
		}
		fake := &lossyEngine{Engine: inner, at: tc.at, when: tc.when}
		var switches []protocol.Backend
		f := newFallbackEngine(fake, "WebGPU", cfg, nncore.InitState(cfg), train, test,
			func(err error) bool { return errors.Is(err, errFakeLost) },
			func(b protocol.Backend) { switches = append(switches, b) })
		f.steps, f.every = 5, 1<<62
		gotM, gotSt := run(f, tc.perBatch)
		f.Close()
		name := tc.when + "@" + itoa(tc.at)
		if len(switches) != 1 || switches[0].Name != "cpu" {
			t.Fatalf("%s: switches %+v, want one to cpu", name, switches)
		}
		if want := "continued on the CPU engine from step " + itoa(tc.from) + " "; !strings.Contains(switches[0].Reason, want) {
			t.Errorf("%s: reason %q, want it to contain %q", name, switches[0].Reason, want)
		}
		if f.Backend() != "cpu" {
			t.Errorf("%s: backend %q after the loss", name, f.Backend())
		}
		if !reflect.DeepEqual(gotSt, wantSt) {
			t.Errorf("%s: the continued run's final state differs from the uninterrupted CPU run's", name)
		}
		for i := range wantM {
			w, g := wantM[i], gotM[i]
			w.ImagesPerSec, w.Seconds, g.ImagesPerSec, g.Seconds = 0, 0, 0, 0
			if tc.perBatch && w != g {
				t.Errorf("%s: epoch %d metrics %+v, want %+v", name, i+1, g, w)
			}
			// Without per-batch stats the sums are added in another order: equal to rounding.
			if !tc.perBatch && (g.TrainAcc != w.TrainAcc || g.TestAcc != w.TestAcc || g.TestLoss != w.TestLoss ||
				abs(g.TrainLoss-w.TrainLoss) > 1e-9*abs(w.TrainLoss)) {
				t.Errorf("%s: epoch %d metrics %+v, want %+v", name, i+1, g, w)
			}
		}
	}
}

// TestFallbackCheckpointsByTime: with the step limit out of reach, checkpoints follow the clock.
func TestFallbackCheckpointsByTime(t *testing.T) {
	train, test := synthSet(64, 1), synthSet(16, 2)
	cfg := nncore.Config{Variant: nncore.StandardBN, Seed: 1, Epochs: 1, Batch: 8, LR: 0.05}
	inner, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	fake := &lossyEngine{Engine: inner, at: 1 << 40}
	f := newFallbackEngine(fake, "WebGPU", cfg, nncore.InitState(cfg), train, test, nil, nil)
	defer f.Close()
	f.steps = 1 << 30
	ticks := 0
	base := f.lastCkpt
	f.now = func() time.Time { ticks++; return base.Add(time.Duration(ticks) * time.Second) }
	if _, err := nncore.Train(context.Background(), f, cfg, train, nncore.Hooks{}); err != nil {
		t.Fatal(err)
	}
	if f.checkpoints == 0 || fake.states == 0 || f.Backend() != "webgpu" {
		t.Fatalf("checkpoints %d, state readbacks %d, backend %s", f.checkpoints, fake.states, f.Backend())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func abs(x float64) float64 { return math.Abs(x) }
