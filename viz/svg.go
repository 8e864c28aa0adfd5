package viz

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
)

// SVG charts for the Lab and Concepts pages. Each function returns one self-contained <svg>
// element; the vugu components embed it with vg-content and wrap it in the element that carries the
// test ids. Coordinates are in user units of the viewBox, so the charts scale with CSS width.

// Plural formats n with thousands separators and the singular or plural noun.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return FormatInt(int64(n)) + " " + many
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

type svgBuf struct{ strings.Builder }

func (b *svgBuf) f(format string, a ...any) { fmt.Fprintf(&b.Builder, format, a...) }

func (b *svgBuf) text(x, y float64, anchor, class, s string) {
	b.f(`<text x="%s" y="%s" text-anchor="%s" class="%s">%s</text>`, num(x), num(y), anchor, class, html.EscapeString(s))
}

func openSVG(b *svgBuf, w, h int, label string) {
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-size="11" font-family="sans-serif">`,
		w, h, w, h, html.EscapeString(label))
}

// Violin is one violin's geometry: the KDE evaluated on Grid (values) with bandwidth H.
type Violin struct {
	Values  []float64
	H       float64
	Grid    []float64
	Density []float64
	Summary Summary
}

// NewViolin estimates the density of values (Gaussian KDE, Silverman bandwidth) on 64 points
// spanning the data and three bandwidths beyond it. values must not be empty.
func NewViolin(values []float64) Violin {
	h := Silverman(values)
	s := Summarize(values)
	grid := Linspace(s.Min-3*h, s.Max+3*h, 64)
	return Violin{Values: values, H: h, Grid: grid, Density: KDE(values, h, grid), Summary: s}
}

// Violin plot size.
const (
	ViolinW = 300
	ViolinH = 210
)

// ViolinSVG draws the violins of a BN layer's γ (left) and β (right), each on its own value axis
// (γ lives near 1, β near 0), with quartile box, median line and tick labels at min, median, max.
func ViolinSVG(layer string, gamma, beta []float32) string {
	var b svgBuf
	openSVG(&b, ViolinW, ViolinH, fmt.Sprintf("Violin plots of %s: γ and β of %d features", layer, len(gamma)))
	b.text(ViolinW/2, 13, "middle", "title", fmt.Sprintf("%s (%s)", layer, Plural(len(gamma), "feature", "features")))
	for i, part := range []struct {
		name string
		v    []float32
		fill string
	}{{"γ (scale)", gamma, "#4a78b0"}, {"β (shift)", beta, "#d07030"}} {
		if len(part.v) == 0 {
			continue
		}
		x0 := float64(i) * ViolinW / 2
		violinPanel(&b, NewViolin(Float64s(part.v)), x0, 24, ViolinW/2, ViolinH-44, part.fill)
		b.text(x0+ViolinW/4, ViolinH-6, "middle", "label", part.name)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func violinPanel(b *svgBuf, v Violin, x0, y0, w, h float64, fill string) {
	lo, hi := v.Grid[0], v.Grid[len(v.Grid)-1]
	axisW := 44.0
	cx := x0 + axisW + (w-axisW)/2
	half := (w - axisW) / 2 * 0.9
	top := slices.Max(v.Density)
	y := func(val float64) float64 { return y0 + h - (val-lo)/(hi-lo)*h }
	dx := func(d float64) float64 {
		if top <= 0 {
			return 0
		}
		return d / top * half
	}
	var p strings.Builder
	for i, g := range v.Grid {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&p, "%s%s %s ", cmd, num(cx+dx(v.Density[i])), num(y(g)))
	}
	for i := len(v.Grid) - 1; i >= 0; i-- {
		fmt.Fprintf(&p, "L%s %s ", num(cx-dx(v.Density[i])), num(y(v.Grid[i])))
	}
	p.WriteString("Z")
	b.f(`<path d="%s" fill="%s" fill-opacity="0.45" stroke="%s"/>`, p.String(), fill, fill)
	s := v.Summary
	b.f(`<rect x="%s" y="%s" width="8" height="%s" fill="#222" fill-opacity="0.7"/>`, num(cx-4), num(y(s.Q3)), num(math.Max(y(s.Q1)-y(s.Q3), 0.5)))
	b.f(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#fff" stroke-width="2"/>`, num(cx-4), num(cx+4), num(y(s.Median)), num(y(s.Median)))
	b.f(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#888"/>`, num(x0+axisW-2), num(x0+axisW-2), num(y0), num(y0+h))
	var printed []float64 // y of the tick labels so far: skip one that would overlap
	for _, t := range []float64{s.Min, s.Max, s.Median} {
		if slices.ContainsFunc(printed, func(p float64) bool { return math.Abs(p-y(t)) < 11 }) {
			continue
		}
		printed = append(printed, y(t))
		b.f(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#888"/>`, num(x0+axisW-5), num(x0+axisW-2), num(y(t)), num(y(t)))
		b.text(x0+axisW-7, y(t)+4, "end", "tick", FormatSig(t, 3))
	}
}

// BandSeries is one run's quantile bands of an activation over training.
type BandSeries struct {
	Label string
	Steps []int64
	Q     [][5]float64 // BandProbs quantiles per step
}

// Band chart size.
const (
	BandsW = 420
	BandsH = 240
)

// BandsSVG draws a series as quantile bands over training steps: 5–95 % light, 25–75 % darker,
// the median as a line, on its own value axis.
func BandsSVG(s BandSeries) string {
	var b svgBuf
	openSVG(&b, BandsW, BandsH, "Quantile bands over training: "+s.Label)
	b.text(BandsW/2, 13, "middle", "title", s.Label)
	if len(s.Steps) == 0 {
		b.text(BandsW/2, BandsH/2, "middle", "label", "no snapshots yet")
		b.WriteString(`</svg>`)
		return b.String()
	}
	const left, right, top, bottom = 52.0, 12.0, 24.0, 34.0
	pw, ph := BandsW-left-right, BandsH-top-bottom
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range s.Q {
		lo, hi = math.Min(lo, q[0]), math.Max(hi, q[4])
	}
	if !(hi > lo) {
		lo, hi = lo-1, hi+1
	}
	s0, s1 := float64(s.Steps[0]), float64(s.Steps[len(s.Steps)-1])
	x := func(step int64) float64 {
		if s1 == s0 {
			return left + pw/2
		}
		return left + (float64(step)-s0)/(s1-s0)*pw
	}
	y := func(v float64) float64 { return top + ph - (v-lo)/(hi-lo)*ph }
	band := func(a, c int, fill string) {
		var p strings.Builder
		for i, st := range s.Steps {
			fmt.Fprintf(&p, "%s%s %s ", map[bool]string{true: "M", false: "L"}[i == 0], num(x(st)), num(y(s.Q[i][a])))
		}
		for i := len(s.Steps) - 1; i >= 0; i-- {
			fmt.Fprintf(&p, "L%s %s ", num(x(s.Steps[i])), num(y(s.Q[i][c])))
		}
		b.f(`<path d="%sZ" fill="%s" stroke="none"/>`, p.String(), fill)
	}
	band(0, 4, "#c9d8ec")
	band(1, 3, "#7fa3cf")
	var m strings.Builder
	for i, st := range s.Steps {
		fmt.Fprintf(&m, "%s%s %s ", map[bool]string{true: "M", false: "L"}[i == 0], num(x(st)), num(y(s.Q[i][2])))
	}
	b.f(`<path d="%s" fill="none" stroke="#1d3d66" stroke-width="1.5"/>`, m.String())
	b.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>`, num(left), num(top), num(pw), num(ph))
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		b.text(left-4, y(v)+4, "end", "tick", FormatSig(v, 3))
	}
	b.text(left, BandsH-18, "start", "tick", FormatInt(s.Steps[0]))
	b.text(left+pw, BandsH-18, "end", "tick", FormatInt(s.Steps[len(s.Steps)-1]))
	b.text(left+pw/2, BandsH-4, "middle", "label", "training step")
	b.WriteString(`</svg>`)
	return b.String()
}

// KnockoutSeries is one model's knockout curve: accuracy drop per knocked-out unit.
type KnockoutSeries struct {
	Label string
	Color string    // CSS colour of its line
	Drops []float64 // accuracy drop (fraction) per unit, in unit order
}

// Knockout chart size.
const (
	KnockoutW = 460
	KnockoutH = 240
)

// KnockoutSVG draws each series' drops sorted from largest to smallest against the unit's rank,
// in percentage points, on shared axes: a model whose units co-adapt has a few units whose loss
// hurts a lot; one trained with dropout spreads the work.
func KnockoutSVG(series []KnockoutSeries) string {
	var b svgBuf
	openSVG(&b, KnockoutW, KnockoutH, "Test accuracy drop when one hidden unit is knocked out, units sorted by drop")
	const left, right, top, bottom = 52.0, 12.0, 12.0, 34.0
	pw, ph := KnockoutW-left-right, KnockoutH-top-bottom
	hi, n := 0.0, 1
	for _, s := range series {
		for _, d := range s.Drops {
			hi = math.Max(hi, 100*d)
		}
		n = max(n, len(s.Drops))
	}
	lo := 0.0
	for _, s := range series {
		for _, d := range s.Drops {
			lo = math.Min(lo, 100*d)
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	x := func(i int) float64 { return left + float64(i)/math.Max(float64(n-1), 1)*pw }
	y := func(v float64) float64 { return top + ph - (v-lo)/(hi-lo)*ph }
	b.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888"/>`, num(left), num(top), num(pw), num(ph))
	if lo < 0 {
		b.f(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#bbb" stroke-dasharray="3 3"/>`, num(left), num(left+pw), num(y(0)), num(y(0)))
	}
	for k, s := range series {
		d := slices.Clone(s.Drops)
		slices.SortFunc(d, func(a, c float64) int { return -cmpFloat(a, c) })
		var p strings.Builder
		for i, v := range d {
			fmt.Fprintf(&p, "%s%s %s ", map[bool]string{true: "M", false: "L"}[i == 0], num(x(i)), num(y(100*v)))
		}
		b.f(`<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, p.String(), html.EscapeString(s.Color))
		b.f(`<rect x="%s" y="%s" width="10" height="10" fill="%s"/>`, num(left+pw-150), num(top+6+float64(k)*16), html.EscapeString(s.Color))
		b.text(left+pw-136, top+15+float64(k)*16, "start", "legend", s.Label)
	}
	for _, v := range []float64{lo, hi} {
		b.text(left-4, y(v)+4, "end", "tick", FormatSig(v, 2)+" pp")
	}
	b.text(left, KnockoutH-18, "start", "tick", "1")
	b.text(left+pw, KnockoutH-18, "end", "tick", FormatInt(int64(n)))
	b.text(left+pw/2, KnockoutH-4, "middle", "label", "hidden unit, sorted by accuracy drop")
	b.WriteString(`</svg>`)
	return b.String()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
