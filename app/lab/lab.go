package lab

import (
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/vugu/vugu"
)

// Lab is the Lab page: the run form, progress, curves, the epoch table, the BN tables and the
// results of finished runs. All state and logic live in Ctl (plain Go); this only presents it.
type Lab struct {
	Ctl *Controller
}

func (c *Lab) m() *Model { return c.Ctl.Model }

func (c *Lab) run() *Run { return c.Ctl.Model.Run }

func (c *Lab) field(p string) string { return c.Ctl.Model.Form.Get(p) }

func (c *Lab) set(p string, e vugu.DOMEvent) { c.Ctl.SetField(p, e.PropString("target", "value")) }

func (c *Lab) variants() []nncore.Variant { return nncore.Variants }

func (c *Lab) variantLabel(v nncore.Variant) string { return string(v) + " — " + VariantInfo[v] }

func (c *Lab) showDropout() bool { return HasDropout(c.field("variant")) }

func (c *Lab) backend() string {
	if r := c.run(); r != nil {
		return r.Backend
	}
	return ""
}

func (c *Lab) backendReason() string {
	if r := c.run(); r != nil && r.BackendReason != "" {
		return "(" + r.BackendReason + ")"
	}
	return ""
}

func (c *Lab) canPause() bool  { return c.run() != nil && c.run().Status == StatusTraining }
func (c *Lab) canResume() bool { return c.run() != nil && c.run().Status == StatusPaused }

func (c *Lab) firstStep() string {
	r := c.run()
	if r == nil || r.FirstStep == 0 {
		return ""
	}
	return "first training step " + Duration(r.FirstStep.Seconds()) + " after Start"
}

func (c *Lab) lossChart() vugu.HTML { return vugu.HTML(c.run().LossChart()) }

func (c *Lab) epochLossChart() vugu.HTML {
	l, _ := c.run().EpochCharts()
	return vugu.HTML(l)
}

func (c *Lab) epochAccChart() vugu.HTML {
	_, a := c.run().EpochCharts()
	return vugu.HTML(a)
}

func (c *Lab) bnTables() vugu.HTML {
	r := c.run()
	if r == nil || r.Snapshot == nil {
		return ""
	}
	return vugu.HTML(BNTablesHTML(r.Snapshot))
}

func (c *Lab) showBN() bool {
	r := c.run()
	return r != nil && r.Snapshot != nil && len(r.Snapshot.BN) > 0
}

func (c *Lab) epochs() []protocol.Epoch { return c.run().Epochs }

func (c *Lab) fixed(n protocol.Num, d int) string { return Fixed(float64(n), d) }
func (c *Lab) pct(n protocol.Num) string          { return Percent(float64(n)) }
func (c *Lab) plain(n protocol.Num) string        { return Plain(float64(n)) }
func (c *Lab) dur(n protocol.Num) string          { return Duration(float64(n)) }

func (c *Lab) results() []Result { return c.Ctl.Model.Results }

// resultSettings summarizes a run's settings for the results table.
func (c *Lab) resultSettings(r Result) string {
	s := r.Settings
	out := s.Epochs + " ep · batch " + s.Batch + " · lr " + s.LR + " · " + s.Input + " · " + s.TrainLimit + "/" + s.TestLimit + " images"
	if HasDropout(s.Variant) {
		out += " · input dropout " + s.InputDropout
	}
	return out
}

func (c *Lab) resultNum(r Result, which string) string {
	if r.Final == nil {
		return "–"
	}
	switch which {
	case "train-loss":
		return Fixed(float64(r.Final.TrainLoss), 4)
	case "train-acc":
		return Percent(float64(r.Final.TrainAcc))
	case "test-loss":
		return Fixed(float64(r.Final.TestLoss), 4)
	case "test-acc":
		return Percent(float64(r.Final.TestAcc))
	}
	return ""
}

func (c *Lab) resultAttr(r Result, which string) string {
	if r.Final == nil {
		return ""
	}
	switch which {
	case "test-acc":
		return Plain(float64(r.Final.TestAcc))
	case "train-acc":
		return Plain(float64(r.Final.TrainAcc))
	}
	return ""
}

func (c *Lab) resultNote(r Result) string {
	if r.Stopped {
		return "stopped early"
	}
	return ""
}

func (c *Lab) loadingPct() string { return Fixed(c.run().LoadingFrac()*100, 0) }

func (c *Lab) trainFrac() string {
	f, _ := c.run().Progress()
	return Plain(f)
}

func (c *Lab) resultTime(r Result) string { return Duration(r.Seconds) }
