package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/lenetlab/lenetlab/viz"
)

// vizHub is the worker's end of the channel to the viz iframe. The page opens it (a MessagePort
// arrives with a viz-port command) when the network view is shown and closes it when it is hidden;
// while it is closed the runner builds no frames, so a hidden view costs nothing.
type vizHub struct {
	mu     sync.Mutex
	send   func([]byte) // nil: closed
	models [][]byte     // VizModel text of the kept runs, oldest first, replayed to a new port
}

// maxModels bounds the models kept for the draw pad.
const maxModels = 12

func (h *vizHub) open(send func([]byte)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.send = send
	if send != nil {
		for _, m := range h.models {
			send(m)
		}
	}
}

func (h *vizHub) isOpen() bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.send != nil
}

func (h *vizHub) frame(b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.send != nil {
		h.send(b)
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

// demo computes the Concepts page's demos from the kept runs; test is the test set.
func demo(store *runStore, test *mnist.Set, req protocol.DemoRequest) *protocol.DemoData {
	out := &protocol.DemoData{}
	var missing []string
	if test == nil {
		out.Note = "No run has loaded MNIST yet: train a model in the Lab first, or run the demo runs."
		return out
	}
	limit := req.KnockoutN
	if limit <= 0 {
		limit = 1000
	}
	noDrop := func(c nncore.Config) bool { return !c.HasDropout() }
	withDrop := func(c nncore.Config) bool { return c.HasDropout() }
	plain := func(c nncore.Config) bool { return c.Variant == nncore.Plain }
	if d, p := store.latest(withDrop), store.latest(plain, noDrop); d != nil && p != nil {
		out.KnockoutLayer, out.KnockoutN = "fc1", test.Limit(limit).N
		for _, r := range []*keptRun{d, p} {
			drops := viz.KnockoutCurve(r.cfg, r.final, test, limit, "fc1")
			k := protocol.DemoKnockout{Label: runLabel(r.id, r.cfg.Variant)}
			for _, v := range drops {
				k.Drops = append(k.Drops, protocol.Num(v))
			}
			out.Knockout = append(out.Knockout, k)
		}
	} else {
		missing = append(missing, "the knock-out demo needs a finished run with dropout and one without")
	}
	bnNoDrop := func(c nncore.Config) bool { return c.HasBN() && !c.HasDropout() }
	bnAny := func(c nncore.Config) bool { return c.HasBN() }
	noBN := func(c nncore.Config) bool { return !c.HasBN() }
	if b, p := store.latest(bnNoDrop, bnAny), store.latest(plain, noBN); b != nil && p != nil {
		for _, r := range []*keptRun{p, b} {
			x, _ := protocol.VizProbe(r.cfg.Preprocess(), test, gapN)
			s := viz.ShiftSeries(runLabel(r.id, r.cfg.Variant), r.cfg, r.states, x, len(x)/mnist.Pixels, "fc1")
			d := protocol.DemoShift{Label: s.Label, Steps: s.Steps}
			for _, q := range s.Q {
				var v [5]protocol.Num
				for i := range q {
					v[i] = protocol.Num(q[i])
				}
				d.Q = append(d.Q, v)
			}
			out.Shift = append(out.Shift, d)
		}
	} else {
		missing = append(missing, "the covariate-shift demo needs a finished run with BN and one without")
	}
	if len(missing) > 0 {
		out.Note = strings.ToUpper(missing[0][:1]) + strings.Join(missing, "; ")[1:] + "."
	}
	return out
}
