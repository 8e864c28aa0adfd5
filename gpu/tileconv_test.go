//go:build js

package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// TestTileConvParity checks the generated convolutions (forward, forward with BN statistics +
// bn_stats_parts, input gradient, weight gradient + reduce_chunks) against nncore's Conv2D on the model's shapes and awkward ones: sizes that no
// tile divides, one input or output channel, non-square maps, even kernels.
func TestTileConvParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct {
		n, cin, hh, ww, cout, k int
		dx                      bool
	}{
		{11, 1, 32, 32, 6, 5, false}, {9, 6, 14, 14, 16, 5, true}, {3, 3, 9, 11, 5, 3, true}, {1, 2, 7, 6, 7, 4, true},
		{2, 1, 8, 9, 9, 3, true}, {tileChunk + 3, 6, 12, 12, 1, 5, true},
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
			tc := tileConv{Cin: s.cin, H: s.hh, W: s.ww, Cout: s.cout, K: s.k, Woff: off}
			xb, pb := h.buf(x, 64), h.buf(p, 64)
			// The output, and the BN partial sums, which combine into the batch mean and biased
			// variance of each channel (float64 reference) and the running update.
			yb := h.buf(nil, len(want)+16)
			parts := h.buf(nil, 2*s.cout*tc.statSlices(s.n)+16)
			off4 := h.b.offsets(tc.forwardOffsets())
			h.run(tc.forward(), nil, st, tc.forwardThreads(s.n), 0, off4, Whole(xb), Whole(pb), Whole(yb), Whole(parts))
			checkTail(t, "conv forward", h.read(yb, len(want)+16), want, tol{1e-5, 1e-4})
			stats := h.buf(nil, 2*s.cout)
			bufs := h.buf(make([]float32, 2*s.cout+1), 0)
			pp := bnStatsPartsParams{C: uint32(s.cout), SPI: uint32(tc.statSlices(1)), Tile: uint32(tc.fwdRows() * tc.ow()), Moff: 1, Voff: uint32(1 + s.cout)}
			h.run(bnStatsPartsProgram, pp, st, 0, s.cout, Whole(parts), Whole(stats), Whole(bufs))
			wantStats := make([]float32, 2*s.cout)
			wantBufs := make([]float32, 2*s.cout+1)
			cnt := s.n * oh * ow
			for c := 0; c < s.cout; c++ {
				var sum, q float64
				for n := 0; n < s.n; n++ {
					for _, v := range want[(n*s.cout+c)*oh*ow : (n*s.cout+c+1)*oh*ow] {
						sum += float64(v)
					}
				}
				mean := sum / float64(cnt)
				for n := 0; n < s.n; n++ {
					for _, v := range want[(n*s.cout+c)*oh*ow : (n*s.cout+c+1)*oh*ow] {
						q += (float64(v) - mean) * (float64(v) - mean)
					}
				}
				wantStats[c], wantStats[s.cout+c] = float32(mean), float32(q/float64(cnt))
				wantBufs[1+c], wantBufs[1+s.cout+c] = float32(0.1*mean), float32(0.1*q/float64(cnt-1))
			}
			checkClose(t, "bn stats", h.read(stats, 2*s.cout), wantStats, tol{1e-5, 1e-4})
			checkClose(t, "running stats", h.read(bufs, 2*s.cout+1), wantBufs, tol{1e-5, 1e-4})

			dyb := h.buf(dy, 64)
			if s.dx {
				dxb := h.buf(nil, len(x)+16)
				h.run(tc.inputGrad(), nil, st, tc.inputGradThreads(s.n), 0, off4, Whole(dyb), Whole(pb), Whole(dxb))
				checkTail(t, "conv dx", h.read(dxb, len(x)+16), wantDX, tol{1e-5, 1e-4})
			}

			part := h.buf(nil, tc.wgSlices(s.n)*tc.total()+16)
			h.run(tc.weightGrad(), nil, st, tc.weightGradThreads(s.n), 0, Binding{}, Whole(dyb), Whole(xb), Whole(part))
			g := h.buf(make([]float32, len(p)), 0)
			rp := reduceChunksParams{Total: uint32(tc.total()), Off: uint32(off), Chunk: tileChunk, Per: uint32(tc.oh() / tc.wgRows())}
			h.run(reduceChunksProgram, rp, st, tc.total(), 0, Whole(part), Whole(g))
			gv := h.read(g, len(p))
			checkClose(t, "conv dw", gv[off:off+wsz], wantDW, tol{1e-4, 1e-4})
			checkClose(t, "conv db", gv[off+wsz:off+wsz+s.cout], wantDB, tol{1e-4, 1e-4})
			checkClose(t, "untouched", gv[:off], make([]float32, off), tol{})
			checkClose(t, "untouched", gv[off+wsz+s.cout:], make([]float32, 3), tol{})
		})
	}
}

// checkTail compares got[:len(want)] with want and checks that what follows is still the NaN
// junk the buffer was made with (nothing was written past the end).
func checkTail(t *testing.T, what string, got, want []float32, tl tol) {
	t.Helper()
	checkClose(t, what, got[:len(want)], want, tl)
	for i, v := range got[len(want):] {
		if v == v {
			t.Errorf("%s: wrote %g past the end (at %d)", what, v, len(want)+i)
			return
		}
	}
}
