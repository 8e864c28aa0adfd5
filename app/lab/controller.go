package lab

import (
	"net/url"
	"slices"
	"strings"

	"github.com/lenetlab/lenetlab/app/vizui"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/lenetlab/lenetlab/viz"
)

// Controller connects the Lab page's Model to the training worker and to the page URL. The page's
// event handlers call its methods with the render lock held; worker events reach Model.Apply the
// same way (see app/bridge).
type Controller struct {
	Model *Model
	// Send posts a command to the worker.
	Send func(protocol.Message)
	// OnSettings is called with the form as URL query parameters whenever a field changes, so the
	// address bar always holds a link that reproduces the form.
	OnSettings func(url.Values)
	// DataURL is where the worker fetches the MNIST files (relative to the worker script).
	DataURL string
	// Demo is the Concepts page's demo data; the worker computes it (KindDemo) from its runs.
	Demo *vizui.Demo
	// demoAt is how many results there were at the last demo request (-1: none yet).
	demoAt     int
	nextSeries int
}

// DemoVariants are the quick runs the Concepts page's demos use, in the order they are trained.
var DemoVariants = []string{"plain", "dropout", "standard-bn"}

// NewController returns a controller for m with its Concepts demo (which, before any run, misses
// all its runs).
func NewController(m *Model, dataURL string) *Controller {
	c := &Controller{Model: m, DataURL: dataURL, Demo: &vizui.Demo{Missing: slices.Clone(DemoVariants)}, demoAt: -1}
	c.Demo.OnRun = c.RunDemos
	return c
}

// Apply takes one worker event: the model's, then what follows from it: the next run of a series,
// the demos after the demo runs.
func (c *Controller) Apply(msg protocol.Message) {
	if msg.Kind == protocol.KindDemoData {
		c.applyDemo(msg.DemoData)
		return
	}
	c.Model.Apply(msg)
	s := c.Model.Series
	if s == nil || c.Model.Run == nil || msg.Run != c.Model.Run.ID || !inSeries(s, msg.Run) ||
		(msg.Kind != protocol.KindError && msg.Kind != protocol.KindFinished) {
		return
	}
	switch {
	case s.Ended: // stopped from the page
	case msg.Kind == protocol.KindError:
		s.Ended, s.Stopped = true, "run "+Thousands(int64(msg.Run))+" failed"
	case msg.Finished.Stopped:
		s.Ended, s.Stopped = true, "stopped"
	default:
		c.startNext()
		return
	}
	if s.Kind == SeriesDemo { // cut short: the worker says what the demos still miss
		c.RequestDemo()
	}
}

// RunLab starts "Run the lab": the four lab variants with the form's settings, seeds and quick mode.
func (c *Controller) RunLab() { c.startSeries(SeriesLab) }

// RunDemos starts the quick runs the Concepts page's demos miss (Demo.Missing, of plain, dropout
// and standard-bn; QuickTrain images, 2 epochs); the demos are computed when they are done. The
// runs that are already there are not trained again.
func (c *Controller) RunDemos() { c.startSeries(SeriesDemo) }

func (c *Controller) startSeries(kind string) {
	m := c.Model
	if m.Busy() {
		if kind == SeriesDemo {
			c.Demo.Status = "A run is in progress in the Lab: wait for it to end (or stop it), then run the demos."
		}
		return
	}
	var plan []Settings
	seeds := 1
	if kind == SeriesLab {
		var err error
		if plan, err = m.Form.LabPlan(); err != nil {
			m.FormErr = err.Error()
			return
		}
		seeds, _ = m.Form.LabSeeds()
	} else {
		base := DefaultSettings()
		base.TrainLimit, base.TestLimit, base.Epochs = Thousands(QuickTrain), Thousands(QuickTest), "2"
		var names []string
		for _, v := range DemoVariants {
			if slices.Contains(c.Demo.Missing, v) {
				r := base
				r.Variant = v
				plan = append(plan, r)
				names = append(names, v)
			}
		}
		if len(plan) == 0 {
			return
		}
		c.Demo.Missing = nil // (until the worker has computed the demos)
		c.Demo.Status = "Training the demo models: " + strings.Join(names, ", ") + " (quick runs, one after the other)…"
	}
	c.nextSeries++
	m.Series = &RunSeries{ID: c.nextSeries, Kind: kind, Plan: plan, Seeds: seeds}
	c.startNext()
}

func (c *Controller) startNext() {
	s := c.Model.Series
	if s.Next >= len(s.Plan) {
		s.Ended = true
		if s.Kind == SeriesDemo {
			c.RequestDemo()
		}
		return
	}
	msg, ok := c.Model.StartWith(s.Plan[s.Next], c.DataURL)
	if !ok {
		s.Ended, s.Stopped = true, c.Model.FormErr
		return
	}
	s.Next++
	s.Runs = append(s.Runs, msg.Run)
	if s.Kind == SeriesDemo {
		c.Demo.Status = "Training the demo models: run " + Thousands(int64(s.Next)) + " of " + Thousands(int64(len(s.Plan))) + " (" + s.Plan[s.Next-1].Variant + ")…"
	}
	c.send(msg)
}

// RequestDemo asks the worker to compute the demos from the runs it keeps. Until it answers, the
// page does not know which runs are missing and offers none.
func (c *Controller) RequestDemo() {
	c.demoAt = len(c.Model.Results)
	if c.Demo != nil {
		c.Demo.Status = "Computing the demos in the training worker…"
		c.Demo.Missing = nil
	}
	c.send(protocol.Message{Kind: protocol.KindDemo, Demo: &protocol.DemoRequest{KnockoutN: 1000}})
}

// EnterConcepts is called when the Concepts page is shown: it asks for the demos when runs have
// finished since the last request and no run is in progress.
func (c *Controller) EnterConcepts() {
	if c.Demo == nil || c.Model.Busy() || len(c.Model.Results) == 0 || len(c.Model.Results) == c.demoAt {
		return
	}
	c.RequestDemo()
}

func (c *Controller) applyDemo(d *protocol.DemoData) {
	if c.Demo == nil {
		return
	}
	var ks []viz.KnockoutSeries
	for _, k := range d.Knockout {
		drops := make([]float64, len(k.Drops))
		for i, v := range k.Drops {
			drops[i] = float64(v)
		}
		ks = append(ks, viz.KnockoutSeries{Label: k.Label, Drops: drops})
	}
	c.Demo.SetKnockout(ks, d.KnockoutLayer, d.KnockoutN)
	var bs []viz.BandSeries
	for _, s := range d.Shift {
		b := viz.BandSeries{Label: s.Label, Steps: s.Steps}
		for _, q := range s.Q {
			var v [5]float64
			for i := range q {
				v[i] = float64(q[i])
			}
			b.Q = append(b.Q, v)
		}
		bs = append(bs, b)
	}
	c.Demo.SetShift(bs)
	c.Demo.KnockoutRuns, c.Demo.ShiftRuns = d.KnockoutRuns, d.ShiftRuns
	c.Demo.Status, c.Demo.Missing = d.Note, d.Missing
}

// ShowViz shows or hides the network view (the page wires the iframe's port; see wasm/ui).
func (c *Controller) ShowViz(on bool) { c.Model.VizShown = on }

// SetField sets one form field (named by its URL parameter) and updates the URL.
func (c *Controller) SetField(param, value string) {
	if c.Model.Form.Get(param) == value {
		return
	}
	c.Model.Form.Set(param, value)
	c.Model.FormErr = ""
	if c.OnSettings != nil {
		c.OnSettings(c.Model.Form.Query())
	}
}

// Start begins a run with the form's settings (or shows why it cannot).
func (c *Controller) Start() {
	if msg, ok := c.Model.Start(c.DataURL); ok {
		c.send(msg)
	}
}

// Pause, Resume and Stop control the current run.
func (c *Controller) Pause()  { c.command(protocol.KindPause) }
func (c *Controller) Resume() { c.command(protocol.KindResume) }
func (c *Controller) Stop() {
	if s := c.Model.Series; s != nil && !s.Ended {
		s.Ended, s.Stopped = true, "stopped"
	}
	c.command(protocol.KindStop)
}

func (c *Controller) command(k protocol.Kind) {
	if msg, ok := c.Model.Command(k); ok {
		c.send(msg)
	}
}

func (c *Controller) send(msg protocol.Message) {
	if c.Send == nil {
		c.Model.Fail("the training worker is not running")
		return
	}
	c.Send(msg)
}
