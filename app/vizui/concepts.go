package vizui

import (
	"fmt"
	"html"
	"strings"

	"github.com/vugu/vugu"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/viz"
)

// Concepts is the Concepts page (root data-testid="concepts"): why dropout and batch normalization
// do what they do, with two live demos fed through Demo.
//
// Mount: <vizui:Concepts :Demo="c.Demo"></vizui:Concepts> with Demo a *vizui.Demo that the page's
// owner keeps (vugu copies props on every render, so the demo's data lives there, not in the
// component). Without data the demos say what they need.
type Concepts struct {
	Demo *Demo
}

// Demo holds the Concepts page's demo data. Fill it with the Set… methods (precomputed, e.g. in the
// trainer worker) or the Run… methods (computed here, synchronously: call them from a goroutine and
// wrap the update in EventEnv().Lock() … UnlockRender()).
type Demo struct {
	// Co-adaptation: accuracy drop per knocked-out hidden unit, one series per model.
	Knockout      []viz.KnockoutSeries
	KnockoutLayer string // the layer whose units were knocked out, "fc1"
	KnockoutN     int    // test images the accuracy was measured on
	KnockoutRuns  string // which runs the knockout curves come from, shown under the chart
	// Internal covariate shift: quantile bands of the fc1 pre-activation over training, per run.
	Shift     []viz.BandSeries
	ShiftRuns string // which runs the bands come from
	// Status is shown above the demos (e.g. "training the demo models: 40%").
	Status string
	// Missing names the variants whose quick runs the demos still need ("plain", "dropout",
	// "standard-bn"). While it is not empty and OnRun is set, a "run-demos" button offers to train them.
	Missing []string
	// OnRun trains the Missing runs and then computes the demos.
	OnRun func()
}

// DemoRun is a trained model for the co-adaptation demo.
type DemoRun struct {
	Label  string // e.g. "dropout" and "plain"
	Config nncore.Config
	State  *nncore.State
}

// ShiftRun is one training run's snapshots for the internal-covariate-shift demo: its states at
// several steps (State.Step says which), oldest first.
type ShiftRun struct {
	Label  string // e.g. "plain (no BN)" and "standard-bn"
	Config nncore.Config
	States []*nncore.State
}

// SeriesColors colour the demos' series in order.
var SeriesColors = []string{"#d07030", "#4a78b0", "#3a9a5a", "#9a4ab0"}

// SetKnockout shows precomputed knockout curves (viz.KnockoutCurve per model) of layer over n test
// images.
func (d *Demo) SetKnockout(series []viz.KnockoutSeries, layer string, n int) {
	for i := range series {
		if series[i].Color == "" {
			series[i].Color = SeriesColors[i%len(SeriesColors)]
		}
	}
	d.Knockout, d.KnockoutLayer, d.KnockoutN = series, layer, n
}

// RunKnockout computes the co-adaptation demo: for each model, the test-accuracy drop when each fc1
// unit is knocked out, over the first limit images of test (0 = all; 1,000 takes about a second of
// CPU per model in the browser).
func (d *Demo) RunKnockout(runs []DemoRun, test *mnist.Set, limit int) {
	series := make([]viz.KnockoutSeries, len(runs))
	for i, r := range runs {
		series[i] = viz.KnockoutSeries{Label: r.Label, Drops: viz.KnockoutCurve(r.Config, r.State, test, limit, "fc1")}
	}
	d.SetKnockout(series, "fc1", test.Limit(limit).N)
}

// SetShift shows precomputed quantile bands (viz.ShiftSeries per run).
func (d *Demo) SetShift(series []viz.BandSeries) { d.Shift = series }

// RunShift computes the internal-covariate-shift demo: for each run, the 5/25/50/75/95 % quantiles of
// fc1's output (before BN and ReLU) over the probe batch x (n preprocessed images) at every snapshot.
func (d *Demo) RunShift(runs []ShiftRun, x []float32, n int) {
	series := make([]viz.BandSeries, len(runs))
	for i, r := range runs {
		series[i] = viz.ShiftSeries(r.Label, r.Config, r.States, x, n, "fc1")
	}
	d.SetShift(series)
}

func (c *Concepts) demo() *Demo {
	if c.Demo == nil {
		return &Demo{}
	}
	return c.Demo
}

func (c *Concepts) run() {
	if c.Demo != nil && c.Demo.OnRun != nil {
		c.Demo.OnRun()
	}
}

// showRun says whether to offer the demo runs: only when runs the demos need are missing.
func (c *Concepts) showRun() bool { d := c.demo(); return d.OnRun != nil && len(d.Missing) > 0 }

func (c *Concepts) missingAttr() string { return strings.Join(c.demo().Missing, " ") }

// runText is the button's text, e.g. "Run the demos: train plain, dropout and standard-bn" or
// "Train the missing run: plain".
func (c *Concepts) runText() string { return RunDemosText(c.demo().Missing) }

// RunDemosText is the demo button's text for the missing variants.
func RunDemosText(missing []string) string {
	list := missing
	if len(list) > 1 {
		list = []string{strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1]}
	}
	names := strings.Join(list, " and ")
	switch len(missing) {
	case 0:
		return ""
	case 1:
		return "Train the missing run: " + names
	case 3:
		return "Run the demos: train " + names
	}
	return "Train the missing runs: " + names
}

func (c *Concepts) knockoutChart() vugu.HTML { return vugu.HTML(viz.KnockoutSVG(c.demo().Knockout)) }

func (c *Concepts) knockoutTable() vugu.HTML { return vugu.HTML(KnockoutTable(c.demo().Knockout)) }

func (c *Concepts) knockoutCaption() string {
	d := c.demo()
	return fmt.Sprintf("Each line is one model: for every hidden unit of %s, how many percentage points of test accuracy "+
		"(on %s test images) are lost when that unit alone is removed, units sorted from the most to the least important.",
		d.KnockoutLayer, viz.FormatInt(int64(d.KnockoutN)))
}

// shiftCharts returns one chart per run.
func (c *Concepts) shiftCharts() []vugu.HTML {
	var out []vugu.HTML
	for _, s := range c.demo().Shift {
		out = append(out, vugu.HTML(viz.BandsSVG(s)))
	}
	return out
}

func (c *Concepts) shiftTable() vugu.HTML { return vugu.HTML(ShiftTable(c.demo().Shift)) }

// KnockoutStats summarizes a knockout curve: mean and largest drop in percentage points and how many
// units cost at least half a point each.
func KnockoutStats(drops []float64) (meanPP, maxPP float64, costly int) {
	if len(drops) == 0 {
		return 0, 0, 0
	}
	for _, d := range drops {
		meanPP += 100 * d
		maxPP = max(maxPP, 100*d)
		if 100*d >= 0.5 {
			costly++
		}
	}
	return meanPP / float64(len(drops)), maxPP, costly
}

// KnockoutTable renders a summary row per model and, in <details>, every unit's drop.
func KnockoutTable(series []viz.KnockoutSeries) string {
	if len(series) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<table class="num" data-testid="knockout-summary"><thead><tr><th>model</th><th>units</th><th>mean drop</th><th>largest drop</th><th>units costing ≥ 0.5 pp</th></tr></thead><tbody>`)
	for _, s := range series {
		mean, top, costly := KnockoutStats(s.Drops)
		fmt.Fprintf(&b, `<tr data-model="%s"><td>%s</td><td>%s</td><td>%s pp</td><td>%s pp</td><td>%s</td></tr>`,
			html.EscapeString(s.Label), html.EscapeString(s.Label), viz.FormatInt(int64(len(s.Drops))),
			viz.FormatFloat(mean, 3), viz.FormatFloat(top, 2), viz.FormatInt(int64(costly)))
	}
	b.WriteString(`</tbody></table><details><summary>Drop per unit (percentage points)</summary><table class="num" data-testid="knockout-values"><thead><tr><th>unit</th>`)
	n := 0
	for _, s := range series {
		fmt.Fprintf(&b, `<th>%s</th>`, html.EscapeString(s.Label))
		n = max(n, len(s.Drops))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for u := range n {
		fmt.Fprintf(&b, `<tr><td>%s</td>`, viz.FormatInt(int64(u)))
		for _, s := range series {
			v := "–"
			if u < len(s.Drops) {
				v = viz.FormatFloat(100*s.Drops[u], 2)
			}
			fmt.Fprintf(&b, `<td>%s</td>`, v)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></details>`)
	return b.String()
}

// ShiftTable renders every run's quantiles per snapshot, for the <details> under the charts.
func ShiftTable(series []viz.BandSeries) string {
	var b strings.Builder
	for _, s := range series {
		fmt.Fprintf(&b, `<table class="num" data-testid="shift-values" data-run="%s"><caption>%s</caption><thead><tr><th>step</th><th>5 %%</th><th>25 %%</th><th>median</th><th>75 %%</th><th>95 %%</th></tr></thead><tbody>`,
			html.EscapeString(s.Label), html.EscapeString(s.Label))
		for i, st := range s.Steps {
			fmt.Fprintf(&b, `<tr><td>%s</td>`, viz.FormatInt(st))
			for _, q := range s.Q[i] {
				fmt.Fprintf(&b, `<td>%s</td>`, viz.FormatSig(q, 3))
			}
			b.WriteString(`</tr>`)
		}
		b.WriteString(`</tbody></table>`)
	}
	return b.String()
}
