//go:build js

package gpu

import "fmt"

// Generated matmuls: matmul.wgsl's contract (C = A·B (+ bias), strided, the batch as m or k), with
// every dimension, stride and offset a compile-time constant, a TM×TN tile of C per thread, and
// the loop over k unrolled by matKC, so that a thread loads TM + TN values per step of k and does
// TM·TN multiply-adds from registers (matmul.wgsl's 4×4 tile does 16 per 8 loads). See
// tileconv.go for why loads are what costs on SwiftShader.

// matKC is the unrolled step of the loop over k.
var matKC = 4

// matTile is the largest tile of C per thread (rows, columns).
var matTile = [2]int{16, 8}

// tileShape returns the tile of C a thread computes: up to 16 rows × 8 columns, narrower when the
// matrix is (a 10-column output is one tile of 10).
func (p matmulParams) tileShape() (tm, tn int) {
	tm, tn = matTile[0], matTile[1]
	if p.BatchDim != 1 && int(p.M) < tm {
		tm = int(p.M)
	}
	if int(p.N) <= tn+4 {
		tn = int(p.N)
	}
	return tm, tn
}

func (p matmulParams) tileThreads(n int) int {
	tm, tn := p.tileShape()
	m := int(p.M)
	if p.BatchDim == 1 {
		m = n
	}
	return ceilDiv(m, tm) * ceilDiv(int(p.N), tn)
}

// tileOffsets is tileProgram's Offsets uniform: aoff, boff, coff, bias_off (not baked in, so that
// the model's variants share the programs).
func (p matmulParams) tileOffsets() offsets {
	return offsets{A: p.Aoff, B: p.Boff, C: p.Coff, D: p.BiasOff}
}

// tileProgram returns the generated matmul for p. Bindings as matmul.wgsl's but with the Offsets
// (tileOffsets) at 1: 0 Step, 1 Offsets, 2 a, 3 b, 4 bias source (with a bias), 5 c. Threads:
// tileThreads.
func (p matmulParams) tileProgram() *program {
	tm, tn := p.tileShape()
	k := p
	k.Aoff, k.Boff, k.Coff, k.BiasOff = 0, 0, 0, 0
	name := fmt.Sprintf("tmatmul_%v_%dx%dk%d", k, tm, tn, matKC)
	return tileProgram(name, func() string {
		var b wgslWriter
		b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
		b.p("%s", offsetsWGSL)
		b.p("@group(0) @binding(2) var<storage, read> a: array<f32>;\n")
		b.p("@group(0) @binding(3) var<storage, read> b: array<f32>;\n")
		if p.HasBias != 0 {
			b.p("@group(0) @binding(4) var<storage, read> bias: array<f32>;\n")
		}
		b.p("@group(0) @binding(5) var<storage, read_write> c: array<f32>;\n")
		b.p("@compute @workgroup_size(64)\n")
		b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.p("  let t = flat_id(wid, nwg, lid, 64u);\n")
		m, k := fmt.Sprintf("%du", p.M), fmt.Sprintf("%du", p.K)
		switch p.BatchDim {
		case 1:
			m = "st.n"
		case 2:
			k = "st.n"
		}
		nq := ceilDiv(int(p.N), tn)
		b.p("  let m = %s;\n  let kdim = %s;\n", m, k)
		b.p("  if (t >= (m + %du) / %du * %du) {\n    return;\n  }\n", tm-1, tm, nq)
		b.p("  let i0 = t / %du * %du;\n  let j0 = t %% %du * %du;\n", nq, tm, nq, tn)
		for r := 0; r < tm; r++ {
			b.p("  let ar%d = off.a + min(i0 + %du, m - 1u) * %du;\n", r, r, p.Sam)
		}
		for c := 0; c < tn; c++ {
			b.p("  let bc%d = off.b + min(j0 + %du, %du) * %du;\n", c, c, p.N-1, p.Sbn)
		}
		for r := 0; r < tm; r++ {
			for c := 0; c < tn; c++ {
				b.p("  var c%d_%d: f32 = 0.0;\n", r, c)
			}
		}
		step := func(us int) {
			b.p("    let ka = kk * %du;\n    let kb = kk * %du;\n", p.Sak, p.Sbk)
			for u := 0; u < us; u++ {
				for r := 0; r < tm; r++ {
					b.p("    let a%d_%d = a[ar%d + ka + %du];\n", r, u, r, uint32(u)*p.Sak)
				}
				for c := 0; c < tn; c++ {
					b.p("    let b%d_%d = b[bc%d + kb + %du];\n", c, u, c, uint32(u)*p.Sbk)
				}
			}
			for r := 0; r < tm; r++ {
				for c := 0; c < tn; c++ {
					b.p("    c%d_%d +=", r, c)
					for u := 0; u < us; u++ {
						if u > 0 {
							b.p(" +")
						}
						b.p(" a%d_%d * b%d_%d", r, u, c, u)
					}
					b.p(";\n")
				}
			}
		}
		b.p("  var kk = 0u;\n")
		b.p("  for (; kk + %du <= kdim; kk += %du) {\n", matKC, matKC)
		step(matKC)
		b.p("  }\n")
		b.p("  for (; kk < kdim; kk++) {\n")
		step(1)
		b.p("  }\n")
		for c := 0; c < tn; c++ {
			if p.HasBias != 0 {
				b.p("  let bb%d = bias[off.d + min(j0 + %du, %du)];\n", c, c, p.N-1)
			} else {
				b.p("  let bb%d = 0.0;\n", c)
			}
		}
		for r := 0; r < tm; r++ {
			b.p("  if (i0 + %du < m) {\n", r)
			b.p("    let co = off.c + (i0 + %du) * %du + j0;\n", r, p.N)
			for c := 0; c < tn; c++ {
				if int(p.N)%tn != 0 {
					b.p("    if (j0 + %du < %du) {\n      c[co + %du] = c%d_%d + bb%d;\n    }\n", c, p.N, c, r, c, c)
				} else {
					b.p("    c[co + %du] = c%d_%d + bb%d;\n", c, r, c, c)
				}
			}
			b.p("  }\n")
		}
		b.p("}\n")
		return b.String()
	})
}
