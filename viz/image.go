package viz

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/lenetlab/lenetlab/nncore"
)

// Colours of the views. The iframe is dark because ebiten's debug font, which draws its labels, is
// white.
var (
	Background = color.RGBA{0x1f, 0x23, 0x2a, 0xff}
	PanelColor = color.RGBA{0x2e, 0x34, 0x3e, 0xff} // behind histograms
	KeptColor  = color.RGBA{0xf2, 0xe8, 0xb0, 0xff} // a kept dropout unit
	DropColor  = color.RGBA{0x00, 0x00, 0x00, 0xff} // a dropped unit
	InColor    = color.RGBA{0x6a, 0x98, 0xd0, 0xff} // BN input histogram
	OutColor   = color.RGBA{0xd0, 0x70, 0x30, 0xff} // BN output histogram
	BarColor   = color.RGBA{0x6a, 0x98, 0xd0, 0xff}
	TopColor   = color.RGBA{0xd0, 0x50, 0x30, 0xff} // the most probable class
)

// MinMax returns the smallest and largest value of data, ignoring NaNs; (0, 0) if there are none.
func MinMax(data []float32) (lo, hi float32) {
	first := true
	for _, v := range data {
		if v != v {
			continue
		}
		if first {
			lo, hi, first = v, v, false
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// GrayLevel maps v linearly from [lo, hi] to 0..255, clamping. A constant map (hi <= lo) is black.
func GrayLevel(v, lo, hi float32) uint8 {
	if !(hi > lo) || v != v {
		return 0
	}
	t := (v - lo) / (hi - lo)
	return uint8(math.Round(float64(min(max(t, 0), 1)) * 255))
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := img.Pix[img.PixOffset(r.Min.X, y):img.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
		}
	}
}

// grayTile draws an h×w map, each value a scale×scale block, normalized from [lo, hi].
func grayTile(dst *image.RGBA, x0, y0 int, data []float32, h, w, scale int, lo, hi float32) {
	for y := range h {
		for x := range w {
			g := GrayLevel(data[y*w+x], lo, hi)
			fill(dst, image.Rect(x0+x*scale, y0+y*scale, x0+(x+1)*scale, y0+(y+1)*scale), color.RGBA{g, g, g, 0xff})
		}
	}
}

// MaxTile is the largest side of a magnified map tile, in pixels.
const MaxTile = 64

// tileScale is the integer magnification of c maps of side n: as large as fits c tiles in a row of
// maxWidth pixels, at most MaxTile pixels a side, at least 1.
func tileScale(c, n, maxWidth int) int {
	avail := min((maxWidth+Gap)/max(c, 1)-Gap, MaxTile)
	return max(1, avail/n)
}

// Gap is the space between tiles, in pixels.
const Gap = 3

// CellW and CellH are the size of one unit of a vector (a linear layer's feature or mask unit).
const CellW, CellH = 3, 14

// dims splits an activation tensor of a batch into per-sample channels, height and width: [N,C,H,W]
// or [N,F] (F features as C=F maps of 1×1, reported as vector=true).
func dims(shape []int) (n, c, h, w int, vector bool) {
	switch len(shape) {
	case 4:
		return shape[0], shape[1], shape[2], shape[3], false
	case 2:
		return shape[0], shape[1], 1, 1, true
	}
	panic(fmt.Sprintf("viz: activation shape %v, want [N,C,H,W] or [N,F]", shape))
}

// ActivationImage draws sample s of a batch activation tensor. Maps ([N,C,H,W]) become C tiles,
// each normalized to its own min..max (black..white) and magnified to at most MaxTile pixels, wrapped into
// rows no wider than maxWidth. Vectors ([N,F]) become a strip of F cells normalized together.
func ActivationImage(t nncore.Tensor, s, maxWidth int) *image.RGBA {
	n, c, h, w, vector := dims(t.Shape)
	if s < 0 || s >= n {
		panic(fmt.Sprintf("viz: ActivationImage: sample %d of a batch of %d", s, n))
	}
	per := c * h * w
	data := t.Data[s*per : (s+1)*per]
	if vector {
		img := stripImage(c, maxWidth)
		lo, hi := MinMax(data)
		forCells(c, maxWidth, func(i int, r image.Rectangle) {
			g := GrayLevel(data[i], lo, hi)
			fill(img, r, color.RGBA{g, g, g, 0xff})
		})
		return img
	}
	scale := tileScale(c, max(h, w), maxWidth)
	img, at := tileGrid(c, h*scale, w*scale, maxWidth)
	for ch := range c {
		m := data[ch*h*w : (ch+1)*h*w]
		lo, hi := MinMax(m)
		p := at(ch)
		grayTile(img, p.X, p.Y, m, h, w, scale, lo, hi)
	}
	return img
}

// tileGrid lays out k tiles of th×tw pixels in rows no wider than maxWidth (at least one per row).
func tileGrid(k, th, tw, maxWidth int) (*image.RGBA, func(i int) image.Point) {
	cols := max(1, min(k, (maxWidth+Gap)/(tw+Gap)))
	rows := (k + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*(tw+Gap)-Gap, rows*(th+Gap)-Gap))
	fill(img, img.Rect, Background)
	return img, func(i int) image.Point {
		return image.Pt((i%cols)*(tw+Gap), (i/cols)*(th+Gap))
	}
}

func stripCols(k, maxWidth int) int { return max(1, min(k, (maxWidth+1)/(CellW+1))) }

func stripImage(k, maxWidth int) *image.RGBA {
	cols := stripCols(k, maxWidth)
	rows := (k + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*(CellW+1)-1, rows*(CellH+1)-1))
	fill(img, img.Rect, Background)
	return img
}

func forCells(k, maxWidth int, f func(i int, r image.Rectangle)) {
	cols := stripCols(k, maxWidth)
	for i := range k {
		x, y := (i%cols)*(CellW+1), (i/cols)*(CellH+1)
		f(i, image.Rect(x, y, x+CellW, y+CellH))
	}
}

// MaskImage draws a dropout mask: a [C,H,W] mask as C pixel grids (a conv layer's channels), a [F]
// mask as a strip of F units; kept units light, dropped units dark.
func MaskImage(m nncore.MaskSnapshot, maxWidth int) *image.RGBA {
	size := 1
	for _, d := range m.Shape {
		size *= d
	}
	if size != len(m.Keep) {
		panic(fmt.Sprintf("viz: MaskImage: mask %s has shape %v but %d values", m.Name, m.Shape, len(m.Keep)))
	}
	col := func(k byte) color.RGBA {
		if k != 0 {
			return KeptColor
		}
		return DropColor
	}
	if len(m.Shape) != 3 {
		img := stripImage(size, maxWidth)
		forCells(size, maxWidth, func(i int, r image.Rectangle) { fill(img, r, col(m.Keep[i])) })
		return img
	}
	c, h, w := m.Shape[0], m.Shape[1], m.Shape[2]
	scale := tileScale(c, max(h, w), maxWidth)
	img, at := tileGrid(c, h*scale, w*scale, maxWidth)
	for ch := range c {
		p := at(ch)
		for y := range h {
			for x := range w {
				r := image.Rect(p.X+x*scale, p.Y+y*scale, p.X+(x+1)*scale, p.Y+(y+1)*scale)
				fill(img, r, col(m.Keep[(ch*h+y)*w+x]))
			}
		}
	}
	return img
}

// KeptFraction is the share of units a mask keeps.
func KeptFraction(m nncore.MaskSnapshot) float64 {
	if len(m.Keep) == 0 {
		return 0
	}
	k := 0
	for _, b := range m.Keep {
		if b != 0 {
			k++
		}
	}
	return float64(k) / float64(len(m.Keep))
}

// Histogram counts data into bins equal bins over [lo, hi]; values outside fall into the edge
// bins, NaNs are skipped. hi <= lo puts everything into the middle bin.
func Histogram(data []float32, bins int, lo, hi float64) []int {
	counts := make([]int, bins)
	for _, v := range data {
		if v != v {
			continue
		}
		b := bins / 2
		if hi > lo {
			b = int(math.Floor((float64(v) - lo) / (hi - lo) * float64(bins)))
			b = min(max(b, 0), bins-1)
		}
		counts[b]++
	}
	return counts
}

// HistogramImage draws counts as w×h bars scaled to the largest count, on PanelColor.
func HistogramImage(counts []int, w, h int, c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Rect, PanelColor)
	top := 0
	for _, k := range counts {
		top = max(top, k)
	}
	if top == 0 || len(counts) == 0 {
		return img
	}
	for i, k := range counts {
		x0, x1 := i*w/len(counts), (i+1)*w/len(counts)
		bh := int(math.Round(float64(k) / float64(top) * float64(h-1)))
		if k > 0 {
			bh = max(bh, 1)
		}
		fill(img, image.Rect(x0, h-bh, max(x1-1, x0+1), h), c)
	}
	return img
}

// BarsImage draws the ten class probabilities as horizontal bars, w×h, the largest highlighted.
func BarsImage(probs []float32, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Rect, Background)
	if len(probs) == 0 {
		return img
	}
	best := Argmax(probs)
	rowH := h / len(probs)
	for i, p := range probs {
		c := BarColor
		if i == best {
			c = TopColor
		}
		bw := int(math.Round(float64(min(max(p, 0), 1)) * float64(w)))
		fill(img, image.Rect(0, i*rowH+1, bw, (i+1)*rowH-1), c)
	}
	return img
}

// Argmax returns the index of the largest value (the first on ties), -1 for an empty slice.
func Argmax(v []float32) int {
	best := -1
	for i, x := range v {
		if best < 0 || x > v[best] {
			best = i
		}
	}
	return best
}
