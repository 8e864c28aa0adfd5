package lab

import (
	"fmt"
	"math"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/vugu/vugu"
)

// The Lab page's network view, BN panels and "Run the lab" section (presentation only).

func (c *Lab) quick() bool { return c.field("quick") == "1" }

func (c *Lab) setQuick(e vugu.DOMEvent) {
	v := ""
	if e.PropBool("target", "checked") {
		v = "1"
	}
	c.Ctl.SetField("quick", v)
}

func (c *Lab) labPlan() string {
	plan, err := c.m().Form.LabPlan()
	if err != nil {
		return ""
	}
	seeds, _ := c.m().Form.LabSeeds()
	return PlanText(plan, seeds)
}

func (c *Lab) vizToggleText() string {
	if c.m().VizShown {
		return "Hide network view"
	}
	return "Show network view"
}

func (c *Lab) toggleViz() { c.Ctl.ShowViz(!c.m().VizShown) }

// liveBN is the BN part of the latest snapshot (BNStats), epochBN that of the latest epoch (violins).
func (c *Lab) liveBN() []nncore.BNSnapshot {
	if r := c.run(); r != nil && r.Snapshot != nil {
		return r.Snapshot.BN
	}
	return nil
}

func (c *Lab) epochBN() []nncore.BNSnapshot { return c.run().EpochBN }

func (c *Lab) showViolins() bool {
	r := c.run()
	return r != nil && HasBN(r.Settings.Variant) && r.EpochBN != nil
}

func (c *Lab) hasBN0() bool {
	return c.run() != nil && c.run().Settings.Variant == string(nncore.BNInput)
}

func (c *Lab) gap() *protocol.ModeGap {
	if r := c.run(); r != nil && len(r.ModeGaps) > 0 {
		return &r.ModeGaps[len(r.ModeGaps)-1]
	}
	return nil
}

// GapText describes one train-mode vs eval-mode measurement.
func GapText(g protocol.ModeGap) string {
	d := 100 * float64(g.TrainAcc-g.EvalAcc)
	return fmt.Sprintf("At step %s (epoch %s), on the first %s test images: %s in training mode (BN normalizes with the batch's own statistics) "+
		"vs %s in evaluation mode (BN uses its running averages): a gap of %s points.",
		Thousands(g.Step), Thousands(int64(g.Epoch)), Thousands(int64(g.N)), Percent(float64(g.TrainAcc)), Percent(float64(g.EvalAcc)), Fixed(d, 1))
}

func (c *Lab) gapText() string { return GapText(*c.gap()) }

func (c *Lab) gapFirst() string {
	r := c.run()
	if len(r.ModeGaps) < 2 {
		return ""
	}
	g := r.ModeGaps[0]
	return fmt.Sprintf("First measurement, step %s: %s vs %s (gap %s points).", Thousands(g.Step), Percent(float64(g.TrainAcc)),
		Percent(float64(g.EvalAcc)), Fixed(100*float64(g.TrainAcc-g.EvalAcc), 1))
}

func (c *Lab) gapChart() vugu.HTML {
	var tr, ev []Point
	for _, g := range c.run().ModeGaps {
		tr = append(tr, Point{float64(g.Step), float64(g.TrainAcc)})
		ev = append(ev, Point{float64(g.Step), float64(g.EvalAcc)})
	}
	return vugu.HTML(Chart{Title: "Accuracy in training vs evaluation mode", XLabel: "step", YLabel: "accuracy", YFixed: true, YMin: 0, YMax: 1, YPercent: true,
		Series: []Series{{Name: "training mode", Class: "s1", Points: tr}, {Name: "evaluation mode", Class: "s2", Points: ev}}}.SVG())
}

// The "Run the lab" section.

func (c *Lab) series() *RunSeries {
	if s := c.m().Series; s != nil && s.Kind == SeriesLab {
		return s
	}
	return nil
}

func (c *Lab) seriesText() string {
	s := c.series()
	done := s.Done(c.results())
	t := fmt.Sprintf("%s of %s runs finished (%s).", Thousands(int64(done)), Thousands(int64(len(s.Plan))), PlanText(s.Plan, s.Seeds))
	if !s.Ended && done < len(s.Plan) && s.Next > 0 {
		p := s.Plan[s.Next-1]
		t += " Now training " + p.Variant + " with seed " + p.Seed + "."
	}
	if s.Stopped != "" {
		t += " The series ended early: " + s.Stopped + "."
	}
	return t
}

func (c *Lab) compareRows() []CompareRow { return Compare(c.series(), c.results()) }

func (c *Lab) answers() []Answer { return Answers(c.compareRows()) }

func (c *Lab) multiSeed() bool { s := c.series(); return s != nil && s.Seeds > 1 }

// statCell shows a mean (as a percentage or with 4 decimals) and, over several seeds, ± its SD.
func (c *Lab) statCell(s Stat, pct bool) string {
	f := func(v float64) string {
		if pct {
			return Fixed(100*v, 2)
		}
		return Fixed(v, 4)
	}
	out := f(s.Mean)
	if s.N > 1 && !math.IsNaN(s.SD) {
		out += " ± " + f(s.SD)
	}
	if pct {
		out += " %"
	}
	return out
}

func (c *Lab) statAttr(s Stat) string { return Plain(s.Mean) }

// seriesClass colours each lab variant's curves.
func seriesClass(v string) string {
	for i, x := range nncore.LabVariants {
		if string(x) == v {
			return fmt.Sprintf("s%d", i+1)
		}
	}
	return "s1"
}

// compareCharts overlays the variants: test accuracy per epoch (mean over seeds) and the training
// loss per batch (first seed).
func (c *Lab) compareCharts() (acc, loss vugu.HTML) {
	var accS, lossS []Series
	lo := 1.0
	for _, row := range c.compareRows() {
		var pts []Point
		for e := 0; ; e++ {
			sum, n := 0.0, 0
			for _, r := range row.Results {
				if e < len(r.Epochs) {
					sum += float64(r.Epochs[e].TestAcc)
					n++
				}
			}
			if n == 0 {
				break
			}
			pts = append(pts, Point{float64(e + 1), sum / float64(n)})
			if finite(sum / float64(n)) {
				lo = math.Min(lo, sum/float64(n))
			}
		}
		accS = append(accS, Series{Name: row.Variant, Class: seriesClass(row.Variant), Points: pts})
		lossS = append(lossS, Series{Name: row.Variant, Class: seriesClass(row.Variant), Points: row.Results[0].Losses})
	}
	ymin := math.Max(0, math.Floor(lo*10)/10)
	if ymin >= 1 {
		ymin = 0.9
	}
	acc = vugu.HTML(Chart{Title: "Test accuracy per epoch (mean over seeds)", XLabel: "epoch", YLabel: "accuracy", YFixed: true, YMin: ymin, YMax: 1, YPercent: true, Series: accS}.SVG())
	loss = vugu.HTML(Chart{Title: "Training loss per batch (first seed)", XLabel: "epoch", YLabel: "loss", Series: lossS}.SVG())
	return acc, loss
}

func (c *Lab) compareAcc() vugu.HTML  { a, _ := c.compareCharts(); return a }
func (c *Lab) compareLoss() vugu.HTML { _, l := c.compareCharts(); return l }
