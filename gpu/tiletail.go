//go:build js

package gpu

import "fmt"

// tileTail is a conv layer's tail baked into generated WGSL: [BatchNorm2d] → [dropout] → ReLU →
// 2×2 max-pool over z [n,c,h,w] (h and w even), the model's conv1 and conv2 tails. Its programs do
// what bn_act, bn_backward + bn_backward_apply (mode 1) and bn_act_back do for these layers, with
// the same numbers, but a thread works through a whole tile of pooled rows of one channel of one
// image with every index a constant offset from the tile's base: no divisions, no loops, and the
// channel's BN constants loaded once per tile instead of once per element (see tileconv.go).
type tileTail struct {
	C, H, W int
	BN      bool
	// BN parameters and running statistics (offsets into the parameter and buffer arrays; read
	// from the Offsets uniform, not baked in, so that the variants share the programs).
	GammaOff, BetaOff, Moff, Voff int
	Drop                          bool // dropout in training (Threshold, Scale, Seed, Layer: docs/CONTRACT.md)
	Threshold                     uint32
	Scale                         float32
	Seed, Layer                   uint32
}

func (c tileTail) ph() int { return c.H / 2 }
func (c tileTail) pw() int { return c.W / 2 }

// tailTile bounds the pooled values of a tile: on SwiftShader conv1's tail runs as fast with 14
// as with 28 and compiles in half the time; with 98 it spills registers (2× slower, 12 s to compile).
var tailTile = 14

// rows is a tile's height in pooled rows: the largest divisor of ph with at most tailTile pooled
// values per tile.
func (c tileTail) rows() int {
	best := 1
	for r := 1; r <= c.ph(); r++ {
		if c.ph()%r == 0 && r*c.pw() <= tailTile {
			best = r
		}
	}
	return best
}

func (c tileTail) tiles() int { return c.C * (c.ph() / c.rows()) }

func (c tileTail) threads(n int) int { return n * c.tiles() }

// slices is the number of partial sums backSums leaves per channel for n images.
func (c tileTail) slices(n int) int { return n * (c.ph() / c.rows()) }

func (c tileTail) name(kind string) string {
	k := c
	k.GammaOff, k.BetaOff, k.Moff, k.Voff, k.Seed = 0, 0, 0, 0, 0
	return fmt.Sprintf("ttail_%s_%+v_r%d", kind, k, c.rows())
}

// offsets returns the Offsets uniform of act and back: γ, β, running mean, running variance,
// and the dropout seed.
func (c tileTail) offsets() offsets {
	return offsets{A: uint32(c.GammaOff), B: uint32(c.BetaOff), C: uint32(c.Moff), D: uint32(c.Voff), Seed: c.Seed}
}

// prologue writes the thread's decomposition: n, ch, rb, zb (flat index of the tile's first z
// value) and ob (flat index of its first pooled value).
func (c tileTail) prologue(b *wgslWriter) {
	r := c.rows()
	nrb := c.ph() / r
	b.p("  if (t >= st.n * %du) {\n    return;\n  }\n", c.tiles())
	b.p("  let rb = t %% %du;\n  let ch = t / %du %% %du;\n  let n = t / %du;\n", nrb, nrb, c.C, c.tiles())
	b.p("  let zb = ((n * %du + ch) * %du + rb * %du) * %du;\n", c.C, c.H, 2*r, c.W)
	b.p("  let ob = ((n * %du + ch) * %du + rb * %du) * %du;\n", c.C, c.ph(), r, c.pw())
}

// each calls f for every pooled value of a tile: its offset from ob and the offsets of its 2×2
// window from zb, in row-major order.
func (c tileTail) each(f func(q int, e [4]int)) {
	for py := 0; py < c.rows(); py++ {
		for px := 0; px < c.pw(); px++ {
			e0 := 2*py*c.W + 2*px
			f(py*c.pw()+px, [4]int{e0, e0 + 1, e0 + c.W, e0 + c.W + 1})
		}
	}
}

// act returns the forward program, for training (batch statistics, dropout, masks) or evaluation
// (running statistics). Bindings (bn_act's, with the Offsets at 1 for BN or dropout): 0 Step,
// 1 Offsets, 2 z, 3 p, 4 bufs, 5 stats, 6 out, 7 argmax, 8 mask0 — in evaluation no stats, argmax
// or mask0; without BN no p, bufs or stats. Threads: threads(n).
func (c tileTail) act(train bool) *program {
	kind := "act_eval"
	if train {
		kind = "act_train"
	}
	return tileProgram(c.name(kind), func() string {
		drop := train && c.Drop
		var b wgslWriter
		b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
		b.p("@group(0) @binding(2) var<storage, read> z: array<f32>;\n")
		if c.BN || drop {
			b.p("%s", offsetsWGSL)
		}
		if c.BN {
			b.p("@group(0) @binding(3) var<storage, read> p: array<f32>;\n")
			if train {
				b.p("@group(0) @binding(5) var<storage, read> stats: array<f32>;\n")
			} else {
				b.p("@group(0) @binding(4) var<storage, read> bufs: array<f32>;\n")
			}
		}
		b.p("@group(0) @binding(6) var<storage, read_write> out: array<f32>;\n")
		if train {
			b.p("@group(0) @binding(7) var<storage, read_write> argmax: array<u32>;\n")
		}
		if drop {
			b.p("@group(0) @binding(8) var<storage, read_write> mask0: array<u32>;\n")
		}
		b.p("@compute @workgroup_size(64)\n")
		b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.p("  let t = flat_id(wid, nwg, lid, 64u);\n")
		c.prologue(&b)
		if c.BN {
			if train {
				b.p("  let mean = stats[ch];\n  let vr = stats[%du + ch];\n", c.C)
			} else {
				b.p("  let mean = bufs[off.c + ch];\n  let vr = bufs[off.d + ch];\n")
			}
			b.p("  let scale = p[off.a + ch] / sqrt(vr + 1e-5);\n  let shift = p[off.b + ch] - mean * scale;\n")
		}
		if drop {
			b.p("  let key = drop_key(off.seed, st.step, %du);\n", c.Layer)
		}
		c.each(func(q int, e [4]int) {
			for j, o := range e {
				b.p("  var v%d_%d = z[zb + %du];\n", q, j, o)
				if c.BN {
					b.p("  v%d_%d = v%d_%d * scale + shift;\n", q, j, q, j)
				}
				if drop {
					b.p("  let k%d_%d = mix32(key ^ (zb + %du)) >= %du;\n", q, j, o, c.Threshold)
					b.p("  v%d_%d = select(0.0, v%d_%d * %s, k%d_%d);\n", q, j, q, j, wgslF32(c.Scale), q, j)
				}
				b.p("  v%d_%d = max(v%d_%d, 0.0);\n", q, j, q, j)
			}
			// The first maximum in row-major order wins ties, as nncore's max-pool.
			b.p("  var m%d = v%d_0;\n", q, q)
			if train {
				b.p("  var a%d = 0u;\n", q)
			}
			for j := 1; j < 4; j++ {
				if train {
					b.p("  if (v%d_%d > m%d) {\n    m%d = v%d_%d;\n    a%d = %du;\n  }\n", q, j, q, q, q, j, q, j)
				} else {
					b.p("  m%d = max(m%d, v%d_%d);\n", q, q, q, j)
				}
			}
			b.p("  out[ob + %du] = m%d;\n", q, q)
			if train {
				b.p("  argmax[ob + %du] = a%d;\n", q, q)
			}
		})
		if drop {
			b.p("  if (n == 0u) {\n")
			c.each(func(q int, e [4]int) {
				for j, o := range e {
					b.p("    mask0[zb + %du] = select(0u, 1u, k%d_%d);\n", o, q, j)
				}
			})
			b.p("  }\n")
		}
		b.p("}\n")
		return b.String()
	})
}

// backSums returns the reduction half of BatchNorm's backward pass through the tail (bn_backward
// mode 1): per tile, Σ g and Σ g·x̂ over the gradient g at each window's argmax (gin·scale where
// out > 0; every other element has g = 0), at parts[(s·c + ch)·2 + {0,1}] for slice
// s = n·(ph/rows) + rb; bn_backward_parts adds the slices up. Bindings: 0 Step, 2 gin, 3 out,
// 4 argmax, 5 z, 6 stats, 7 parts (out). Threads: threads(n).
func (c tileTail) backSums() *program {
	return tileProgram(c.name("sums"), func() string {
		var b wgslWriter
		b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
		b.p("@group(0) @binding(2) var<storage, read> gin: array<f32>;\n")
		b.p("@group(0) @binding(3) var<storage, read> out: array<f32>;\n")
		b.p("@group(0) @binding(4) var<storage, read> argmax: array<u32>;\n")
		b.p("@group(0) @binding(5) var<storage, read> z: array<f32>;\n")
		b.p("@group(0) @binding(6) var<storage, read> stats: array<f32>;\n")
		b.p("@group(0) @binding(7) var<storage, read_write> parts: array<f32>;\n")
		b.p("@compute @workgroup_size(64)\n")
		b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.p("  let t = flat_id(wid, nwg, lid, 64u);\n")
		c.prologue(&b)
		b.p("  let mean = stats[ch];\n  let inv = 1.0 / sqrt(stats[%du + ch] + 1e-5);\n", c.C)
		b.p("  var sg: f32 = 0.0;\n  var sgx: f32 = 0.0;\n")
		c.each(func(q int, e [4]int) {
			b.p("  let a%d = argmax[ob + %du];\n", q, q)
			b.p("  let g%d = select(0.0, gin[ob + %du] * %s, out[ob + %du] > 0.0);\n", q, q, c.gscale(), q)
			b.p("  let x%d = (z[zb + %du + a%d / 2u * %du + a%d %% 2u] - mean) * inv;\n", q, e[0], q, c.W, q)
			b.p("  sg += g%d;\n  sgx += g%d * x%d;\n", q, q, q)
		})
		b.p("  let po = ((n * %du + rb) * %du + ch) * 2u;\n", c.ph()/c.rows(), c.C)
		b.p("  parts[po] = sg;\n  parts[po + 1u] = sgx;\n")
		b.p("}\n")
		return b.String()
	})
}

// gscale is the dropout factor of the gradient (1 without dropout), as a WGSL literal.
func (c tileTail) gscale() string {
	if c.Drop {
		return wgslF32(c.Scale)
	}
	return "1.0f"
}

// back returns ∂L/∂z: with BN, bn_backward_apply's dz = γ/sqrt(σ²+1e-5)·(g − Σg/cnt − x̂·Σgx̂/cnt)
// from the sums bn_backward_parts wrote; without, bn_act_back's g itself (gin·scale at each
// window's argmax where out > 0, 0 elsewhere). Bindings (bn_backward_apply's): 0 Step, 2 gin,
// 3 out, 4 argmax, and with BN 1 Offsets, 5 z, 6 stats, 7 sums, 8 p; 9 dz (out). Threads:
// threads(n).
func (c tileTail) back() *program {
	return tileProgram(c.name("back"), func() string {
		var b wgslWriter
		b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
		b.p("@group(0) @binding(2) var<storage, read> gin: array<f32>;\n")
		b.p("@group(0) @binding(3) var<storage, read> out: array<f32>;\n")
		b.p("@group(0) @binding(4) var<storage, read> argmax: array<u32>;\n")
		if c.BN {
			b.p("%s", offsetsWGSL)
			b.p("@group(0) @binding(5) var<storage, read> z: array<f32>;\n")
			b.p("@group(0) @binding(6) var<storage, read> stats: array<f32>;\n")
			b.p("@group(0) @binding(7) var<storage, read> sums: array<f32>;\n")
			b.p("@group(0) @binding(8) var<storage, read> p: array<f32>;\n")
		}
		b.p("@group(0) @binding(9) var<storage, read_write> dz: array<f32>;\n")
		b.p("@compute @workgroup_size(64)\n")
		b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.p("  let t = flat_id(wid, nwg, lid, 64u);\n")
		c.prologue(&b)
		if c.BN {
			b.p("  let cnt = f32(st.n * %du);\n", c.H*c.W)
			b.p("  let mean = stats[ch];\n  let inv = 1.0 / sqrt(stats[%du + ch] + 1e-5);\n", c.C)
			b.p("  let k = p[off.a + ch] * inv;\n  let mg = sums[ch] / cnt;\n  let mgx = sums[%du + ch] / cnt * inv;\n", c.C)
		}
		c.each(func(q int, e [4]int) {
			b.p("  let o%d = out[ob + %du];\n", q, q)
			b.p("  let a%d = select(4u, argmax[ob + %du], o%d > 0.0);\n", q, q, q)
			b.p("  let g%d = gin[ob + %du] * %s;\n", q, q, c.gscale())
			for j, o := range e {
				gv := fmt.Sprintf("select(0.0, g%d, a%d == %du)", q, q, j)
				if c.BN {
					b.p("  dz[zb + %du] = k * (%s - mg - (z[zb + %du] - mean) * mgx);\n", o, gv, o)
				} else {
					b.p("  dz[zb + %du] = %s;\n", o, gv)
				}
			}
		})
		b.p("}\n")
		return b.String()
	})
}
