package lab

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Series is one line of a chart.
type Series struct {
	Name   string
	Class  string // CSS class of the line (colour): "s1", "s2", …
	Points []Point
}

// Chart is a line chart drawn as one inline SVG: axes with ticks and labels, a legend and one
// <path> per series (a chart costs a handful of DOM nodes however many points it has).
type Chart struct {
	Title, XLabel, YLabel string
	Width, Height         int
	Series                []Series
	// YMin/YMax fix the y range when YFixed (e.g. 0..1 for accuracies); else it fits the data.
	YFixed     bool
	YMin, YMax float64
	XMin       float64 // the x axis starts here (0 for epochs)
	YPercent   bool    // label y ticks as percentages
}

const (
	padL, padR, padT, padB = 56, 12, 26, 40
)

// niceStep returns a "nice" tick step (1, 2 or 5 × 10^k) giving about n ticks over span.
func niceStep(span float64, n int) float64 {
	if span <= 0 || math.IsNaN(span) || math.IsInf(span, 0) {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// decimalsFor returns how many decimals tick labels of the given step need.
func decimalsFor(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}

// SVG renders the chart. Non-finite points are skipped (a diverged loss breaks the line there).
func (c Chart) SVG() string {
	w, h := c.Width, c.Height
	if w == 0 {
		w = 480
	}
	if h == 0 {
		h = 240
	}
	xmin, xmax := c.XMin, c.XMin+1
	ymin, ymax := math.Inf(1), math.Inf(-1)
	any := false
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !finite(p.X) || !finite(p.Y) {
				continue
			}
			any = true
			xmax = math.Max(xmax, p.X)
			ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
		}
	}
	if c.YFixed {
		ymin, ymax = c.YMin, c.YMax
	} else if !any {
		ymin, ymax = 0, 1
	} else {
		if ymin > 0 && ymin < 0.5*ymax {
			ymin = 0 // losses: start the axis at zero when the data is not far from it
		}
		if ymax-ymin < 1e-9 {
			ymax = ymin + 1
		}
	}
	ystep := niceStep(ymax-ymin, 5)
	if !c.YFixed {
		ymin = math.Floor(ymin/ystep) * ystep
		ymax = math.Ceil(ymax/ystep) * ystep
	}
	xstep := niceStep(xmax-xmin, 6)
	if xstep < 1 && xmax-xmin >= 1 {
		xstep = 1
	}
	pw, ph := float64(w-padL-padR), float64(h-padT-padB)
	sx := func(x float64) float64 { return padL + (x-xmin)/(xmax-xmin)*pw }
	sy := func(y float64) float64 { return padT + (1-(y-ymin)/(ymax-ymin))*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, w, h, w, h, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text class="title" x="%d" y="16">%s</text>`, padL, html.EscapeString(c.Title))
	// Grid and y ticks.
	yd := decimalsFor(ystep)
	for i := 0; ; i++ {
		y := ymin + float64(i)*ystep
		if y > ymax+ystep*1e-6 {
			break
		}
		py := sy(y)
		label := Fixed(y, yd)
		if c.YPercent {
			label = Fixed(y*100, max(0, yd-2)) + "%"
		}
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%s" y1="%s" y2="%s"/>`, padL, f1(padL+pw), f1(py), f1(py))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%s" text-anchor="end">%s</text>`, padL-6, f1(py+4), label)
	}
	// X ticks.
	xd := decimalsFor(xstep)
	for i := 0; ; i++ {
		x := xmin + float64(i)*xstep
		if x > xmax+xstep*1e-6 {
			break
		}
		px := sx(x)
		fmt.Fprintf(&b, `<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, f1(px), f1(px), f1(padT+ph), f1(padT+ph+4))
		fmt.Fprintf(&b, `<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, f1(px), f1(padT+ph+16), Fixed(x, xd))
	}
	// Axes and labels.
	fmt.Fprintf(&b, `<path class="axis" d="M%d %dV%sH%s"/>`, padL, padT, f1(padT+ph), f1(padL+pw))
	fmt.Fprintf(&b, `<text class="label" x="%s" y="%d" text-anchor="middle">%s</text>`, f1(padL+pw/2), h-6, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text class="label" transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, f1(padT+ph/2), html.EscapeString(c.YLabel))
	// Series: one path each; single points get a dot so a one-epoch run still shows.
	for i, s := range c.Series {
		var d strings.Builder
		pen := false
		n := 0
		for _, p := range s.Points {
			if !finite(p.X) || !finite(p.Y) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			pen = true
			n++
			fmt.Fprintf(&d, "%s%s %s", cmd, f1(sx(p.X)), f1(sy(math.Max(ymin, math.Min(ymax, p.Y)))))
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line %s" d="%s"/>`, s.Class, d.String())
		}
		if n == 1 {
			for _, p := range s.Points {
				if finite(p.X) && finite(p.Y) {
					fmt.Fprintf(&b, `<circle class="dot %s" cx="%s" cy="%s" r="3"/>`, s.Class, f1(sx(p.X)), f1(sy(p.Y)))
				}
			}
		}
		// Legend, top right.
		lx := padL + pw - 110
		ly := padT + 4 + float64(i)*16
		fmt.Fprintf(&b, `<path class="line %s" d="M%s %sh18"/><text class="legend" x="%s" y="%s">%s</text>`, s.Class, f1(lx), f1(ly+6), f1(lx+22), f1(ly+10), html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// f1 formats a coordinate with one decimal, without trailing zeros.
func f1(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// LossChart is the per-batch training loss of a run.
func (r *Run) LossChart() string {
	return Chart{Title: "Training loss per batch", XLabel: "epoch", YLabel: "loss",
		Series: []Series{{Name: "batch loss", Class: "s1", Points: r.Losses}}}.SVG()
}

// EpochCharts are the per-epoch loss and accuracy charts (train and test).
func (r *Run) EpochCharts() (loss, acc string) {
	var trL, teL, trA, teA []Point
	for _, e := range r.Epochs {
		x := float64(e.Epoch)
		trL = append(trL, Point{x, float64(e.TrainLoss)})
		teL = append(teL, Point{x, float64(e.TestLoss)})
		trA = append(trA, Point{x, float64(e.TrainAcc)})
		teA = append(teA, Point{x, float64(e.TestAcc)})
	}
	loss = Chart{Title: "Loss per epoch", XLabel: "epoch", YLabel: "loss", XMin: 0,
		Series: []Series{{Name: "train", Class: "s1", Points: trL}, {Name: "test", Class: "s2", Points: teL}}}.SVG()
	lo := 1.0
	for _, p := range append(trA, teA...) {
		if finite(p.Y) {
			lo = math.Min(lo, p.Y)
		}
	}
	ymin := math.Max(0, math.Floor(lo*10)/10)
	if ymin >= 1 {
		ymin = 0.9
	}
	acc = Chart{Title: "Accuracy per epoch", XLabel: "epoch", YLabel: "accuracy", XMin: 0, YFixed: true, YMin: ymin, YMax: 1, YPercent: true,
		Series: []Series{{Name: "train", Class: "s1", Points: trA}, {Name: "test", Class: "s2", Points: teA}}}.SVG()
	return loss, acc
}
