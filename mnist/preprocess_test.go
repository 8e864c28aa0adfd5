package mnist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveResize is the contract's formula written out per output pixel, without tables or the
// separable split, as the reference the fast path must match bit for bit.
func naiveResize(img []byte, normalize bool) []float32 {
	coord := func(d int) (int, int, float32) {
		src := float32(float32(float32(d)+0.5)*0.875) - 0.5
		src = max(src, 0)
		i0 := int(math.Floor(float64(src)))
		return i0, min(i0+1, 27), src - float32(i0)
	}
	p := func(y, x int) float32 { return float32(img[y*28+x]) * float32(1.0/255.0) }
	out := make([]float32, 1024)
	for dy := range 32 {
		y0, y1, wy := coord(dy)
		for dx := range 32 {
			x0, x1, wx := coord(dx)
			top := float32((1-wx)*p(y0, x0)) + float32(wx*p(y0, x1))
			bot := float32((1-wx)*p(y1, x0)) + float32(wx*p(y1, x1))
			v := float32((1-wy)*top) + float32(wy*bot)
			if normalize {
				v = float32(v-float32(0.1307)) * float32(1/0.3081)
			}
			out[dy*32+dx] = v
		}
	}
	return out
}

func naivePad(img []byte, normalize bool) []float32 {
	out := make([]float32, 1024)
	for y := range 32 {
		for x := range 32 {
			var v float32
			if y >= 2 && y < 30 && x >= 2 && x < 30 {
				v = float32(img[(y-2)*28+x-2]) * float32(1.0/255.0)
			}
			if normalize {
				v = float32(v-float32(0.1307)) * float32(1/0.3081)
			}
			out[y*32+x] = v
		}
	}
	return out
}

func randomSet(n int, seed uint64) *Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := &Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
	for i := range s.Images {
		switch r.IntN(3) {
		case 0: // background, as most of MNIST
		case 1:
			s.Images[i] = 255
		default:
			s.Images[i] = byte(r.IntN(256))
		}
	}
	for i := range s.Labels {
		s.Labels[i] = byte(r.IntN(10))
	}
	return s
}

func TestResizeTaps(t *testing.T) {
	tests := []struct {
		d, i0, i1 int
		w         float32
	}{
		{0, 0, 1, 0},      // src = -0.0625 clamps to 0
		{1, 0, 1, 0.8125}, // 1.5*0.875-0.5
		{2, 1, 2, 0.6875}, // 1.6875
		{16, 13, 14, 0.9375},
		{30, 26, 27, 0.1875}, // 26.1875
		{31, 27, 27, 0.0625}, // 27.0625: i1 clamps to 27
	}
	for _, tc := range tests {
		i0, i1, w := ResizeTap(tc.d)
		if i0 != tc.i0 || i1 != tc.i1 || w != tc.w {
			t.Errorf("ResizeTap(%d) = %d, %d, %v; want %d, %d, %v", tc.d, i0, i1, w, tc.i0, tc.i1, tc.w)
		}
	}
}

func TestResizeMatchesContractFormula(t *testing.T) {
	sets := []*Set{randomSet(64, 7)}
	if !testing.Short() {
		_, test := realData(t)
		sets = append(sets, test.Limit(300))
	}
	for _, s := range sets {
		for _, norm := range []bool{false, true} {
			for _, mode := range []Mode{Resize, Pad} {
				p := Preprocess{Mode: mode, Normalize: norm}
				idx := make([]int32, s.N)
				for i := range idx {
					idx[i] = int32(s.N - 1 - i)
				}
				dst := make([]float32, len(idx)*1024)
				for i := range dst {
					dst[i] = float32(math.NaN()) // stray skips show
				}
				p.Fill(dst, s, idx)
				for k, i := range idx {
					img := s.Images[int(i)*784 : int(i+1)*784]
					want := naiveResize(img, norm)
					if mode == Pad {
						want = naivePad(img, norm)
					}
					for j, w := range want {
						if got := dst[k*1024+j]; math.Float32bits(got) != math.Float32bits(w) {
							t.Fatalf("%v: image %d pixel (%d,%d) = %v, want %v", p, i, j/32, j%32, got, w)
						}
					}
				}
			}
		}
	}
}

// A single bright pixel, worked out by hand from the contract's formula.
func TestOnePixel(t *testing.T) {
	at := func(y, x int) []byte {
		img := make([]byte, 784)
		img[y*28+x] = 255
		return img
	}
	dst := make([]float32, 1024)
	check := func(name string, want map[[2]int]float32, rest float32) {
		t.Helper()
		for i, got := range dst {
			w, ok := want[[2]int{i / 32, i % 32}]
			if !ok {
				w = rest
			}
			if got != w {
				t.Errorf("%s: (%d,%d) = %v, want %v", name, i/32, i%32, got, w)
			}
		}
	}
	// Resize, top-left pixel: output 0 samples source 0 exactly (w=0); output 1 sits at source
	// 0.8125, so it takes 1-0.8125 = 0.1875 of pixel 0; output 2 (source 1.6875) none.
	Preprocess{Mode: Resize}.Image(dst, at(0, 0))
	check("resize (0,0)", map[[2]int]float32{
		{0, 0}: 1, {0, 1}: 0.1875, {1, 0}: 0.1875, {1, 1}: 0.1875 * 0.1875,
	}, 0)
	// Bottom-right corner: output 31 sits at 27.0625 and clamps to pixel 27 on both taps,
	// output 30 sits at 26.1875 and takes 0.1875 of pixel 27.
	Preprocess{Mode: Resize}.Image(dst, at(27, 27))
	check("resize (27,27)", map[[2]int]float32{
		{31, 31}: 1, {31, 30}: 0.1875, {30, 31}: 0.1875, {30, 30}: 0.1875 * 0.1875,
	}, 0)
	// Pixel (14,0) on the left edge: outputs 15 (13.0625), 16 (13.9375) and 17 (14.8125) cover
	// source row 14 with weights 0.0625, 0.9375 and 1-0.8125.
	Preprocess{Mode: Resize}.Image(dst, at(14, 0))
	check("resize (14,0)", map[[2]int]float32{
		{15, 0}: 0.0625, {15, 1}: 0.0625 * 0.1875,
		{16, 0}: 0.9375, {16, 1}: 0.9375 * 0.1875, {17, 0}: 0.1875, {17, 1}: 0.1875 * 0.1875,
	}, 0)

	Preprocess{Mode: Pad}.Image(dst, at(0, 0))
	check("pad (0,0)", map[[2]int]float32{{2, 2}: 1}, 0)
	Preprocess{Mode: Pad}.Image(dst, at(27, 27))
	check("pad (27,27)", map[[2]int]float32{{29, 29}: 1}, 0)

	// Normalized: background (0-0.1307)/0.3081 and ink (1-0.1307)/0.3081 everywhere, border included.
	bg, ink := float32(float32(0-float32(0.1307))*float32(1/0.3081)), float32(float32(1-float32(0.1307))*float32(1/0.3081))
	Preprocess{Mode: Pad, Normalize: true}.Image(dst, at(5, 6))
	check("pad normalized", map[[2]int]float32{{7, 8}: ink}, bg)
	if math.Abs(float64(bg)+0.1307/0.3081) > 1e-6 || math.Abs(float64(ink)-0.8693/0.3081) > 1e-6 {
		t.Errorf("normalized 0 and 255 = %v, %v; want -0.424213, 2.821486", bg, ink)
	}
	Preprocess{Mode: Resize, Normalize: true}.Image(dst, at(0, 0))
	check("resize normalized", map[[2]int]float32{
		{0, 0}: ink, {0, 1}: float32(float32(0.1875-float32(0.1307)) * float32(1/0.3081)),
		{1, 0}: float32(float32(0.1875-float32(0.1307)) * float32(1/0.3081)),
		{1, 1}: float32(float32(0.03515625-float32(0.1307)) * float32(1/0.3081)),
	}, bg)

	// A uniform image stays uniform under resize (the weights sum to 1 exactly).
	grey := make([]byte, 784)
	for i := range grey {
		grey[i] = 128
	}
	Preprocess{Mode: Resize}.Image(dst, grey)
	check("resize uniform", nil, float32(128)*float32(1.0/255.0))
}

func TestFillOrderAndPanics(t *testing.T) {
	s := randomSet(5, 3)
	p := Preprocess{Mode: Resize, Normalize: true}
	idx := []int32{4, 0, 4, 2}
	dst := make([]float32, 4*1024)
	p.Fill(dst, s, idx)
	one := make([]float32, 1024)
	for k, i := range idx {
		p.Image(one, s.Images[i*784:(i+1)*784])
		for j := range one {
			if dst[k*1024+j] != one[j] {
				t.Fatalf("Fill slot %d differs from Image(%d) at %d", k, i, j)
			}
		}
	}
	p.Fill(nil, s, nil) // an empty batch is fine

	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "mnist: ") {
				t.Errorf("%s: recovered %v, want an mnist: panic", name, r)
			}
		}()
		f()
	}
	mustPanic("short dst", func() { p.Fill(dst[:1000], s, idx) })
	mustPanic("index out of range", func() { p.Fill(dst[:1024], s, []int32{5}) })
	mustPanic("negative index", func() { p.Fill(dst[:1024], s, []int32{-1}) })
	mustPanic("image dst", func() { p.Image(dst, s.Images[:784]) })
	mustPanic("image src", func() { p.Image(one, s.Images[:783]) })
	mustPanic("bad mode", func() { Preprocess{Mode: 7}.Image(one, s.Images[:784]) })
}

func TestFillDoesNotAllocate(t *testing.T) {
	s := randomSet(256, 5)
	idx := Perm(1, 0, 256)
	dst := make([]float32, 256*1024)
	for _, mode := range []Mode{Resize, Pad} {
		p := Preprocess{Mode: mode, Normalize: true}
		if a := testing.AllocsPerRun(5, func() { p.Fill(dst, s, idx) }); a != 0 {
			t.Errorf("%v: Fill allocates %v times per batch", mode, a)
		}
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{Resize, Pad} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if m, err := ParseMode(" Pad "); m != Pad || err != nil {
		t.Errorf("ParseMode(\" Pad \") = %v, %v", m, err)
	}
	if _, err := ParseMode("crop"); err == nil || !strings.Contains(err.Error(), `"crop"`) || !strings.Contains(err.Error(), `"resize"`) {
		t.Errorf("ParseMode(crop) error %v", err)
	}
	if s := Mode(9).String(); s != "Mode(9)" {
		t.Errorf("Mode(9).String() = %q", s)
	}
}

func BenchmarkFill256(b *testing.B) {
	s := randomSet(1024, 9)
	idx := Perm(1, 0, 1024)[:256]
	dst := make([]float32, 256*1024)
	for _, p := range []Preprocess{{Mode: Resize, Normalize: true}, {Mode: Pad, Normalize: true}} {
		b.Run(p.Mode.String(), func(b *testing.B) {
			b.SetBytes(256 * 1024 * 4)
			for b.Loop() {
				p.Fill(dst, s, idx)
			}
		})
	}
}
