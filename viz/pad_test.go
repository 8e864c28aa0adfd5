package viz

import (
	"math"
	"testing"
)

func digitStats(d []byte) (mass, cx, cy float64, x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = 28, 28, -1, -1
	for i, b := range d {
		if b == 0 {
			continue
		}
		x, y := i%28, i/28
		w := float64(b)
		mass += w
		cx += w * (float64(x) + 0.5)
		cy += w * (float64(y) + 0.5)
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	return mass, cx / mass, cy / mass, x0, y0, x1, y1
}

func TestPadDigitCentresAndScales(t *testing.T) {
	p := NewPad(PadSide)
	if !p.Empty() {
		t.Fatal("new pad not empty")
	}
	for _, b := range p.Digit() {
		if b != 0 {
			t.Fatal("empty pad gives ink")
		}
	}
	// A "1" drawn small in the top-left corner.
	p.Stroke(0.1, 0.05, 0.1, 0.35, PadBrush)
	if p.Empty() {
		t.Fatal("stroke left no ink")
	}
	d := p.Digit()
	mass, cx, cy, x0, y0, x1, y1 := digitStats(d)
	if mass == 0 {
		t.Fatal("digit is empty")
	}
	if math.Abs(cx-14) > 1 || math.Abs(cy-14) > 1 {
		t.Errorf("centre of mass (%.2f, %.2f), want within 1 px of (14, 14)", cx, cy)
	}
	if h := y1 - y0 + 1; h < 19 || h > 21 {
		t.Errorf("digit is %d px tall, want about 20 (box %d,%d–%d,%d)", h, x0, y0, x1, y1)
	}
	if w := x1 - x0 + 1; w > 8 {
		t.Errorf("a vertical stroke became %d px wide", w)
	}
	// The stroke's core is full ink.
	peak := byte(0)
	for _, b := range d {
		peak = max(peak, b)
	}
	if peak < 200 {
		t.Errorf("peak ink %d, want a solid stroke", peak)
	}
	p.Clear()
	if !p.Empty() {
		t.Error("Clear left ink")
	}
}

func TestPadStrokeAntialiased(t *testing.T) {
	p := NewPad(20)
	p.Stroke(0.5, 0.5, 0.5, 0.5, 2) // a dot of radius 2 at (10, 10)
	if v := p.Cov[10*20+10]; v != 1 {
		t.Errorf("centre coverage %v, want 1", v)
	}
	// Pixel centre (12.5, 10.5) is 2.55 from (10, 10): coverage 2+0.5-2.55 < 0 → 0.
	if v := p.Cov[10*20+12]; v != 0 {
		t.Errorf("coverage outside the dot %v", v)
	}
	// Pixel centre (11.5, 10.5) is 1.58 away: partial coverage 0.92.
	if v := p.Cov[10*20+11]; math.Abs(float64(v)-(2.5-math.Hypot(1.5, 0.5))) > 1e-6 {
		t.Errorf("edge coverage %v", v)
	}
	img := p.Image()
	if img.RGBAAt(10, 10).R != 255 || img.RGBAAt(0, 0).R != 0 {
		t.Error("pad image is not white ink on black")
	}
}
