package viz

import (
	"image"
	"image/color"
	"math"
)

// Pad is a square drawing surface for handwritten digits: N×N ink coverage values in [0, 1],
// row-major. Strokes are anti-aliased round-capped lines.
type Pad struct {
	N   int
	Cov []float32
}

// PadSide is the pad's resolution: four times MNIST's 28, so strokes are smooth before the
// pad is reduced to a 28×28 digit.
const PadSide = 112

// PadBrush is the stroke radius in pad pixels (MNIST strokes are about 2–3 pixels of a 28×28
// digit whose body fills 20×20, drawn here on a pad of 112 whose digit is about 80 tall).
const PadBrush = 5.5

// NewPad returns an empty n×n pad.
func NewPad(n int) *Pad { return &Pad{N: n, Cov: make([]float32, n*n)} }

// Clear wipes the pad.
func (p *Pad) Clear() { clear(p.Cov) }

// Empty reports whether nothing has been drawn.
func (p *Pad) Empty() bool {
	for _, v := range p.Cov {
		if v > 0 {
			return false
		}
	}
	return true
}

// Stroke draws a line from (x0, y0) to (x1, y1), in units of the pad's side (0..1), with radius r
// in pad pixels. A point is a stroke of length zero.
func (p *Pad) Stroke(x0, y0, x1, y1, r float64) {
	n := float64(p.N)
	ax, ay, bx, by := x0*n, y0*n, x1*n, y1*n
	minX := int(math.Floor(min(ax, bx) - r - 1))
	maxX := int(math.Ceil(max(ax, bx) + r + 1))
	minY := int(math.Floor(min(ay, by) - r - 1))
	maxY := int(math.Ceil(max(ay, by) + r + 1))
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	for y := max(minY, 0); y <= min(maxY, p.N-1); y++ {
		for x := max(minX, 0); x <= min(maxX, p.N-1); x++ {
			cx, cy := float64(x)+0.5, float64(y)+0.5
			t := 0.0
			if l2 > 0 {
				t = min(max(((cx-ax)*dx+(cy-ay)*dy)/l2, 0), 1)
			}
			ex, ey := cx-(ax+t*dx), cy-(ay+t*dy)
			c := float32(min(max(r+0.5-math.Hypot(ex, ey), 0), 1))
			if i := y*p.N + x; c > p.Cov[i] {
				p.Cov[i] = c
			}
		}
	}
}

// Image renders the pad as white ink on black, one pixel per pad pixel (as MNIST digits look).
func (p *Pad) Image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.N, p.N))
	for i, v := range p.Cov {
		g := uint8(math.Round(float64(min(max(v, 0), 1)) * 255))
		img.SetRGBA(i%p.N, i/p.N, color.RGBA{g, g, g, 0xff})
	}
	return img
}

// Digit reduces the drawing to a 28×28 MNIST-style digit, as the MNIST authors prepared theirs:
// the ink's bounding box is scaled (aspect kept) to fit a 20×20 box by area averaging, and the
// result is placed so that its centre of mass is at the centre of the 28×28 image. An empty pad
// gives 784 zeros.
func (p *Pad) Digit() []byte {
	const side, box = 28, 20
	out := make([]byte, side*side)
	x0, y0, x1, y1 := p.N, p.N, -1, -1
	for i, v := range p.Cov {
		if v > 0.02 {
			x, y := i%p.N, i/p.N
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	if x1 < 0 {
		return out
	}
	bw, bh := x1-x0+1, y1-y0+1
	s := float64(box) / float64(max(bw, bh)) // target pixels per source pixel
	tw, th := max(1, int(math.Round(float64(bw)*s))), max(1, int(math.Round(float64(bh)*s)))
	// Area-average the box into tw×th.
	small := make([]float64, tw*th)
	for v := range th {
		sy0, sy1 := float64(v)/s, float64(v+1)/s
		for u := range tw {
			sx0, sx1 := float64(u)/s, float64(u+1)/s
			small[v*tw+u] = p.area(x0, y0, bw, bh, sx0, sy0, sx1, sy1)
		}
	}
	// Centre of mass of the reduced digit, then place it so that it lands on (14, 14).
	var m, mx, my float64
	for v := range th {
		for u := range tw {
			w := small[v*tw+u]
			m += w
			mx += w * (float64(u) + 0.5)
			my += w * (float64(v) + 0.5)
		}
	}
	ox, oy := (side-tw)/2, (side-th)/2
	if m > 0 {
		ox = int(math.Round(side/2 - mx/m))
		oy = int(math.Round(side/2 - my/m))
	}
	for v := range th {
		for u := range tw {
			x, y := u+ox, v+oy
			if x < 0 || y < 0 || x >= side || y >= side {
				continue
			}
			out[y*side+x] = uint8(math.Round(min(max(small[v*tw+u], 0), 1) * 255))
		}
	}
	return out
}

// area is the mean coverage of the source rectangle [sx0,sx1)×[sy0,sy1), in pixels relative to the
// bounding box at (x0, y0) of size bw×bh, weighting partly covered pixels by their overlap.
func (p *Pad) area(x0, y0, bw, bh int, sx0, sy0, sx1, sy1 float64) float64 {
	var sum, wsum float64
	for y := int(math.Floor(sy0)); float64(y) < sy1 && y < bh; y++ {
		wy := min(float64(y+1), sy1) - max(float64(y), sy0)
		for x := int(math.Floor(sx0)); float64(x) < sx1 && x < bw; x++ {
			wx := min(float64(x+1), sx1) - max(float64(x), sx0)
			sum += wx * wy * float64(p.Cov[(y0+y)*p.N+x0+x])
			wsum += wx * wy
		}
	}
	if wsum == 0 {
		return 0
	}
	return sum / wsum
}
