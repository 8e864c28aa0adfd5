package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// runner trains runs. It is plain Go: the browser glue (main_js.go) gives it the ways to post
// events, load MNIST and let the JavaScript event loop run; the tests give it fakes.
type runner struct {
	post func(protocol.Message)
	// load returns the MNIST splits, reporting download progress through post (run id given).
	load func(run int, dataURL string) (train, test *mnist.Set, err error)
	// yield lets the host's event loop run (Go's js/wasm has no preemption: without it no
	// command reaches the worker while it trains). nil: no yielding.
	yield func()
	// yieldEvery is the least training time between two yields.
	yieldEvery time.Duration
	// snapshotEvery is the least time between two Snapshot events while training (one more
	// follows each epoch).
	snapshotEvery time.Duration
	// viz is the channel to the viz iframe (nil: none); while it is open the run posts a VizFrame
	// when the view is due one (at most every vizEvery), and each run's final model goes to it.
	viz      *vizHub
	vizEvery time.Duration
	// store keeps states of every run for the Concepts demos (nil: none kept).
	store *runStore
	// test is the test set of the last run that loaded one (for the demos).
	test *mnist.Set
}

// Shares of the training time that the train/eval-mode comparison and the viz frames may take: the
// worker does them between batches, so they slow training by about as much.
const (
	gapShare = 0.01
	vizShare = 0.03
)

// run trains one run to the end, to a stop, or to an error, posting its events. It always ends
// with a Finished or an Error event.
func (r *runner) run(ctl *control, id int, start protocol.Start) {
	post := func(m protocol.Message) {
		m.Run = id
		r.post(m)
	}
	fail := func(err error) {
		post(protocol.Message{Kind: protocol.KindError, Error: &protocol.Error{Message: err.Error()}})
	}
	cfg := start.Config
	if err := cfg.Validate(); err != nil {
		fail(fmt.Errorf("the run's settings are invalid: %w", err))
		return
	}
	post(protocol.Message{Kind: protocol.KindStatus, Status: &protocol.Status{State: protocol.StateLoading}})
	train, test, err := r.load(id, start.DataURL)
	if err != nil {
		fail(err)
		return
	}
	if ctl.ctx.Err() != nil { // stopped while loading
		post(protocol.Message{Kind: protocol.KindFinished, Finished: &protocol.Finished{Stopped: true}})
		return
	}
	r.test = test
	post(protocol.Message{Kind: protocol.KindStatus, Status: &protocol.Status{State: protocol.StatePreparing}})
	var backend protocol.Backend
	eng, backend, err := selectEngine(start, cfg, nncore.InitState(cfg), train, test, func(b protocol.Backend) {
		backend = b // the device was lost: the run goes on on the CPU engine
		post(protocol.Message{Kind: protocol.KindBackend, Backend: &b})
	})
	if err != nil {
		fail(err)
		return
	}
	defer eng.Close()
	label := runLabel(id, cfg.Variant)
	// The probe batch of the live view and the images of the train/eval-mode comparison: fixed
	// test images, preprocessed once per run as its model expects.
	probe, probeLabels := protocol.VizProbe(cfg.Preprocess(), test, protocol.VizProbeN)
	gapX, gapLabels := protocol.VizProbe(cfg.Preprocess(), test, gapN)
	kept := &keptRun{id: id, cfg: cfg}
	if r.store != nil {
		r.store.add(kept)
	}
	nTrain := train.N
	if cfg.TrainLimit > 0 && cfg.TrainLimit < nTrain {
		nTrain = cfg.TrainLimit
	}
	totalSteps := int64(cfg.Epochs) * int64((nTrain+cfg.Batch-1)/cfg.Batch)
	keepEvery := max(1, totalSteps/shiftStates)
	keep := func(step int64) {
		if r.store == nil {
			return
		}
		if st, err := eng.State(); err == nil {
			st.Velocity = nil
			r.store.mu.Lock()
			kept.states = append(kept.states, st)
			r.store.mu.Unlock()
		}
	}
	keep(0)
	post(protocol.Message{Kind: protocol.KindBackend, Backend: &backend})
	post(protocol.Message{Kind: protocol.KindStatus, Status: &protocol.Status{State: protocol.StateTraining}})

	every := time.Duration(start.BatchEveryMS) * time.Millisecond
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	var (
		trainTime           time.Duration // training only: no evaluation, no pauses
		mark                = time.Now()  // start of the current timed stretch
		lastPost, lastYield time.Time
		lastSnap            = time.Now()
		seenBefore          int // images of the finished epochs
		epochSeen           int // images of the current epoch so far
		last                *protocol.Epoch
		sent                = false
		lastViz             time.Time
		frame               *protocol.VizFrame
		gapTime, vizTime    time.Duration // spent on the mode gap and on viz frames
		firstViz            time.Duration // the first viz frame (one-time encoding), left out of the pacing
		vizFrames           int
		epoch               = 1 // being trained
	)
	snapshot := func() {
		s, err := eng.Snapshot()
		if err == nil && s != nil && (len(s.BN) > 0 || len(s.Masks) > 0) {
			post(protocol.Message{Kind: protocol.KindSnapshot, Snapshot: s})
		}
		// The train/eval-mode comparison (two forward passes) within its share of training time.
		if st, err := eng.State(); err == nil && len(gapLabels) > 0 && (gapTime == 0 || float64(gapTime) <= gapShare*float64(trainTime)) {
			began := time.Now()
			tr, ev := modeGap(cfg, st, gapX, gapLabels)
			gapTime += time.Since(began)
			post(protocol.Message{Kind: protocol.KindModeGap, ModeGap: &protocol.ModeGap{Step: st.Step, Epoch: epoch, N: len(gapLabels),
				TrainAcc: protocol.Num(tr), EvalAcc: protocol.Num(ev)}})
		}
		lastSnap = time.Now()
	}
	vizFrame := func() {
		// Steps the GPU has queued are training time: wait for them before timing the frame,
		// or its State readback would pay for them (and the 3 % budget would starve the view).
		if s, ok := eng.(interface{ Sync() error }); ok {
			t0 := time.Now()
			if err := s.Sync(); err != nil {
				return
			}
			trainTime += time.Since(t0)
		}
		lastViz = time.Now()
		defer func() {
			d := time.Since(lastViz)
			vizTime += d
			if vizFrames == 1 {
				firstViz = d // encodes the probe batch once per run: reported, not paced
			}
		}()
		st, err := eng.State()
		if err != nil {
			return
		}
		var masks []nncore.MaskSnapshot
		if cfg.HasDropout() {
			if s, err := eng.Snapshot(); err == nil {
				masks = s.Masks
			}
		}
		if frame == nil {
			frame = protocol.NewVizFrame(label, epoch, cfg, st, masks, probe, probeLabels)
		} else { // the probe batch is encoded once per run
			frame.Step, frame.Epoch, frame.Masks = st.Step, epoch, masks
			frame.Params, frame.Buffers = protocol.VizEncodeTensors(st.Params), protocol.VizEncodeTensors(st.Buffers)
		}
		if b, err := protocol.MarshalViz(frame); err == nil {
			r.viz.frame(b, lastViz)
			vizFrames++
		}
	}
	hooks := nncore.Hooks{
		// Training statistics are read (a GPU sync) as often as the page hears of them, not per batch.
		StatsEvery: every,
		OnBatch: func(b nncore.BatchInfo) error {
			now := time.Now()
			trainTime += now.Sub(mark)
			mark = now
			epochSeen = b.Seen
			epoch = b.Epoch
			if b.Step%keepEvery == 0 {
				keep(b.Step)
			}
			final := b.Batch+1 == b.Batches
			postBatch := func() {
				sent, lastPost = true, now
				seen := seenBefore + b.Seen
				ev := protocol.Batch{Epoch: b.Epoch, Batch: b.Batch + 1, Batches: b.Batches, Epochs: cfg.Epochs, Step: b.Step,
					Loss: protocol.Num(b.Loss), LossBatches: b.LossBatches, Seen: seen, Elapsed: protocol.Num(trainTime.Seconds())}
				if s := trainTime.Seconds(); s > 0 {
					ev.ImagesPerSec = protocol.Num(float64(seen) / s)
				}
				post(protocol.Message{Kind: protocol.KindBatch, Batch: &ev})
			}
			posted := false
			if !sent || final || now.Sub(lastPost) >= every {
				postBatch()
				posted = true
			}
			if r.snapshotEvery > 0 && now.Sub(lastSnap) >= r.snapshotEvery {
				snapshot()
			}
			// A frame reads the model back: on a batch whose statistics were just read the GPU
			// engine is already synchronised, so the frame adds no drain of the queued steps.
			if b.LossBatches > 0 && r.viz.due(now, r.vizEvery) && (vizTime == 0 || float64(vizTime-firstViz) <= vizShare*float64(trainTime)) {
				vizFrame()
			}
			if r.yield != nil && now.Sub(lastYield) >= r.yieldEvery {
				r.yield()
				lastYield = time.Now()
			}
			// A pause is announced from here, once the run holds between batches, after the
			// progress of the last trained batch: the page never sees a batch end while paused.
			onBlock := func() {
				if !posted {
					postBatch()
				}
				post(protocol.Message{Kind: protocol.KindStatus, Status: &protocol.Status{State: protocol.StatePaused}})
			}
			if blocked, err := ctl.waitThen(onBlock); blocked || err != nil {
				if err != nil {
					return err
				}
				post(protocol.Message{Kind: protocol.KindStatus, Status: &protocol.Status{State: protocol.StateTraining}})
			}
			mark = time.Now() // leave yields and pauses out of the training time
			return nil
		},
		OnEpoch: func(m nncore.EpochMetrics) error {
			seenBefore += epochSeen // (a last batch of one image is skipped with BN)
			epochSeen = 0
			e := protocol.Epoch{Epoch: m.Epoch, TrainLoss: protocol.Num(m.TrainLoss), TrainAcc: protocol.Num(m.TrainAcc),
				TestLoss: protocol.Num(m.TestLoss), TestAcc: protocol.Num(m.TestAcc), ImagesPerSec: protocol.Num(m.ImagesPerSec), Seconds: protocol.Num(m.Seconds)}
			last = &e
			post(protocol.Message{Kind: protocol.KindEpoch, Epoch: &e})
			snapshot()
			mark = time.Now()
			return nil
		},
	}
	_, err = nncore.Train(ctl.ctx, eng, cfg, train, hooks)
	stopped := errors.Is(err, context.Canceled)
	if err != nil && !stopped {
		fail(fmt.Errorf("training failed: %w", err))
		return
	}
	fin := &protocol.Finished{Stopped: stopped, Final: last, Backend: backend, Seconds: protocol.Num(trainTime.Seconds()),
		VizFrames: vizFrames, VizSeconds: protocol.Num(vizTime.Seconds()), GapSeconds: protocol.Num(gapTime.Seconds())}
	if st, err := eng.State(); err != nil {
		fin.StateError = err.Error()
	} else {
		fin.State = st
		if r.store != nil {
			r.store.mu.Lock()
			kept.final = st
			if n := len(kept.states); n == 0 || kept.states[n-1].Step != st.Step {
				kept.states = append(kept.states, st)
			}
			r.store.mu.Unlock()
		}
		if r.viz != nil {
			if b, err := protocol.MarshalViz(protocol.NewVizModel(label, cfg, st)); err == nil {
				r.viz.model(b)
			}
		}
		if _, err := protocol.Encode(protocol.Message{Kind: protocol.KindFinished, Finished: fin}); err != nil {
			fin.State, fin.StateError = nil, "the learned weights could not be sent: "+err.Error()
		}
	}
	post(protocol.Message{Kind: protocol.KindFinished, Finished: fin})
}
