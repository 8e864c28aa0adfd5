package viz

import (
	"fmt"
	"image"
	"image/draw"
	"math"
	"strings"

	"github.com/lenetlab/lenetlab/nncore"
)

// Label is a line of text to draw over an image at (X, Y), its top-left corner. Text is ASCII only
// (ebiten's debug font has no other glyphs); LineHeight pixels tall, CharWidth pixels a character.
type Label struct {
	X, Y int
	Text string
}

// The metrics of ebiten's debug font, which wasm/viz uses to draw Labels.
const (
	CharWidth  = 6
	LineHeight = 16
)

// DashboardWidths are the widths of the dashboard's two columns: feature maps, then dropout masks
// and BN histograms.
const (
	MapsWidth   = 600
	RightWidth  = 380
	labelColumn = 6 * CharWidth // names like "conv1 " left of each feature-map row
	colGap      = 24
	rowGap      = 4
	HistW       = 180
	HistH       = 44
	HistBins    = 45
)

// DashboardInput is what one live frame shows.
type DashboardInput struct {
	Acts   []nncore.Tensor       // every activation of the probe batch (nncore.Probe.Acts), batch first
	Masks  []nncore.MaskSnapshot // the last dropout masks of training, first sample
	Sample int                   // which probe image's feature maps to show
}

// column stacks labelled images vertically.
type column struct {
	x, y   int
	parts  []placed
	labels []Label
}

type placed struct {
	img *image.RGBA
	at  image.Point
}

func (c *column) text(s string) {
	c.labels = append(c.labels, Label{c.x, c.y, s})
	c.y += LineHeight
}

func (c *column) image(img *image.RGBA, dx int) {
	c.parts = append(c.parts, placed{img, image.Pt(c.x+dx, c.y)})
	c.y += img.Rect.Dy() + rowGap
}

// Dashboard composes the live view of one frame: each activation of sample in.Sample as feature
// maps (left), every dropout mask and, per BN layer, histograms of its input and output over the
// whole probe batch (right). It returns the picture and the labels to print over it.
func Dashboard(in DashboardInput) (*image.RGBA, []Label) {
	left := &column{}
	left.text("Feature maps, probe image " + fmt.Sprint(in.Sample))
	for _, t := range in.Acts {
		name := t.Name
		if len(name) > 5 {
			name = name[:5]
		}
		left.labels = append(left.labels, Label{0, left.y, name})
		left.image(ActivationImage(t, in.Sample, MapsWidth-labelColumn), labelColumn)
	}

	right := &column{x: MapsWidth + colGap}
	if len(in.Masks) > 0 {
		right.text("Dropout masks (dark = dropped)")
		for _, m := range in.Masks {
			right.text(fmt.Sprintf("%s p=%s kept %s%%", m.Name, ascii(FormatFloat(float64(m.P), 2)), ascii(FormatFloat(100*KeptFraction(m), 1))))
			right.image(MaskImage(m, RightWidth), 0)
		}
		right.y += LineHeight / 2
	}
	bns := BNPairs(in.Acts)
	if len(bns) > 0 {
		right.text("BN input | output, probe batch")
		for _, p := range bns {
			right.text(p.Name)
			top := right.y
			for i, t := range []nncore.Tensor{p.In, p.Out} {
				lo, hi := MinMax(t.Data)
				col := InColor
				if i == 1 {
					col = OutColor
				}
				img := HistogramImage(Histogram(t.Data, HistBins, float64(lo), float64(hi)), HistW, HistH, col)
				x := right.x + i*(HistW+12)
				right.parts = append(right.parts, placed{img, image.Pt(x, top)})
				mean, sd := MeanStd(t.Data)
				right.labels = append(right.labels,
					Label{x, top + HistH + 1, ascii(FormatSig(float64(lo), 2) + " .. " + FormatSig(float64(hi), 2))},
					Label{x, top + HistH + 1 + LineHeight, ascii("m " + FormatSig(mean, 2) + "  sd " + FormatSig(sd, 2))})
			}
			right.y = top + HistH + 2*LineHeight + rowGap
		}
	}

	w := right.x + RightWidth
	h := max(left.y, right.y)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Rect, Background)
	for _, c := range []*column{left, right} {
		for _, p := range c.parts {
			draw.Draw(img, p.img.Rect.Add(p.at), p.img, image.Point{}, draw.Src)
		}
	}
	return img, append(left.labels, right.labels...)
}

// BNPair is a BN layer's input and output activations over a probe batch.
type BNPair struct {
	Name    string // "bn0".."bn4"
	In, Out nncore.Tensor
}

// BNPairs finds every BN layer in a probe's activations (named "bn…", in order) with the activation
// just before it as its input.
func BNPairs(acts []nncore.Tensor) []BNPair {
	var out []BNPair
	for i, t := range acts {
		if i > 0 && strings.HasPrefix(t.Name, "bn") {
			out = append(out, BNPair{Name: t.Name, In: acts[i-1], Out: t})
		}
	}
	return out
}

// MeanStd returns the mean and the (biased) standard deviation of data.
func MeanStd(data []float32) (mean, sd float64) {
	if len(data) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range data {
		mean += float64(v)
	}
	mean /= float64(len(data))
	for _, v := range data {
		d := float64(v) - mean
		sd += d * d
	}
	return mean, math.Sqrt(sd / float64(len(data)))
}

// ascii replaces the typographic minus of the formatters, which the debug font lacks.
func ascii(s string) string { return strings.ReplaceAll(s, "−", "-") }
