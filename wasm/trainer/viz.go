package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/lenetlab/lenetlab/viz"
)

// vizHub is the worker's end of the channel to the viz iframe. The page opens it (a MessagePort
// arrives with a viz-port command) when the network view is shown and closes it when it is hidden;
// while it is closed the runner builds no frames, so a hidden view costs nothing. While it is open,
// the view answers each frame it has drawn (protocol.VizAck) and due paces the frames by it.
type vizHub struct {
	mu     sync.Mutex
	send   func([]byte) // nil: closed
	models [][]byte     // VizModel text of the kept runs, oldest first, replayed to a new port

	inFlight bool          // a frame was posted and not yet acked
	sentAt   time.Time     // when the last frame was posted
	acks     int           // acks since the port opened
	viewCost time.Duration // the view's time per frame (acks after the first, averaged)
}

// Pacing of the frames. The view runs on the page's main thread, beside the page, the compositor
// and, on a machine without a GPU, the software renderer that also trains; the time it spends on
// frames (its acks say how much) is kept under viewShare of the wall time. Its acks cannot count
// what showing a frame costs elsewhere: measured in headless Chromium on SwiftShader, the GPU
// process spends about as much again presenting it (e2e TestVizCost), hence 2 %. The first ack
// after a port opens does not count: it carries the view's one-time start. The next few frames
// of a view's first run in a page still cost it several times the steady cost (V8 optimising its
// code), so a live view gets a frame at least every maxGap however slow it is. A frame
// unanswered for ackWait no longer holds the next one back (a view that lost it, or one in a
// hidden tab that draws nothing).
const (
	viewShare = 0.02
	maxGap    = 4 * time.Second
	ackWait   = 5 * time.Second
)

// maxModels bounds the models kept for the draw pad.
const maxModels = 12

func (h *vizHub) open(send func([]byte)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.send = send
	h.inFlight, h.sentAt, h.acks, h.viewCost = false, time.Time{}, 0, 0
	if send != nil {
		for _, m := range h.models {
			send(m)
		}
	}
}

// due reports whether the view should get a frame at now: it is open, has answered the last frame
// (or not for ackWait), and the time since the last frame is at least every and at least the
// view's time per frame over viewShare (or maxGap).
func (h *vizHub) due(now time.Time, every time.Duration) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.send == nil {
		return false
	}
	if h.sentAt.IsZero() {
		return true
	}
	since := now.Sub(h.sentAt)
	if h.inFlight && since < ackWait {
		return false
	}
	return since >= max(every, min(time.Duration(float64(h.viewCost)/viewShare), maxGap))
}

// frame posts a frame's text at now (the send is outside the lock: a view may ack at once).
func (h *vizHub) frame(b []byte, now time.Time) {
	h.mu.Lock()
	send := h.send
	if send != nil {
		h.inFlight, h.sentAt = true, now
	}
	h.mu.Unlock()
	if send != nil {
		send(b)
	}
}

// ack takes the view's answer to a frame.
func (h *vizHub) ack(a *protocol.VizAck) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inFlight = false
	h.acks++
	cost := time.Duration(float64(a.Millis) * float64(time.Millisecond))
	switch {
	case h.acks == 1 || cost < 0:
	case h.viewCost == 0:
		h.viewCost = cost
	default:
		h.viewCost = (h.viewCost + cost) / 2
	}
}

func (h *vizHub) model(b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.models = append(h.models, b)
	if len(h.models) > maxModels {
		h.models = h.models[len(h.models)-maxModels:]
	}
	if h.send != nil {
		h.send(b)
	}
}

// keptRun is what the worker keeps of a run for the Concepts demos.
type keptRun struct {
	id     int
	cfg    nncore.Config
	states []*nncore.State // ~shiftStates snapshots taken during training, oldest first (step 0 included)
	final  *nncore.State   // nil until the run ends
}

// shiftStates is about how many states a run keeps for the covariate-shift demo.
const shiftStates = 20

// maxKept bounds the runs kept (each holds ~21 copies of the weights: ~5 MB for LeNet-5).
const maxKept = 10

type runStore struct {
	mu   sync.Mutex
	runs []*keptRun
}

func (s *runStore) add(k *keptRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs = append(s.runs, k)
	if len(s.runs) > maxKept {
		s.runs = s.runs[len(s.runs)-maxKept:]
	}
}

// latest returns the newest finished run for which ok holds, trying each predicate in turn.
func (s *runStore) latest(oks ...func(nncore.Config) bool) *keptRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ok := range oks {
		for i := len(s.runs) - 1; i >= 0; i-- {
			if r := s.runs[i]; r.final != nil && ok(r.cfg) {
				return r
			}
		}
	}
	return nil
}

func runLabel(id int, v nncore.Variant) string { return fmt.Sprintf("run %d · %s", id, v) }

// gapN is how many test images the train-mode vs eval-mode accuracy is measured on: few enough that
// the two forward passes take a few milliseconds, at each snapshot.
const gapN = 64

// modeGap measures the accuracy on x (n images, labels) in training mode and in evaluation mode.
func modeGap(cfg nncore.Config, st *nncore.State, x []float32, labels []byte) (trainAcc, evalAcc float64) {
	n := len(labels)
	acc := func(train bool) float64 {
		p := nncore.RunProbe(cfg, st, x, n, train)
		c := 0
		for i := range n {
			if viz.Argmax(p.Probs[i*10:(i+1)*10]) == int(labels[i]) {
				c++
			}
		}
		return float64(c) / float64(n)
	}
	return acc(true), acc(false)
}

// describe says how a kept run was trained, e.g. "2 epochs on 4,096 training images, batch 64, seed 1".
func describe(c nncore.Config) string {
	n := c.TrainLimit
	if n <= 0 {
		n = 60000
	}
	return fmt.Sprintf("%s on %s training images, batch %d, seed %d",
		viz.Plural(c.Epochs, "epoch", "epochs"), viz.FormatInt(int64(n)), c.Batch, c.Seed)
}

// sameTraining reports whether two runs were trained alike apart from their variant.
func sameTraining(a, b nncore.Config) bool {
	a.Variant = b.Variant
	return a == b
}

// demoVariants are the quick runs the Concepts page trains for its demos, in this order.
var demoVariants = []nncore.Variant{nncore.Plain, nncore.Dropout, nncore.StandardBN}

// demo computes the Concepts page's demos from the kept runs; test is the test set.
//
// The knock-out demo compares a model trained with dropout with one trained without, and the one
// without is a plain run (no dropout, no BN): the lab's other dropout-free variants have BN, which
// would mix BN's effect into the comparison. The run with dropout is a dropout run (no BN) when one
// was kept, trained like the plain run if possible; a bn-dropout run stands in otherwise. The
// covariate-shift demo compares a run with BN (standard-bn preferred) with one without (plain
// preferred). DemoData.Missing names the quick runs that would complete what is missing.
func demo(store *runStore, test *mnist.Set, req protocol.DemoRequest) *protocol.DemoData {
	out := &protocol.DemoData{}
	var missing []string
	need := map[nncore.Variant]bool{}
	defer func() {
		for _, v := range demoVariants {
			if need[v] {
				out.Missing = append(out.Missing, string(v))
			}
		}
		if len(missing) > 0 {
			out.Note = strings.ToUpper(missing[0][:1]) + strings.Join(missing, "; ")[1:] + "."
		}
	}()
	if test == nil {
		missing = append(missing, "no run has loaded MNIST yet: train a model in the Lab first, or run the demo runs")
		for _, v := range demoVariants {
			need[v] = true
		}
		return out
	}
	limit := req.KnockoutN
	if limit <= 0 {
		limit = 1000
	}
	is := func(v nncore.Variant) func(nncore.Config) bool {
		return func(c nncore.Config) bool { return c.Variant == v }
	}
	p := store.latest(is(nncore.Plain))
	var d *keptRun
	if p != nil {
		like := func(v nncore.Variant) func(nncore.Config) bool {
			return func(c nncore.Config) bool { return c.Variant == v && sameTraining(c, p.cfg) }
		}
		d = store.latest(like(nncore.Dropout), is(nncore.Dropout), like(nncore.BNDropout), is(nncore.BNDropout))
	} else {
		d = store.latest(is(nncore.Dropout), is(nncore.BNDropout))
	}
	if d != nil && p != nil {
		out.KnockoutLayer, out.KnockoutN = "fc1", test.Limit(limit).N
		for _, r := range []*keptRun{d, p} {
			drops := viz.KnockoutCurve(r.cfg, r.final, test, limit, "fc1")
			k := protocol.DemoKnockout{Label: runLabel(r.id, r.cfg.Variant)}
			for _, v := range drops {
				k.Drops = append(k.Drops, protocol.Num(v))
			}
			out.Knockout = append(out.Knockout, k)
		}
		with := "with dropout"
		if d.cfg.HasBN() {
			with = "with dropout, and with BN: no dropout run without BN was kept"
		}
		out.KnockoutRuns = fmt.Sprintf("Models: %s (%s; %s) and %s (plain: no dropout, no BN; %s).",
			runLabel(d.id, d.cfg.Variant), with, describe(d.cfg), runLabel(p.id, p.cfg.Variant), describe(p.cfg))
	} else {
		missing = append(missing, "the knock-out demo needs a finished run with dropout and a plain one (no dropout, no BN)")
		need[nncore.Dropout], need[nncore.Plain] = d == nil, p == nil
	}
	bnNoDrop := func(c nncore.Config) bool { return c.HasBN() && !c.HasDropout() }
	bnAny := func(c nncore.Config) bool { return c.HasBN() }
	noBN := func(c nncore.Config) bool { return !c.HasBN() }
	if b, nb := store.latest(is(nncore.StandardBN), bnNoDrop, bnAny), store.latest(is(nncore.Plain), noBN); b != nil && nb != nil {
		for _, r := range []*keptRun{nb, b} {
			x, _ := protocol.VizProbe(r.cfg.Preprocess(), test, gapN)
			s := viz.ShiftSeries(runLabel(r.id, r.cfg.Variant), r.cfg, r.states, x, len(x)/mnist.Pixels, "fc1")
			ds := protocol.DemoShift{Label: s.Label, Steps: s.Steps}
			for _, q := range s.Q {
				var v [5]protocol.Num
				for i := range q {
					v[i] = protocol.Num(q[i])
				}
				ds.Q = append(ds.Q, v)
			}
			out.Shift = append(out.Shift, ds)
		}
		out.ShiftRuns = fmt.Sprintf("Runs: %s (without BN; %s) and %s (with BN; %s).",
			runLabel(nb.id, nb.cfg.Variant), describe(nb.cfg), runLabel(b.id, b.cfg.Variant), describe(b.cfg))
	} else {
		missing = append(missing, "the covariate-shift demo needs a finished run with BN and one without")
		if b == nil {
			need[nncore.StandardBN] = true
		}
		if nb == nil {
			need[nncore.Plain] = true
		}
	}
	return out
}
