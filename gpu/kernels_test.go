//go:build js

package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// harness runs single programs on buffers made from Go slices, for the kernel parity tests.
type harness struct {
	t    *testing.T
	d    *Device
	b    *builder
	step *Buffer
}

func newHarness(t *testing.T) *harness {
	d := openDevice(t)
	h := &harness{t: t, d: d, b: &builder{d: d}}
	h.step = h.b.buffer("step", 16, UsageUniform|UsageCopyDst)
	t.Cleanup(func() {
		for _, b := range h.b.bufs {
			b.Destroy()
		}
	})
	return h
}

// buf makes a storage buffer holding v followed by `junk` NaNs, so that stray reads show.
func (h *harness) buf(v []float32, junk int) *Buffer {
	data := append(append([]float32(nil), v...), make([]float32, junk)...)
	for i := len(v); i < len(data); i++ {
		data[i] = float32(nanF())
	}
	b := h.b.storage("test", len(data))
	h.d.WriteF32(b, 0, data)
	return b
}

func nanF() float64 { var z float64; return z / z }

func (h *harness) run(prog *program, params any, st stepUniform, threads int, groups int, bs ...Binding) {
	h.t.Helper()
	h.d.WriteU32(h.step, 0, []uint32{st.Step, st.N, st.Base, st.Train})
	var o *op
	if groups > 0 {
		o = h.b.fixed(prog, h.step, params, groups, bs...)
	} else {
		o = h.b.op(prog, h.step, params, func(int) int { return threads }, bs...)
	}
	if h.b.err != nil {
		h.t.Fatal(h.b.err)
	}
	enc := h.d.NewEncoder()
	o.encode(enc, int(st.N))
	enc.Submit()
}

func (h *harness) read(b *Buffer, n int) []float32 {
	h.t.Helper()
	v, err := h.d.ReadF32(b, 0, n)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

func randSlice(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// TestConvParity checks conv_forward (forward and, with pad2d, the input gradient) and
// conv_backward_weight + reduce_chunks against nncore's Conv2D on the model's shapes and awkward ones.
func TestConvParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ n, cin, hh, ww, cout, k int }{
		{11, 1, 32, 32, 6, 5}, {9, 6, 14, 14, 16, 5}, {3, 3, 9, 11, 5, 3}, {1, 2, 7, 6, 7, 4},
	} {
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			h.t = t
			oh, ow := s.hh-s.k+1, s.ww-s.k+1
			x := randSlice(r, s.n*s.cin*s.hh*s.ww)
			wsz := s.cout * s.cin * s.k * s.k
			off := 7 // parameters start at an odd offset in the packed buffer
			p := randSlice(r, off+wsz+s.cout+3)
			w, bias := p[off:off+wsz], p[off+wsz:off+wsz+s.cout]
			dy := randSlice(r, s.n*s.cout*oh*ow)
			want := make([]float32, s.n*s.cout*oh*ow)
			nncore.Conv2DForward(want, x, w, bias, s.n, s.cin, s.hh, s.ww, s.cout, s.k)
			wantDX := make([]float32, len(x))
			wantDW := make([]float32, wsz)
			wantDB := make([]float32, s.cout)
			nncore.Conv2DBackward(wantDX, wantDW, wantDB, dy, x, w, s.n, s.cin, s.hh, s.ww, s.cout, s.k)

			st := stepUniform{N: uint32(s.n), Train: 1}
			cp := newConv(s.cin, s.hh, s.ww, s.cout, s.k, off)
			xb, pb := h.buf(x, 64), h.buf(p, 64)
			yb := h.buf(nil, len(want)+16)
			h.run(convForwardProgram, cp, st, cp.forwardThreads(s.n), 0, Whole(xb), Whole(pb), Whole(yb))
			checkClose(t, "conv forward", h.read(yb, len(want)), want, tol{1e-5, 1e-4})

			dyb := h.buf(dy, 64)
			pp := pad2dParams{C: cp.Cout, H: cp.OH, W: cp.OW, Pad: cp.K - 1}
			padded := h.buf(nil, pp.threads(s.n))
			h.run(pad2dProgram, pp, st, pp.threads(s.n), 0, Whole(dyb), Whole(padded))
			ig := cp.inputGrad()
			dxb := h.buf(nil, len(x)+16)
			h.run(convForwardProgram, ig, st, ig.forwardThreads(s.n), 0, Whole(padded), Whole(pb), Whole(dxb))
			checkClose(t, "conv dx", h.read(dxb, len(x)), wantDX, tol{1e-5, 1e-4})

			wp := convWeightParams{Cin: cp.Cin, H: cp.H, W: cp.W, Cout: cp.Cout, K: cp.K, OH: cp.OH, OW: cp.OW, Chunk: convChunk}
			part := h.buf(nil, ceilDiv(s.n, convChunk)*wp.total())
			h.run(convBackwardWeightProgram, wp, st, wp.threads(s.n), 0, Whole(dyb), Whole(xb), Whole(part))
			g := h.buf(make([]float32, len(p)), 0)
			rp := reduceChunksParams{Total: uint32(wp.total()), Off: uint32(off), Chunk: convChunk}
			h.run(reduceChunksProgram, rp, st, wp.total(), 0, Whole(part), Whole(g))
			gv := h.read(g, len(p))
			checkClose(t, "conv dw", gv[off:off+wsz], wantDW, tol{1e-4, 1e-4})
			checkClose(t, "conv db", gv[off+wsz:off+wsz+s.cout], wantDB, tol{1e-4, 1e-4})
			checkClose(t, "untouched", gv[:off], make([]float32, off), tol{})
		})
	}
}
