//go:build js

package gpu

import (
	"fmt"

	"github.com/lenetlab/lenetlab/mnist"
)

// tileGather builds a batch from a set uploaded once as bytes (packed little-endian in u32): each
// image is docs/CONTRACT.md's preprocessing — bilinear resize with half-pixel centres (the taps of
// mnist.ResizeTap) or a 2-pixel zero pad, p = byte·float32(1/255), optionally normalized
// (v − 0.1307)·float32(1/0.3081) — then, in training with dropout on the pixels, the contract's
// dropout layer 0 (sample 0's keep bits to mask0); the labels go to ylab. Generated with the taps
// as constants: a thread builds one whole image, looping over its 32 output rows; per row it loads
// the two source rows (7 words each) once and computes the 32 pixels from registers (the kernel it
// replaced loaded 4 taps and 4 source words per pixel: 10 ms per batch of 256 on SwiftShader).
type tileGather struct {
	Train     bool // image s is idx[s] (training) or st.base + s (evaluation); dropout only in training
	Pad       bool // mnist.Pad instead of mnist.Resize
	Normalize bool
	Drop      bool // dropout on the pixels (layer 0)
	Threshold uint32
	Scale     float32
	Seed      uint32
}

func tileGatherThreads(n int) int { return n }

// program returns the generated gather. Bindings (nothing at 5): 0 Step, 1 Offsets
// (with dropout: its Seed), 2 images, 3 labels, 4 idx (training only), 6 x, 7 ylab, 8 mask0 (with
// dropout).
// The dropout seed is read from the Offsets uniform (offsets.Seed), not baked in.
func (g tileGather) program() *program {
	k := g
	k.Seed = 0
	return tileProgram(fmt.Sprintf("tgather_%+v", k), func() string {
		drop := g.Train && g.Drop
		var b wgslWriter
		b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
		b.p("@group(0) @binding(2) var<storage, read> images: array<u32>;\n")
		b.p("@group(0) @binding(3) var<storage, read> labels: array<u32>;\n")
		if g.Train {
			b.p("@group(0) @binding(4) var<storage, read> idx: array<i32>;\n")
		}
		b.p("@group(0) @binding(6) var<storage, read_write> x: array<f32>;\n")
		b.p("@group(0) @binding(7) var<storage, read_write> ylab: array<u32>;\n")
		if drop {
			b.p("%s", offsetsWGSL)
			b.p("@group(0) @binding(8) var<storage, read_write> mask0: array<u32>;\n")
		}
		b.p("const INV255: f32 = 1.0 / 255.0;\nconst MEAN: f32 = 0.1307;\nconst INVSTD: f32 = 1.0 / 0.3081;\n")
		if !g.Pad {
			// Per output row: source rows i0, i1 and weights w0, w1 (mnist.ResizeTap).
			b.p("const TY = array<vec4<f32>, 32>(")
			for d := 0; d < 32; d++ {
				i0, i1, w := mnist.ResizeTap(d)
				b.p("vec4<f32>(%d.0, %d.0, %s, %s), ", i0, i1, wgslF32(1-w), wgslF32(w))
			}
			b.p(");\n")
		}
		b.p("@compute @workgroup_size(64)\n")
		b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.p("  let s = flat_id(wid, nwg, lid, 64u);\n")
		b.p("  if (s >= st.n) {\n    return;\n  }\n")
		if g.Train {
			b.p("  let img = u32(idx[s]);\n")
		} else {
			b.p("  let img = st.base + s;\n")
		}
		b.p("  ylab[s] = labels[img];\n")
		b.p("  let wb = img * 196u;\n")
		if drop {
			b.p("  let key = drop_key(off.seed, st.step, 0u);\n")
		}
		// row(name, r) loads source row r (a u32 expression) as 28 floats name_0..name_27.
		row := func(name, r string) {
			b.p("    let %sw = wb + (%s) * 7u;\n", name, r)
			for w := 0; w < 7; w++ {
				b.p("    let %sq%d = images[%sw + %du];\n", name, w, name, w)
				for k := 0; k < 4; k++ {
					b.p("    let %s_%d = f32((%sq%d >> %du) & 0xffu) * INV255;\n", name, 4*w+k, name, w, 8*k)
				}
			}
		}
		b.p("  for (var oy = 0u; oy < 32u; oy++) {\n")
		b.p("    let xo = s * 1024u + oy * 32u;\n")
		if g.Pad {
			b.p("    let inside = oy >= 2u && oy < 30u;\n")
			row("p", "min(max(oy, 2u) - 2u, 27u)")
		} else {
			b.p("    let ty = TY[oy];\n")
			row("a", "u32(ty.x)")
			row("c", "u32(ty.y)")
		}
		for ox := 0; ox < 32; ox++ {
			if g.Pad {
				if ox >= 2 && ox < 30 {
					b.p("    var v%d = select(0.0, p_%d, inside);\n", ox, ox-2)
				} else {
					b.p("    var v%d = 0.0;\n", ox)
				}
			} else {
				i0, i1, w := mnist.ResizeTap(ox)
				w0, w1 := wgslF32(1-w), wgslF32(w)
				b.p("    let r%da = %s * a_%d + %s * a_%d;\n", ox, w0, i0, w1, i1)
				b.p("    let r%dc = %s * c_%d + %s * c_%d;\n", ox, w0, i0, w1, i1)
				b.p("    var v%d = ty.z * r%da + ty.w * r%dc;\n", ox, ox, ox)
			}
			if g.Normalize {
				b.p("    v%d = (v%d - MEAN) * INVSTD;\n", ox, ox)
			}
			if drop {
				b.p("    let k%d = mix32(key ^ (xo + %du)) >= %du;\n", ox, ox, g.Threshold)
				b.p("    v%d = select(0.0, v%d * %s, k%d);\n", ox, ox, wgslF32(g.Scale), ox)
			}
			b.p("    x[xo + %du] = v%d;\n", ox, ox)
		}
		if drop {
			b.p("    if (s == 0u) {\n")
			for ox := 0; ox < 32; ox++ {
				b.p("      mask0[oy * 32u + %du] = select(0u, 1u, k%d);\n", ox, ox)
			}
			b.p("    }\n")
		}
		b.p("  }\n}\n")
		return b.String()
	})
}
