package mnist

import "fmt"

// Out is the side of the model input; Pixels the floats of one preprocessed image.
const (
	Out    = 32
	Pixels = Out * Out
)

// The per-pixel constants of docs/CONTRACT.md, rounded to float32 exactly as the WGSL shader has them.
const (
	inv255 = float32(1.0 / 255.0)
	mean32 = float32(Mean)
	invStd = float32(1 / Std)
	padIn  = (Out - Side) / 2 // zero pixels on each side in Pad mode
)

// tap is one output coordinate's bilinear source: p = w0*src[i0] + w1*src[i1], with w0 = 1-w1.
type tap struct {
	i0, i1 int32
	w0, w1 float32
}

// Tables computed once: the resize taps (the same for rows and columns), byte→[0,1] values, and
// byte→normalized values.
var (
	taps    = resizeTaps()
	unit    [256]float32
	normLUT [256]float32
)

func init() {
	for b := range 256 {
		unit[b] = float32(b) * inv255
		normLUT[b] = normalize(unit[b])
	}
}

// resizeTaps follows the contract's expressions literally. Each product is wrapped in float32() so
// that the compiler may not fuse it into an FMA (the Go spec's rule), keeping results bit-exact.
func resizeTaps() (t [Out]tap) {
	for d := range Out {
		src := float32(float32(float32(d)+0.5)*0.875) - 0.5
		src = max(src, 0)
		i0 := int32(src) // src >= 0, so truncation is floor
		i1 := min(i0+1, Side-1)
		w := src - float32(i0)
		t[d] = tap{i0: i0, i1: i1, w0: 1 - w, w1: w}
	}
	return t
}

func normalize(v float32) float32 {
	return float32(v-mean32) * invStd
}

// ResizeTap returns output coordinate d's bilinear source indices and weight w (so that the value is
// (1-w)*p[i0] + w*p[i1]), for engines that reproduce the resize elsewhere (the WGSL shader's table).
func ResizeTap(d int) (i0, i1 int, w float32) {
	t := taps[d]
	return int(t.i0), int(t.i1), t.w1
}

// Image writes one 28×28 digit as 32×32 float32 model input into dst (len 1024).
func (p Preprocess) Image(dst []float32, img []byte) {
	if len(dst) != Pixels {
		panic(fmt.Sprintf("mnist: Preprocess.Image: dst has %d floats, want %d", len(dst), Pixels))
	}
	if len(img) != Side*Side {
		panic(fmt.Sprintf("mnist: Preprocess.Image: img has %d bytes, want %d", len(img), Side*Side))
	}
	p.image((*[Pixels]float32)(dst), (*[Side * Side]byte)(img))
}

// Fill writes the images s.Images[idx[k]] into dst[k*1024 : (k+1)*1024]. It does not allocate.
func (p Preprocess) Fill(dst []float32, s *Set, idx []int32) {
	if len(dst) != len(idx)*Pixels {
		panic(fmt.Sprintf("mnist: Preprocess.Fill: dst has %d floats, want len(idx)*%d = %d", len(dst), Pixels, len(idx)*Pixels))
	}
	if s.Rows != Side || s.Cols != Side || len(s.Images) < s.N*Side*Side {
		panic(fmt.Sprintf("mnist: Preprocess.Fill: set is %d images of %d×%d in %d bytes, want 28×28", s.N, s.Rows, s.Cols, len(s.Images)))
	}
	for k, i := range idx {
		if i < 0 || int(i) >= s.N {
			panic(fmt.Sprintf("mnist: Preprocess.Fill: idx[%d] = %d out of range [0, %d)", k, i, s.N))
		}
		off := int(i) * Side * Side
		p.image((*[Pixels]float32)(dst[k*Pixels:]), (*[Side * Side]byte)(s.Images[off:]))
	}
}

func (p Preprocess) image(dst *[Pixels]float32, img *[Side * Side]byte) {
	switch p.Mode {
	case Resize:
		p.resize(dst, img)
	case Pad:
		p.pad(dst, img)
	default:
		panic(fmt.Sprintf("mnist: Preprocess: unknown mode %d", p.Mode))
	}
}

// pad copies the digit into the centre of a zero border.
func (p Preprocess) pad(dst *[Pixels]float32, img *[Side * Side]byte) {
	lut, zero := &unit, float32(0)
	if p.Normalize {
		lut, zero = &normLUT, normLUT[0]
	}
	for i := range dst {
		dst[i] = zero
	}
	for y := range Side {
		row := dst[(y+padIn)*Out+padIn : (y+padIn)*Out+padIn+Side]
		src := img[y*Side : y*Side+Side]
		for x, b := range src {
			row[x] = lut[b]
		}
	}
}

// resize is the contract's bilinear formula computed separably: the bracketed row terms
// (1-wx)*p[y][x0] + wx*p[y][x1] depend only on the source row y and output column, so they are
// computed once per source row and then blended vertically. The float32 operations and their
// order are exactly the contract's, so results are bit-identical to the direct formula.
func (p Preprocess) resize(dst *[Pixels]float32, img *[Side * Side]byte) {
	var h [Side * Out]float32
	for y := range Side {
		src := img[y*Side : y*Side+Side]
		row := h[y*Out : y*Out+Out]
		for x, t := range &taps {
			row[x] = float32(t.w0*unit[src[t.i0]]) + float32(t.w1*unit[src[t.i1]])
		}
	}
	for y, ty := range &taps {
		r0 := h[int(ty.i0)*Out : int(ty.i0)*Out+Out]
		r1 := h[int(ty.i1)*Out : int(ty.i1)*Out+Out]
		out := dst[y*Out : y*Out+Out]
		if p.Normalize {
			for x := range out {
				out[x] = normalize(float32(ty.w0*r0[x]) + float32(ty.w1*r1[x]))
			}
		} else {
			for x := range out {
				out[x] = float32(ty.w0*r0[x]) + float32(ty.w1*r1[x])
			}
		}
	}
}
