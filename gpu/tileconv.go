//go:build js

package gpu

import (
	"fmt"
	"strings"
)

// tileConv is one convolution layer's shape baked into generated WGSL (valid cross-correlation,
// stride 1, square kernel k): x [n,cin,h,w] → y [n,cout,oh,ow]; weights [cout,cin,k,k] at Woff in
// the packed parameter buffer (and in the gradient buffer), the bias [cout] right after them. The
// offsets are not baked in (the programs read them from an offsets uniform), so that every
// variant of the model, whose parameter layouts differ, shares the compiled programs.
//
// The generated programs give each thread a whole tile of output maps and unroll every loop over
// space and kernel taps, with every index a compile-time constant except the tile's base: a
// thread loads each input value and each weight of its tile once per channel and then works from
// registers. On SwiftShader a storage-buffer load with a per-thread index is a per-lane gather that
// costs as much as ~11 multiply-adds, so these kernels do 8–20 multiply-adds per load where the
// register-blocked kernels they replaced (a thread per 6–8 channels × 4–8 columns of one row) did
// 3–4 (conv2's forward pass: 78 ms → 13–17 ms at batch 256). The price is compile time: ~0.5 ms per unrolled multiply-add on SwiftShader, so the
// tiles are sized to at most maxTileTerms multiply-adds.
type tileConv struct {
	Cin, H, W, Cout, K, Woff int
}

// maxTileTerms bounds the unrolled multiply-adds of one generated program (compile time). On
// SwiftShader (TestTileConv, LENETLAB_TILE_TERMS): 1400 runs the model's convolutions as fast as
// 2800 (conv1 forward 22.4 vs 20.7 ms, weight gradient 13.2 vs 12.4) and compiles in 60 % of the
// time (0.6–0.9 s vs 1.2–1.6 s each); 700 doubles conv2's forward time.
var maxTileTerms = 1400

func (c tileConv) oh() int   { return c.H - c.K + 1 }
func (c tileConv) ow() int   { return c.W - c.K + 1 }
func (c tileConv) kk() int   { return c.K * c.K }
func (c tileConv) boff() int { return c.Woff + c.Cout*c.Cin*c.kk() }

// total is the number of weights and biases.
func (c tileConv) total() int { return c.Cout*c.Cin*c.kk() + c.Cout }

// rows returns the largest divisor r of oh with r·per ≤ maxTileTerms (at least 1).
func (c tileConv) rows(per int) int {
	best := 1
	for r := 1; r <= c.oh(); r++ {
		if c.oh()%r == 0 && r*per <= maxTileTerms {
			best = r
		}
	}
	return best
}

// fwdRows is the forward tile's height: one output channel × rows × ow per thread.
func (c tileConv) fwdRows() int { return c.rows(c.ow() * c.kk()) }

func (c tileConv) forwardThreads(n int) int { return n * c.Cout * (c.oh() / c.fwdRows()) }

var tilePrograms = map[string]*program{}

// tileWG is the workgroup size of the generated programs (they are written for 64 and rewritten).
var tileWG = 64

func tileProgram(name string, gen func() string) *program {
	name = fmt.Sprintf("%s_wg%d", name, tileWG)
	if p, ok := tilePrograms[name]; ok {
		return p
	}
	src := gen()
	if tileWG != 64 {
		src = strings.ReplaceAll(src, "@workgroup_size(64)", fmt.Sprintf("@workgroup_size(%d)", tileWG))
		src = strings.ReplaceAll(src, "lid, 64u)", fmt.Sprintf("lid, %du)", tileWG))
	}
	p := &program{name: name, src: src, wg: tileWG}
	tilePrograms[name] = p
	return p
}

// offsets is the uniform of the generated programs: what differs between the model's variants and
// runs but not the code — the offsets of what they read in the parameter buffers, and the dropout
// seed (WGSL struct Offsets at binding 1; which field is what, per program). Shapes and flags are
// baked into the code; these are not, so that variants and seeds share compiled programs.
type offsets struct{ A, B, C, D, Seed, Pad0, Pad1, Pad2 uint32 }

// offsetsWGSL declares it.
const offsetsWGSL = "struct Offsets {\n  a: u32,\n  b: u32,\n  c: u32,\n  d: u32,\n  seed: u32,\n  pad0: u32,\n  pad1: u32,\n  pad2: u32,\n}\n" +
	"@group(0) @binding(1) var<uniform> off: Offsets;\n"

// offsets returns a binding of a new uniform buffer holding o.
func (b *builder) offsets(o offsets) Binding {
	u := b.buffer("offsets", 32, UsageUniform|UsageCopyDst)
	b.d.Write(u, 0, uniformBytes(o))
	return Whole(u)
}

type wgslWriter struct{ strings.Builder }

func (b *wgslWriter) p(f string, a ...any) { fmt.Fprintf(&b.Builder, f, a...) }

// header declares the Step, the Offsets (if withOffsets) and bindings 2, 3, …, and opens main.
func (b *wgslWriter) header(withOffsets bool, bindings ...string) {
	b.p("@group(0) @binding(0) var<uniform> st: Step;\n")
	if withOffsets {
		b.p("%s", offsetsWGSL)
	}
	for i, s := range bindings {
		b.p("@group(0) @binding(%d) %s;\n", i+2, s)
	}
	b.p("@compute @workgroup_size(64)\n")
	b.p("fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
	b.p("  let t = flat_id(wid, nwg, lid, 64u);\n")
}

// sum writes "dst += a0 + a1 + …" in statements of at most 25 terms.
func (b *wgslWriter) sum(dst string, terms []string) {
	for len(terms) > 0 {
		n := min(len(terms), 25)
		b.p("    %s += %s;\n", dst, strings.Join(terms[:n], " + "))
		terms = terms[n:]
	}
}

// statSlices is the number of BN statistics tiles forward leaves per channel for n images.
func (c tileConv) statSlices(n int) int { return n * (c.oh() / c.fwdRows()) }

// forwardOffsets are forward's and inputGrad's offsets: the weights and the bias.
func (c tileConv) forwardOffsets() offsets { return offsets{A: uint32(c.Woff), B: uint32(c.boff())} }

// forward returns y = conv(x, w) + bias. A thread computes one output channel of one image over
// fwdRows() output rows. For BatchNorm, each thread also leaves its tile's sum and sum of squared
// deviations from the tile's mean at parts[(s·cout + co)·2 + {0,1}], s = n·(oh/fwdRows()) + row
// block, which bn_stats_parts combines into the batch statistics (exactly: no E[x²] − E[x]²
// cancellation); one program serves training and evaluation, with or without BN, since it costs
// little next to the convolution and each program is compiled once. Bindings: 0 Step,
// 1 Offsets (forwardOffsets), 2 x, 3 p (parameters), 4 y, 5 parts. Threads: forwardThreads.
func (c tileConv) forward() *program {
	r := c.fwdRows()
	name := fmt.Sprintf("tconv_fwd_%d_%dx%d_%d_k%d_r%d", c.Cin, c.H, c.W, c.Cout, c.K, r)
	return tileProgram(name, func() string {
		oh, ow, k, kk := c.oh(), c.ow(), c.K, c.kk()
		nrb := oh / r
		var b wgslWriter
		b.header(true, "var<storage, read> x: array<f32>", "var<storage, read> p: array<f32>", "var<storage, read_write> y: array<f32>",
			"var<storage, read_write> parts: array<f32>")
		b.p("  if (t >= st.n * %du) {\n    return;\n  }\n", c.Cout*nrb)
		b.p("  let rb = t %% %du;\n  let co = (t / %du) %% %du;\n  let n = t / %du;\n", nrb, nrb, c.Cout, c.Cout*nrb)
		for i := 0; i < r*ow; i++ {
			b.p("  var a%d: f32 = 0.0;\n", i)
		}
		b.p("  for (var ci = 0u; ci < %du; ci++) {\n", c.Cin)
		b.p("    let xo = ((n * %du + ci) * %du + rb * %du) * %du;\n", c.Cin, c.H, r, c.W)
		for i := 0; i < (r+k-1)*c.W; i++ {
			b.p("    let x%d = x[xo + %du];\n", i, i)
		}
		b.p("    let wo = off.a + (co * %du + ci) * %du;\n", c.Cin, kk)
		for t := 0; t < kk; t++ {
			b.p("    let w%d = p[wo + %du];\n", t, t)
		}
		for oy := 0; oy < r; oy++ {
			for ox := 0; ox < ow; ox++ {
				var terms []string
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						terms = append(terms, fmt.Sprintf("w%d * x%d", ky*k+kx, (oy+ky)*c.W+ox+kx))
					}
				}
				b.sum(fmt.Sprintf("a%d", oy*ow+ox), terms)
			}
		}
		b.p("  }\n")
		b.p("  let bias = p[off.b + co];\n")
		b.p("  let yo = ((n * %du + co) * %du + rb * %du) * %du;\n", c.Cout, oh, r, ow)
		for i := 0; i < r*ow; i++ {
			b.p("  let v%d = a%d + bias;\n  y[yo + %du] = v%d;\n", i, i, i, i)
		}
		var terms []string
		for i := 0; i < r*ow; i++ {
			terms = append(terms, fmt.Sprintf("v%d", i))
		}
		b.p("  var s: f32 = 0.0;\n")
		b.sum("s", terms)
		b.p("  let m = s / %s;\n  var q: f32 = 0.0;\n", wgslF32(float32(r*ow)))
		terms = terms[:0]
		for i := 0; i < r*ow; i++ {
			b.p("  let e%d = v%d - m;\n", i, i)
			terms = append(terms, fmt.Sprintf("e%d * e%d", i, i))
		}
		b.sum("q", terms)
		b.p("  let po = ((n * %du + rb) * %du + co) * 2u;\n  parts[po] = s;\n  parts[po + 1u] = q;\n", nrb, c.Cout)
		b.p("}\n")
		return b.String()
	})
}

func (c tileConv) inputGradThreads(n int) int { return n * c.Cin }

// inputGrad returns dx = ∂L/∂x from dy = ∂L/∂y: dx[ci,iy,ix] = Σ_co Σ_ky,kx w[co,ci,ky,kx] ·
// dy[co,iy−ky,ix−kx] over the taps that land inside dy. A thread computes one whole input-channel
// map of one image; which taps exist is known when the code is generated, so the zero border of
// the "full convolution" costs nothing. Bindings: 0 Step, 1 Offsets (forwardOffsets), 2 dy, 3 p,
// 4 dx. Threads: n · cin.
func (c tileConv) inputGrad() *program {
	return tileProgram(fmt.Sprintf("tconv_dx_%d_%dx%d_%d_k%d", c.Cin, c.H, c.W, c.Cout, c.K), func() string {
		oh, ow, k, kk := c.oh(), c.ow(), c.K, c.kk()
		var b wgslWriter
		b.header(true, "var<storage, read> dy: array<f32>", "var<storage, read> p: array<f32>", "var<storage, read_write> dx: array<f32>")
		b.p("  if (t >= st.n * %du) {\n    return;\n  }\n", c.Cin)
		b.p("  let ci = t %% %du;\n  let n = t / %du;\n", c.Cin, c.Cin)
		for i := 0; i < c.H*c.W; i++ {
			b.p("  var a%d: f32 = 0.0;\n", i)
		}
		b.p("  for (var co = 0u; co < %du; co++) {\n", c.Cout)
		b.p("    let yo = (n * %du + co) * %du;\n", c.Cout, oh*ow)
		for i := 0; i < oh*ow; i++ {
			b.p("    let d%d = dy[yo + %du];\n", i, i)
		}
		b.p("    let wo = off.a + (co * %du + ci) * %du;\n", c.Cin, kk)
		for t := 0; t < kk; t++ {
			b.p("    let w%d = p[wo + %du];\n", t, t)
		}
		for iy := 0; iy < c.H; iy++ {
			for ix := 0; ix < c.W; ix++ {
				var terms []string
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						oy, ox := iy-ky, ix-kx
						if oy >= 0 && oy < oh && ox >= 0 && ox < ow {
							terms = append(terms, fmt.Sprintf("w%d * d%d", ky*k+kx, oy*ow+ox))
						}
					}
				}
				b.sum(fmt.Sprintf("a%d", iy*c.W+ix), terms)
			}
		}
		b.p("  }\n")
		b.p("  let xo = (n * %du + ci) * %du;\n", c.Cin, c.H*c.W)
		for i := 0; i < c.H*c.W; i++ {
			b.p("  dx[xo + %du] = a%d;\n", i, i)
		}
		b.p("}\n")
		return b.String()
	})
}

// tileChunk is the number of images whose weight gradients a thread of weightGrad sums.
const tileChunk = 16

// wgRows is weightGrad's tile height: one (co, ci) pair over rows × ow output positions.
func (c tileConv) wgRows() int { return c.rows(c.ow() * c.kk()) }

// wgSlices is the number of partial sums weightGrad leaves for each weight: one per chunk of
// tileChunk images and row block.
func (c tileConv) wgSlices(n int) int { return ceilDiv(n, tileChunk) * (c.oh() / c.wgRows()) }

func (c tileConv) weightGradThreads(n int) int { return c.Cout * c.Cin * c.wgSlices(n) }

// weightGrad returns the partial sums of ∂L/∂w and ∂L/∂b: for slice s (chunk s / nrb of tileChunk
// images, row block s % nrb), part[s·total + i] holds the sum over that slice of
// dy[n,co,oy,ox] · x[n,ci,oy+ky,ox+kx] for weight i = ((co·cin + ci)·k + ky)·k + kx, and of
// dy[n,co,oy,ox] for bias i = cout·cin·k² + co. reduce_chunks adds the slices up. Bindings:
// 0 Step, 2 dy, 3 x, 4 part (nothing at 1). Threads: weightGradThreads.
func (c tileConv) weightGrad() *program {
	r := c.wgRows()
	return tileProgram(fmt.Sprintf("tconv_dw_%d_%dx%d_%d_k%d_r%d", c.Cin, c.H, c.W, c.Cout, c.K, r), func() string {
		oh, ow, k, kk := c.oh(), c.ow(), c.K, c.kk()
		nrb := oh / r
		var b wgslWriter
		b.header(false, "var<storage, read> dy: array<f32>", "var<storage, read> x: array<f32>", "var<storage, read_write> part: array<f32>")
		b.p("  let slices = (st.n + %du) / %du * %du;\n", tileChunk-1, tileChunk, nrb)
		b.p("  if (t >= slices * %du) {\n    return;\n  }\n", c.Cout*c.Cin)
		b.p("  let ci = t %% %du;\n  let co = (t / %du) %% %du;\n  let s = t / %du;\n", c.Cin, c.Cin, c.Cout, c.Cin*c.Cout)
		b.p("  let rb = s %% %du;\n  let n0 = s / %du * %du;\n", nrb, nrb, tileChunk)
		for t := 0; t < kk; t++ {
			b.p("  var g%d: f32 = 0.0;\n", t)
		}
		b.p("  var gb: f32 = 0.0;\n")
		b.p("  for (var n = n0; n < min(n0 + %du, st.n); n++) {\n", tileChunk)
		b.p("    let yo = ((n * %du + co) * %du + rb * %du) * %du;\n", c.Cout, oh, r, ow)
		for i := 0; i < r*ow; i++ {
			b.p("    let d%d = dy[yo + %du];\n", i, i)
		}
		b.p("    let xo = ((n * %du + ci) * %du + rb * %du) * %du;\n", c.Cin, c.H, r, c.W)
		for i := 0; i < (r+k-1)*c.W; i++ {
			b.p("    let x%d = x[xo + %du];\n", i, i)
		}
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				var terms []string
				for oy := 0; oy < r; oy++ {
					for ox := 0; ox < ow; ox++ {
						terms = append(terms, fmt.Sprintf("d%d * x%d", oy*ow+ox, (oy+ky)*c.W+ox+kx))
					}
				}
				b.sum(fmt.Sprintf("g%d", ky*k+kx), terms)
			}
		}
		var terms []string
		for i := 0; i < r*ow; i++ {
			terms = append(terms, fmt.Sprintf("d%d", i))
		}
		b.sum("gb", terms)
		b.p("  }\n")
		b.p("  let po = s * %du;\n", c.total())
		b.p("  let wo = po + (co * %du + ci) * %du;\n", c.Cin, kk)
		for t := 0; t < kk; t++ {
			b.p("  part[wo + %du] = g%d;\n", t, t)
		}
		b.p("  if (ci == 0u) {\n    part[po + %du + co] = gb;\n  }\n", c.Cout*c.Cin*kk)
		b.p("}\n")
		return b.String()
	})
}
