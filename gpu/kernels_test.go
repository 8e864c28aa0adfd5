//go:build js

package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
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
	step := h.step
	if groups > 0 {
		o = h.b.fixed(prog, step, params, groups, bs...)
	} else {
		o = h.b.op(prog, step, params, func(int) int { return threads }, bs...)
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

// TestMatmulParity checks matmul (forward with bias, dx, dW) and bias_grad against nncore's Linear.
func TestMatmulParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct{ n, in, out int }{{16, 400, 120}, {11, 120, 84}, {7, 13, 9}, {1, 5, 3}, {5, 84, 10}, {37, 19, 17}} {
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			h.t = t
			x, dy := randSlice(r, s.n*s.in), randSlice(r, s.n*s.out)
			off := 5
			p := randSlice(r, off+s.out*s.in+s.out)
			w, bias := p[off:off+s.out*s.in], p[off+s.out*s.in:]
			want := make([]float32, s.n*s.out)
			nncore.LinearForward(want, x, w, bias, s.n, s.in, s.out)
			wdx, wdw, wdb := make([]float32, len(x)), make([]float32, len(w)), make([]float32, s.out)
			nncore.LinearBackward(wdx, wdw, wdb, dy, x, w, s.n, s.in, s.out)
			st := stepUniform{N: uint32(s.n), Train: 1}
			xb, pb, dyb := h.buf(x, 32), h.buf(p, 32), h.buf(dy, 32)
			yb := h.buf(nil, len(want)+8)
			mp := matmulParams{M: 999, N: uint32(s.out), K: uint32(s.in), Sam: uint32(s.in), Sak: 1, Sbk: 1, Sbn: uint32(s.in),
				Boff: uint32(off), BiasOff: uint32(off + s.out*s.in), HasBias: 1, BatchDim: 1}
			h.run(matmulProgram, mp, st, mp.threads(s.n), 0, Whole(xb), Whole(pb), Whole(pb), Whole(yb))
			checkClose(t, "forward", h.read(yb, len(want)), want, tol{1e-5, 1e-4})
			// The generated tile matmuls (tilematmul.go), for the same three products.
			tyb := h.buf(nil, len(want)+8)
			h.run(mp.tileProgram(), nil, st, mp.tileThreads(s.n), 0, h.b.offsets(mp.tileOffsets()), Whole(xb), Whole(pb), Whole(pb), Whole(tyb))
			checkTail(t, "tile forward", h.read(tyb, len(want)+8), want, tol{1e-5, 1e-4})
			dxb := h.buf(nil, len(x)+8)
			xp := matmulParams{M: 999, N: uint32(s.in), K: uint32(s.out), Sam: uint32(s.out), Sak: 1, Sbk: uint32(s.in), Sbn: 1,
				Boff: uint32(off), BatchDim: 1}
			h.run(matmulProgram, xp, st, xp.threads(s.n), 0, Whole(dyb), Whole(pb), Whole(pb), Whole(dxb))
			checkClose(t, "dx", h.read(dxb, len(x)), wdx, tol{1e-5, 1e-4})
			tdxb := h.buf(nil, len(x)+8)
			h.run(xp.tileProgram(), nil, st, xp.tileThreads(s.n), 0, h.b.offsets(xp.tileOffsets()), Whole(dyb), Whole(pb), Binding{}, Whole(tdxb))
			checkTail(t, "tile dx", h.read(tdxb, len(x)+8), wdx, tol{1e-5, 1e-4})
			g := h.buf(make([]float32, len(p)), 0)
			wp := matmulParams{M: uint32(s.out), N: uint32(s.in), K: 999, Sam: 1, Sak: uint32(s.out), Sbk: uint32(s.in), Sbn: 1,
				Coff: uint32(off), BatchDim: 2}
			h.run(matmulProgram, wp, st, wp.threads(s.n), 0, Whole(dyb), Whole(xb), Whole(pb), Whole(g))
			bg := biasGradParams{C: uint32(s.out), Off: uint32(off + s.out*s.in)}
			h.run(biasGradProgram, bg, st, s.out, 0, Whole(dyb), Whole(g))
			gv := h.read(g, len(p))
			checkClose(t, "dw", gv[off:off+len(w)], wdw, tol{1e-5, 1e-4})
			checkClose(t, "db", gv[off+len(w):], wdb, tol{1e-5, 1e-4})
			checkClose(t, "untouched", gv[:off], make([]float32, off), tol{})
			tg := h.buf(make([]float32, len(p)), 0)
			h.run(wp.tileProgram(), nil, st, wp.tileThreads(s.n), 0, h.b.offsets(wp.tileOffsets()), Whole(dyb), Whole(xb), Binding{}, Whole(tg))
			tgv := h.read(tg, len(p))
			checkClose(t, "tile dw", tgv[off:off+len(w)], wdw, tol{1e-5, 1e-4})
			checkClose(t, "tile untouched", append(tgv[:off:off], tgv[off+len(w):]...), make([]float32, off+s.out), tol{})
		})
	}
}

// TestBNTailParity checks bn_stats, bn_act (BN → dropout → ReLU → pool), bn_act_back, bn_backward
// and bn_backward_apply against nncore's BatchNorm, Dropout, ReLU and MaxPool, including the
// running-statistics update, the evaluation path and the first sample's dropout mask.
func TestBNTailParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(5, 6))
	const seed, step, layer = uint64(0x1234567890), uint32(17), uint32(2)
	for _, s := range []struct {
		n, c, hh, ww   int
		bn, pool, relu bool
		p              float32
	}{
		{9, 6, 28, 28, true, true, true, 0.5}, {5, 3, 6, 7, true, true, true, 0.2}, {6, 4, 4, 6, true, true, true, 0}, {7, 5, 1, 1, true, false, true, 0.5},
		{3, 16, 10, 10, false, true, true, 0.5}, {13, 84, 1, 1, false, false, true, 0}, {4, 2, 3, 5, true, false, false, 0},
	} {
		t.Run(fmt.Sprint(s), func(t *testing.T) {
			h.t = t
			hw := s.hh * s.ww
			size := s.n * s.c * hw
			z := randSlice(r, size)
			off := 3
			p := randSlice(r, off+2*s.c)
			gamma, beta := p[off:off+s.c], p[off+s.c:]
			bufs := append(randSlice(r, s.c), make([]float32, s.c)...)
			for i := s.c; i < 2*s.c; i++ {
				bufs[i] = 0.5 + r.Float32()
			}
			// CPU twin.
			y := append([]float32(nil), z...)
			mean, vr := make([]float32, s.c), make([]float32, s.c)
			wantRun := append([]float32(nil), bufs...)
			if s.bn {
				nncore.BatchNormTrainForward(y, mean, vr, z, gamma, beta, s.n, s.c, hw)
				nncore.BatchNormUpdateRunning(wantRun[:s.c], wantRun[s.c:], mean, vr, s.n*hw)
			}
			a := append([]float32(nil), y...)
			if s.p > 0 {
				nncore.DropoutForward(a, y, seed, step, layer, s.p, 0)
			}
			if s.relu {
				nncore.ReLUForward(a, a)
			}
			out, arg := a, []int32(nil)
			if s.pool {
				out = make([]float32, s.n*s.c*(s.hh/2)*(s.ww/2))
				arg = make([]int32, len(out))
				nncore.MaxPoolForward(out, arg, a, s.n, s.c, s.hh, s.ww)
			}
			dout := randSlice(r, len(out))
			ga := make([]float32, size)
			if s.pool {
				nncore.MaxPoolBackward(ga, dout, arg)
			} else {
				copy(ga, dout)
			}
			gy := make([]float32, size)
			if s.relu {
				nncore.ReLUBackward(gy, ga, a)
			} else {
				copy(gy, ga)
			}
			if s.p > 0 {
				g2 := make([]float32, size)
				nncore.DropoutBackward(g2, gy, seed, step, layer, s.p, 0)
				gy = g2
			}
			wantDZ := gy
			dgamma, dbeta := make([]float32, s.c), make([]float32, s.c)
			if s.bn {
				wantDZ = make([]float32, size)
				nncore.BatchNormBackward(wantDZ, dgamma, dbeta, gy, z, gamma, mean, vr, s.n, s.c, hw)
			}

			// GPU.
			st := stepUniform{Step: step, N: uint32(s.n), Train: 1}
			zb, pb, bb := h.buf(z, 16), h.buf(p, 16), h.buf(bufs, 0)
			stats := h.buf(nil, 2*s.c)
			if s.bn {
				sp := bnStatsParams{C: uint32(s.c), HW: uint32(hw), Moff: 0, Voff: uint32(s.c)}
				if hw == 1 {
					// bn_stats1d must agree too (from the same running statistics).
					stats1, bb1 := h.buf(nil, 2*s.c), h.buf(bufs, 0)
					h.run(bnStats1dProgram, sp, st, s.c, 0, Whole(zb), Whole(stats1), Whole(bb1))
					sv := h.read(stats1, 2*s.c)
					checkClose(t, "1d batch mean", sv[:s.c], mean, tol{1e-5, 1e-4})
					checkClose(t, "1d batch var", sv[s.c:], vr, tol{1e-5, 1e-4})
					checkClose(t, "1d running stats", h.read(bb1, 2*s.c), wantRun, tol{1e-5, 1e-4})
				}
				h.run(bnStatsProgram, sp, st, 0, s.c, Whole(zb), Whole(stats), Whole(bb))
				sv := h.read(stats, 2*s.c)
				checkClose(t, "batch mean", sv[:s.c], mean, tol{1e-5, 1e-4})
				checkClose(t, "batch var", sv[s.c:], vr, tol{1e-5, 1e-4})
				checkClose(t, "running stats", h.read(bb, 2*s.c), wantRun, tol{1e-5, 1e-4})
			}
			ap := bnActParams{C: uint32(s.c), H: uint32(s.hh), W: uint32(s.ww), Seed: seed32Of(seed), Layer: layer, Scale: 1}
			if s.bn {
				ap.HasBN, ap.GammaOff, ap.BetaOff, ap.Moff, ap.Voff = 1, uint32(off), uint32(off+s.c), 0, uint32(s.c)
			}
			if s.p > 0 {
				ap.Drop, ap.Threshold, ap.Scale = 1, nncore.DropoutThreshold(s.p), nncore.DropoutScale(s.p)
			}
			if s.relu {
				ap.Relu = 1
			}
			if s.pool {
				ap.Pool = 1
			}
			outb, argb, maskb := h.buf(nil, len(out)+8), h.buf(nil, len(out)+8), h.buf(nil, s.c*hw)
			h.run(bnActProgram, ap, st, ap.threads(s.n), 0, Whole(zb), Whole(pb), Whole(bb), Whole(stats), Whole(outb), Whole(argb), Whole(maskb))
			checkClose(t, "out", h.read(outb, len(out)), out, tol{1e-5, 1e-4})
			if s.pool {
				raw := make([]byte, 4*len(out))
				if err := h.d.ReadMany([]ReadReq{{argb, 0, raw}}); err != nil {
					t.Fatal(err)
				}
				bad := 0
				for q := range arg {
					// nncore's arg is a flat index into a; ours is the position in the window.
					pos := int(raw[4*q])
					ow := s.ww / 2
					oy, ox := (q/ow)%(s.hh/2), q%ow
					nc := q / (ow * (s.hh / 2))
					flat := (nc*s.hh+2*oy+pos/2)*s.ww + 2*ox + pos%2
					if flat != int(arg[q]) && out[q] > 0 {
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%d argmax positions differ", bad)
				}
			}
			if s.p > 0 {
				raw := make([]byte, 4*s.c*hw)
				if err := h.d.ReadMany([]ReadReq{{maskb, 0, raw}}); err != nil {
					t.Fatal(err)
				}
				for e := 0; e < s.c*hw; e++ {
					if s.pool && (e%s.ww >= s.ww/2*2 || e/s.ww%s.hh >= s.hh/2*2) {
						continue // outside every pooling window: not computed (documented in bn_act.wgsl)
					}
					if (raw[4*e] == 1) != nncore.DropoutKeep(seed, step, layer, uint32(e), s.p) {
						t.Fatalf("mask0[%d] = %d differs from the contract's hash", e, raw[4*e])
					}
				}
			}
			// Backward.
			doutb, gb := h.buf(dout, 8), h.buf(nil, size+8)
			bp := bnActBackParams{C: ap.C, H: ap.H, W: ap.W, Relu: ap.Relu, Pool: ap.Pool, Drop: ap.Drop, Scale: ap.Scale}
			h.run(bnActBackProgram, bp, st, bp.threads(s.n), 0, Whole(doutb), Whole(outb), Whole(argb), Whole(gb))
			checkClose(t, "g (before BN)", h.read(gb, size), gy, tol{1e-6, 1e-5})
			if s.bn {
				// mode 0 from g, and the fused mode (1 with pool, 2 with ReLU) from dout.
				modes := []uint32{0}
				if s.pool {
					modes = append(modes, 1)
				} else if s.relu {
					modes = append(modes, 2)
				}
				for _, mode := range modes {
					gin, argB := gb, h.buf(nil, 1)
					if mode == 1 {
						gin, argB = doutb, argb
					} else if mode == 2 {
						gin = doutb
					}
					sums, grads, dz := h.buf(nil, 2*s.c), h.buf(make([]float32, len(p)), 0), h.buf(nil, size+8)
					bk := bnBackwardParams{C: uint32(s.c), H: uint32(s.hh), W: uint32(s.ww), GammaOff: uint32(off), BetaOff: uint32(off + s.c), Mode: mode, Scale: ap.Scale}
					if hw == 1 {
						// bn_backward1d must give the same sums and γ/β gradients.
						sums1, grads1 := h.buf(nil, 2*s.c), h.buf(make([]float32, len(p)), 0)
						h.run(bnBackward1dProgram, bk, st, s.c, 0, Whole(gin), Whole(outb), Binding{}, Whole(zb), Whole(stats), Whole(sums1), Whole(grads1))
						gv := h.read(grads1, len(p))
						checkClose(t, fmt.Sprintf("1d mode %d dgamma", mode), gv[off:off+s.c], dgamma, tol{1e-4, 1e-4})
						checkClose(t, fmt.Sprintf("1d mode %d dbeta", mode), gv[off+s.c:], dbeta, tol{1e-4, 1e-4})
						sv := h.read(sums1, 2*s.c)
						checkClose(t, fmt.Sprintf("1d mode %d sums", mode), sv, append(append([]float32(nil), dbeta...), dgamma...), tol{1e-4, 1e-4})
					}
					h.run(bnBackwardProgram, bk, st, 0, s.c, Whole(gin), Whole(outb), Whole(argB), Whole(zb), Whole(stats), Whole(sums), Whole(grads))
					ba := bnBackwardApplyParams{C: uint32(s.c), H: uint32(s.hh), W: uint32(s.ww), GammaOff: uint32(off), Mode: mode, Scale: ap.Scale}
					h.run(bnBackwardApplyProgram, ba, st, ba.threads(s.n), 0, Whole(gin), Whole(outb), Whole(argB), Whole(zb), Whole(stats), Whole(sums), Whole(pb), Whole(dz))
					gv := h.read(grads, len(p))
					checkClose(t, fmt.Sprintf("mode %d dgamma", mode), gv[off:off+s.c], dgamma, tol{1e-4, 1e-4})
					checkClose(t, fmt.Sprintf("mode %d dbeta", mode), gv[off+s.c:], dbeta, tol{1e-4, 1e-4})
					if mode != 1 || s.hh%2 == 0 && s.ww%2 == 0 {
						checkClose(t, fmt.Sprintf("mode %d dz", mode), h.read(dz, size), wantDZ, tol{1e-5, 1e-3})
					}
				}
			}
			// Evaluation: running statistics, no dropout.
			if s.bn {
				ev := append([]float32(nil), z...)
				nncore.BatchNormEvalForward(ev, z, gamma, beta, wantRun[:s.c], wantRun[s.c:], s.n, s.c, hw)
				if s.relu {
					nncore.ReLUForward(ev, ev)
				}
				if s.pool {
					pv := make([]float32, len(out))
					nncore.MaxPoolForward(pv, make([]int32, len(out)), ev, s.n, s.c, s.hh, s.ww)
					ev = pv
				}
				h.run(bnActProgram, ap, stepUniform{N: uint32(s.n)}, ap.threads(s.n), 0, Whole(zb), Whole(pb), Whole(bb), Whole(stats), Whole(outb), Whole(argb), Whole(maskb))
				checkClose(t, "eval out", h.read(outb, len(ev)), ev, tol{1e-5, 1e-4})
				if s.pool && s.relu && s.hh%2 == 0 && s.ww%2 == 0 {
					tt := tileTail{C: s.c, H: s.hh, W: s.ww, BN: true, GammaOff: off, BetaOff: off + s.c, Moff: 0, Voff: s.c}
					eb := h.buf(nil, len(ev)+8)
					h.run(tt.act(false), nil, stepUniform{N: uint32(s.n)}, tt.threads(s.n), 0,
						bindAt(9, map[int]Binding{1: h.b.offsets(tt.offsets()), 2: Whole(zb), 3: Whole(pb), 4: Whole(bb), 6: Whole(eb)})...)
					checkTail(t, "tile eval out", h.read(eb, len(ev)+8), ev, tol{1e-5, 1e-4})
				}
			}
			// The generated conv tails (tiletail.go): the same forward and backward numbers.
			if s.pool && s.relu && s.hh%2 == 0 && s.ww%2 == 0 {
				tt := tileTail{C: s.c, H: s.hh, W: s.ww, BN: s.bn, GammaOff: off, BetaOff: off + s.c, Moff: 0, Voff: s.c,
					Drop: s.p > 0, Threshold: ap.Threshold, Scale: ap.Scale, Seed: ap.Seed, Layer: layer}
				tout, targ, tmask := h.buf(nil, len(out)+8), h.buf(nil, len(out)+8), h.buf(nil, s.c*hw+8)
				bs := map[int]Binding{2: Whole(zb), 6: Whole(tout), 7: Whole(targ)}
				if s.bn {
					bs[1], bs[3], bs[5] = h.b.offsets(tt.offsets()), Whole(pb), Whole(stats)
				}
				if s.p > 0 {
					bs[1], bs[8] = h.b.offsets(tt.offsets()), Whole(tmask)
				}
				h.run(tt.act(true), nil, st, tt.threads(s.n), 0, bindAt(9, bs)...)
				checkTail(t, "tile out", h.read(tout, len(out)+8), out, tol{1e-5, 1e-4})
				if s.p > 0 {
					raw := make([]byte, 4*(s.c*hw+8))
					if err := h.d.ReadMany([]ReadReq{{tmask, 0, raw}}); err != nil {
						t.Fatal(err)
					}
					for e := 0; e < s.c*hw; e++ {
						if (raw[4*e] == 1) != nncore.DropoutKeep(seed, step, layer, uint32(e), s.p) {
							t.Fatalf("tile mask0[%d] = %d differs from the contract's hash", e, raw[4*e])
						}
					}
				}
				tdz := h.buf(nil, size+8)
				if s.bn {
					parts, sums, grads := h.buf(nil, 2*s.c*tt.slices(s.n)), h.buf(nil, 2*s.c), h.buf(make([]float32, len(p)), 0)
					h.run(tt.backSums(), nil, st, tt.threads(s.n), 0,
						bindAt(8, map[int]Binding{2: Whole(doutb), 3: Whole(tout), 4: Whole(targ), 5: Whole(zb), 6: Whole(stats), 7: Whole(parts)})...)
					pp := bnBackwardPartsParams{C: uint32(s.c), SPI: uint32(tt.slices(1)), GammaOff: uint32(off), BetaOff: uint32(off + s.c)}
					h.run(bnBackwardPartsProgram, pp, st, 0, s.c, Whole(parts), Whole(sums), Whole(grads))
					gv := h.read(grads, len(p))
					checkClose(t, "tile dgamma", gv[off:off+s.c], dgamma, tol{1e-4, 1e-4})
					checkClose(t, "tile dbeta", gv[off+s.c:], dbeta, tol{1e-4, 1e-4})
					h.run(tt.back(), nil, st, tt.threads(s.n), 0, bindAt(10, map[int]Binding{1: h.b.offsets(tt.offsets()), 2: Whole(doutb), 3: Whole(tout), 4: Whole(targ),
						5: Whole(zb), 6: Whole(stats), 7: Whole(sums), 8: Whole(pb), 9: Whole(tdz)})...)
				} else {
					h.run(tt.back(), nil, st, tt.threads(s.n), 0, bindAt(10, map[int]Binding{2: Whole(doutb), 3: Whole(tout), 4: Whole(targ), 9: Whole(tdz)})...)
				}
				checkTail(t, "tile dz", h.read(tdz, size+8), wantDZ, tol{1e-5, 1e-3})
			}
		})
	}
}

// TestGatherParity checks the generated gather (tilegather.go) against mnist.Preprocess.Fill
// (resize and pad, normalized or not; training from idx and evaluation from a base), the labels,
// and the input dropout (drop0) over the whole batch and its mask, against the contract's hash.
func TestGatherParity(t *testing.T) {
	h := newHarness(t)
	set := synthSet(37, 9)
	imgs := make([]uint32, (len(set.Images)+3)/4)
	for i, b := range set.Images {
		imgs[i/4] |= uint32(b) << (8 * (i % 4))
	}
	labs := labelsU32(set)
	idx := []int32{36, 0, 5, 5, 17, 2, 30}
	const seed, step = uint64(77), uint32(3)
	for _, c := range []struct {
		mode mnist.Mode
		norm bool
		p    float32
	}{{mnist.Resize, true, 0.2}, {mnist.Pad, true, 0}, {mnist.Resize, false, 0}, {mnist.Pad, false, 0.5}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			h.t = t
			want := make([]float32, len(idx)*1024)
			mnist.Preprocess{Mode: c.mode, Normalize: c.norm}.Fill(want, set, idx)
			tg := tileGather{Train: true, Pad: c.mode == mnist.Pad, Normalize: c.norm, Drop: c.p > 0, Seed: seed32Of(seed), Scale: 1}
			if c.p > 0 {
				tg.Threshold, tg.Scale = nncore.DropoutThreshold(c.p), nncore.DropoutScale(c.p)
				nncore.DropoutForward(want, want, seed, step, 0, c.p, 0)
			}
			ib := h.b.storage("imgs", len(imgs))
			h.d.WriteU32(ib, 0, imgs)
			lb := h.b.storage("labels", len(labs))
			h.d.WriteU32(lb, 0, labs)
			xb := h.b.storage("idx", len(idx))
			h.d.WriteU32(xb, 0, func() []uint32 {
				u := make([]uint32, len(idx))
				for i, v := range idx {
					u[i] = uint32(v)
				}
				return u
			}())
			out, ylab, mask := h.buf(nil, len(want)+8), h.buf(nil, len(idx)+1), h.buf(nil, 1024+8)
			bs := map[int]Binding{2: Whole(ib), 3: Whole(lb), 4: Whole(xb), 6: Whole(out), 7: Whole(ylab)}
			if tg.Drop {
				bs[1], bs[8] = h.b.offsets(offsets{Seed: tg.Seed}), Whole(mask)
			}
			h.run(tg.program(), nil, stepUniform{Step: step, N: uint32(len(idx)), Train: 1}, tileGatherThreads(len(idx)), 0, bindAt(9, bs)...)
			// ±1e-6: the shader compiler may fuse the bilinear blend's multiply-adds.
			got := h.read(out, len(want)+8)
			checkTail(t, "x", got, want, tol{1e-6, 1e-6})
			if c.p > 0 {
				mv := make([]byte, 4*1024)
				if err := h.d.ReadMany([]ReadReq{{mask, 0, mv}}); err != nil {
					t.Fatal(err)
				}
				for e := range want {
					keep := nncore.DropoutKeep(seed, step, 0, uint32(e), c.p)
					if !keep && got[e] != 0 || keep && want[e] != 0 && got[e] == 0 {
						t.Fatalf("element %d = %g, but the contract's hash says keep = %v", e, got[e], keep)
					}
					if e < 1024 && (mv[4*e] == 1) != keep {
						t.Fatalf("mask0[%d] = %d, but the contract's hash says keep = %v", e, mv[4*e], keep)
					}
				}
			}
			checkLabels := func(what string, ids []int32) {
				t.Helper()
				raw := make([]byte, 4*len(ids))
				if err := h.d.ReadMany([]ReadReq{{ylab, 0, raw}}); err != nil {
					t.Fatal(err)
				}
				for i, v := range ids {
					if raw[4*i] != set.Labels[v] {
						t.Errorf("%s label %d = %d, want %d", what, i, raw[4*i], set.Labels[v])
					}
				}
			}
			checkLabels("training", idx)

			// Evaluation: images base, base+1, …, no dropout.
			const base, n = 29, 8
			evIdx := []int32{29, 30, 31, 32, 33, 34, 35, 36}
			ev := make([]float32, n*1024)
			mnist.Preprocess{Mode: c.mode, Normalize: c.norm}.Fill(ev, set, evIdx)
			tg.Train = false
			eout := h.buf(nil, len(ev)+8)
			ylab = h.buf(nil, n+1)
			h.run(tg.program(), nil, stepUniform{Step: step, N: n, Base: base}, tileGatherThreads(n), 0,
				bindAt(9, map[int]Binding{2: Whole(ib), 3: Whole(lb), 6: Whole(eout), 7: Whole(ylab)})...)
			checkTail(t, "eval x", h.read(eout, len(ev)+8), ev, tol{1e-6, 1e-6})
			checkLabels("evaluation", evIdx)
		})
	}
}

// TestLossAndSGDParity checks softmax_xent + stats_accum against nncore.SoftmaxCrossEntropy and sgd
// against nncore.SGDStep (plain, weight decay, momentum).
func TestLossAndSGDParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 13, 256} {
		logits := randSlice(r, n*10)
		for i := range logits {
			logits[i] *= 3
		}
		labels := make([]uint32, n)
		li := make([]int32, n)
		for i := range labels {
			labels[i] = uint32(r.IntN(10))
			li[i] = int32(labels[i])
		}
		want := make([]float32, n*10)
		_, sum, correct := nncore.SoftmaxCrossEntropy(want, logits, li, n, 10)
		lb := h.b.storage("labels", n)
		h.d.WriteU32(lb, 0, labels)
		d, lc, acc := h.buf(nil, n*10), h.buf(nil, 2*n), h.buf(make([]float32, 4), 0)
		st := stepUniform{N: uint32(n), Train: 1}
		h.run(softmaxProgram, softmaxParams{Classes: 10, Grad: 1}, st, n, 0, Whole(h.buf(logits, 0)), Whole(lb), Whole(d), Whole(lc))
		h.run(statsAccumProgram, nil, st, 0, 1, Whole(lc), Whole(acc))
		h.run(statsAccumProgram, nil, st, 0, 1, Whole(lc), Whole(acc))
		checkClose(t, fmt.Sprintf("n=%d dlogits", n), h.read(d, n*10), want, tol{1e-7, 1e-4})
		a := h.read(acc, 4)
		if math.Abs(float64(a[0]-a[1])-2*sum) > 1e-5*2*sum+1e-5 || int(a[2]) != 2*correct || int(a[3]) != 2*n {
			t.Errorf("n=%d: sums %v, want loss %v, correct %d, count %d (twice)", n, a, 2*sum, 2*correct, 2*n)
		}
	}
	for _, c := range []sgdParams{{LR: 0.1}, {LR: 0.05, WD: 5e-4}, {LR: 0.1, Momentum: 0.9, WD: 1e-3}} {
		w, g, v := randSlice(r, 1001), randSlice(r, 1001), randSlice(r, 1001)
		ww, wv := append([]float32(nil), w...), append([]float32(nil), v...)
		for s := 0; s < 2; s++ {
			nncore.SGDStep(ww, g, wv, c.LR, c.Momentum, c.WD)
		}
		c.Count = 1001
		wb, gb, vb := h.buf(w, 0), h.buf(g, 0), h.buf(v, 0)
		for s := 0; s < 2; s++ {
			h.run(sgdProgram, c, stepUniform{}, 1001, 0, Whole(wb), Whole(gb), Whole(vb))
		}
		checkClose(t, fmt.Sprintf("sgd %+v w", c), h.read(wb, 1001), ww, tol{1e-6, 1e-6})
		if c.Momentum > 0 {
			checkClose(t, fmt.Sprintf("sgd %+v v", c), h.read(vb, 1001), wv, tol{1e-6, 1e-6})
		}
	}
}

func seed32Of(s uint64) uint32 { return uint32(s) ^ uint32(s>>32) }

// TestBN0GradParity checks bn0_grad (with the tile weight gradient against the raw input) against the
// CPU's path: conv1's input gradient, then BatchNorm's backward pass over it.
func TestBN0GradParity(t *testing.T) {
	h := newHarness(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{3, 16} {
		x0 := make([]float32, n*1024)
		for i := range x0 {
			x0[i] = r.Float32()
		}
		dz := randSlice(r, n*6*28*28)
		off := 11
		p := randSlice(r, off+150+6)
		w := p[off : off+150]
		gamma, beta := []float32{1.3}, []float32{0.2}
		xin := make([]float32, len(x0))
		mean, vr := make([]float32, 1), make([]float32, 1)
		nncore.BatchNormTrainForward(xin, mean, vr, x0, gamma, beta, n, 1, 1024)
		dx := make([]float32, len(x0))
		nncore.Conv2DBackward(dx, make([]float32, 150), make([]float32, 6), dz, xin, w, n, 1, 32, 32, 6, 5)
		dg, db := make([]float32, 1), make([]float32, 1)
		nncore.BatchNormBackward(nil, dg, db, dx, x0, gamma, mean, vr, n, 1, 1024)

		st := stepUniform{N: uint32(n), Train: 1}
		tc := tileConv{Cin: 1, H: 32, W: 32, Cout: 6, K: 5}
		part, raw := h.buf(nil, tc.wgSlices(n)*tc.total()), h.buf(nil, tc.total())
		h.run(tc.weightGrad(), nil, st, tc.weightGradThreads(n), 0, Binding{}, Whole(h.buf(dz, 0)), Whole(h.buf(x0, 16)), Whole(part))
		rp := reduceChunksParams{Total: uint32(tc.total()), Chunk: tileChunk, Per: uint32(tc.oh() / tc.wgRows())}
		h.run(reduceChunksProgram, rp, st, tc.total(), 0, Whole(part), Whole(raw))
		grads := h.buf(make([]float32, 4), 0)
		gp := bn0GradParams{Woff: uint32(off), Cout: 6, KK: 25, GammaOff: 1, BetaOff: 2}
		h.run(bn0GradProgram, gp, st, 0, 1, Whole(h.buf(p, 0)), Whole(h.buf(append(mean, vr...), 0)), Whole(raw), Whole(grads))
		g := h.read(grads, 4)
		checkClose(t, fmt.Sprintf("n=%d dgamma0", n), g[1:2], dg, tol{1e-3, 1e-3})
		checkClose(t, fmt.Sprintf("n=%d dbeta0", n), g[2:3], db, tol{1e-3, 1e-3})
		if g[0] != 0 || g[3] != 0 {
			t.Errorf("bn0_grad wrote outside γ and β: %v", g)
		}
	}
}
