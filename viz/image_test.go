package viz

import (
	"image/color"
	"math"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

func TestGrayAndMinMax(t *testing.T) {
	lo, hi := MinMax([]float32{3, -2, float32FromBits(0x7fc00000), 7})
	if lo != -2 || hi != 7 {
		t.Errorf("MinMax = %v, %v", lo, hi)
	}
	if g := GrayLevel(-2, -2, 7); g != 0 {
		t.Errorf("GrayLevel(lo) = %d", g)
	}
	if g := GrayLevel(7, -2, 7); g != 255 {
		t.Errorf("GrayLevel(hi) = %d", g)
	}
	if g := GrayLevel(2.5, -2, 7); g != 128 {
		t.Errorf("GrayLevel(mid) = %d", g)
	}
	if g := GrayLevel(5, 5, 5); g != 0 {
		t.Errorf("constant map = %d, want black", g)
	}
}

func TestActivationImageMaps(t *testing.T) {
	// Two samples of 2 channels of 2×2; sample 1 must be drawn, each channel normalized alone.
	data := []float32{
		9, 9, 9, 9, 9, 9, 9, 9, // sample 0
		0, 1, 2, 3, // sample 1, channel 0
		-10, -10, -10, 10, // sample 1, channel 1
	}
	img := ActivationImage(nncore.Tensor{Name: "conv1", Shape: []int{2, 2, 2, 2}, Data: data}, 1, 600)
	// 2 tiles fit in a row: scale = min((600+3)/2-3, MaxTile=64)/2 = 32.
	s := 32
	if w, h := img.Rect.Dx(), img.Rect.Dy(); w != 2*2*s+Gap || h != 2*s {
		t.Fatalf("image %d×%d, want %d×%d", w, h, 4*s+Gap, 2*s)
	}
	gray := func(x, y int) uint8 { return img.RGBAAt(x, y).R }
	if gray(0, 0) != 0 || gray(s, 0) != 85 || gray(0, s) != 170 || gray(2*s-1, 2*s-1) != 255 {
		t.Errorf("channel 0 levels %d %d %d %d, want 0 85 170 255", gray(0, 0), gray(s, 0), gray(0, s), gray(2*s-1, 2*s-1))
	}
	x1 := 2*s + Gap
	if gray(x1, 0) != 0 || gray(x1+s, s) != 255 {
		t.Errorf("channel 1 levels %d %d, want 0 255", gray(x1, 0), gray(x1+s, s))
	}
	if c := img.RGBAAt(2*s+1, 0); c != Background {
		t.Errorf("gap pixel %v, want background", c)
	}
}

func TestActivationImageVectorWraps(t *testing.T) {
	data := make([]float32, 120)
	for i := range data {
		data[i] = float32(i)
	}
	img := ActivationImage(nncore.Tensor{Name: "fc1", Shape: []int{1, 120}, Data: data}, 0, 250)
	cols := (250 + 1) / (CellW + 1)
	rows := (120 + cols - 1) / cols
	if img.Rect.Dx() != cols*(CellW+1)-1 || img.Rect.Dy() != rows*(CellH+1)-1 {
		t.Fatalf("strip %v, want %d cols × %d rows", img.Rect, cols, rows)
	}
	if img.RGBAAt(0, 0).R != 0 {
		t.Error("unit 0 is not black")
	}
	last := 119
	x, y := (last%cols)*(CellW+1), (last/cols)*(CellH+1)
	if img.RGBAAt(x, y).R != 255 {
		t.Error("unit 119 is not white")
	}
}

func TestMaskImage(t *testing.T) {
	conv := nncore.MaskSnapshot{Name: "drop2", Shape: []int{2, 2, 2}, P: 0.5, Keep: []byte{1, 0, 0, 1, 0, 0, 0, 1}}
	img := MaskImage(conv, 100)
	s := tileScale(2, 2, 100)
	for ch := range 2 {
		for i := range 4 {
			x := ch*(2*s+Gap) + (i%2)*s
			y := (i / 2) * s
			want := DropColor
			if conv.Keep[ch*4+i] == 1 {
				want = KeptColor
			}
			if got := img.RGBAAt(x+s/2, y+s/2); got != want {
				t.Errorf("channel %d unit %d: %v, want %v", ch, i, got, want)
			}
		}
	}
	lin := nncore.MaskSnapshot{Name: "drop3", Shape: []int{3}, P: 0.5, Keep: []byte{0, 1, 1}}
	img = MaskImage(lin, 100)
	if img.RGBAAt(1, 1) != DropColor || img.RGBAAt(CellW+2, 1) != KeptColor {
		t.Error("strip colours wrong")
	}
	if f := KeptFraction(lin); f != 2.0/3 {
		t.Errorf("KeptFraction = %v", f)
	}
}

func TestHistogram(t *testing.T) {
	got := Histogram([]float32{-5, 0, 0.1, 0.5, 0.99, 1, 7, float32FromBits(0x7fc00000)}, 4, 0, 1)
	// bins [0,.25) [.25,.5) [.5,.75) [.75,1]: -5,0,0.1 | - | 0.5 | 0.99,1,7 (NaN skipped)
	want := []int{3, 0, 1, 3}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Histogram = %v, want %v", got, want)
		}
	}
	img := HistogramImage([]int{1, 2}, 10, 11, color.RGBA{1, 2, 3, 255})
	// The tallest bar fills h-1 = 10 rows; the half bar 5.
	if img.RGBAAt(6, 1) != (color.RGBA{1, 2, 3, 255}) || img.RGBAAt(6, 0) != PanelColor {
		t.Error("tall bar height wrong")
	}
	if img.RGBAAt(1, 5) != PanelColor || img.RGBAAt(1, 6) != (color.RGBA{1, 2, 3, 255}) {
		t.Error("short bar height wrong")
	}
}

func TestBarsImage(t *testing.T) {
	p := []float32{0.1, 0, 0, 0.7, 0, 0, 0, 0, 0.2, 0}
	img := BarsImage(p, 100, 100)
	if img.RGBAAt(69, 35) != TopColor || img.RGBAAt(71, 35) != Background {
		t.Error("bar of class 3 is not 70 px long in the top colour")
	}
	if img.RGBAAt(9, 5) != BarColor || img.RGBAAt(11, 5) != Background {
		t.Error("bar of class 0 is not 10 px long")
	}
	if Argmax(p) != 3 || Argmax(nil) != -1 {
		t.Error("Argmax wrong")
	}
}

func float32FromBits(b uint32) float32 { return math.Float32frombits(b) }
