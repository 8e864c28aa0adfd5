//go:build js

package gpu

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// TestMicroLoads measures what a load costs on the adapter (LENETLAB_PROFILE=micro): the same
// arithmetic with weights read by a runtime index, by a constant index into a runtime-sized or a
// fixed-size array, from a uniform buffer, or not read at all.
func TestMicroLoads(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "micro" {
		t.Skip("set LENETLAB_PROFILE=micro")
	}
	h := newHarness(t)
	const threads = 65536
	const loads = 256
	body := func(decl, load func(i int) string, loop bool) string {
		var b strings.Builder
		b.WriteString("struct Params { off: u32, a: u32, b: u32, c: u32, }\n")
		b.WriteString("@group(0) @binding(0) var<uniform> st: Step;\n@group(0) @binding(1) var<uniform> prm: Params;\n")
		b.WriteString("@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;\n")
		b.WriteString(decl(0))
		b.WriteString("@group(0) @binding(4) var<storage, read_write> y: array<vec4<f32>>;\n")
		b.WriteString("@compute @workgroup_size(64)\nfn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n")
		b.WriteString("  let t = flat_id(wid, nwg, lid, 64u) + st.base + prm.a;\n  let xv = x[t];\n")
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&b, "  var a%d = vec4<f32>(0.0);\n", j)
		}
		if loop {
			fmt.Fprintf(&b, "  for (var i = 0u; i < %du; i += 8u) {\n", loads)
			for j := 0; j < 8; j++ {
				fmt.Fprintf(&b, "    a%d += %s * xv;\n", j, load(j))
			}
			b.WriteString("  }\n")
		} else {
			for i := 0; i < loads; i++ {
				fmt.Fprintf(&b, "  a%d += %s * xv;\n", i%8, load(i))
			}
		}
		b.WriteString("  y[t] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;\n}\n")
		return b.String()
	}
	rt := func(int) string { return "@group(0) @binding(3) var<storage, read> w: array<f32>;\n" }
	fixed := func(int) string {
		return fmt.Sprintf("@group(0) @binding(3) var<storage, read> w: array<f32, %d>;\n", loads)
	}
	uni := func(int) string {
		return fmt.Sprintf("@group(0) @binding(3) var<uniform> w: array<vec4<f32>, %d>;\n", loads/4)
	}
	cases := []struct {
		name string
		src  string
		uni  bool
	}{
		{"runtime index, runtime array", body(rt, func(j int) string { return fmt.Sprintf("w[prm.off + i + %du]", j) }, true), false},
		{"runtime per-lane index", body(rt, func(j int) string { return fmt.Sprintf("w[(t %% 4u) * 8u + i + %du]", j) }, true), false},
		{"const index, runtime array", body(rt, func(i int) string { return fmt.Sprintf("w[%du]", i) }, false), false},
		{"const index, fixed array", body(fixed, func(i int) string { return fmt.Sprintf("w[%du]", i) }, false), false},
		{"const index, uniform", body(uni, func(i int) string { return fmt.Sprintf("w[%du][%du]", i/4, i%4) }, false), true},
		{"no loads (constants)", body(rt, func(i int) string {
			if i == 0 {
				return "w[0]"
			}
			return fmt.Sprintf("%d.5", i)
		}, false), false},
		{"no loads, loop", body(rt, func(j int) string {
			if j == 0 {
				return "w[i]"
			}
			return fmt.Sprintf("f32(i + %du)", j)
		}, true), false},
	}
	x := h.buf(make([]float32, 4*threads), 0)
	y := h.buf(make([]float32, 4*threads), 0)
	w := h.buf(make([]float32, 4096), 0)
	wu := h.b.buffer("wu", 4*loads, UsageUniform|UsageCopyDst)
	best := make([]float64, len(cases))
	for rep := 0; rep < 4; rep++ {
		for i, c := range cases {
			prog := &program{name: fmt.Sprintf("micro%d", i), src: c.src, wg: 64, params: struct{ Off, A, B, C uint32 }{}}
			t0 := nowMs()
			wb := Whole(w)
			if c.uni {
				wb = Whole(wu)
			}
			o := h.b.op(prog, h.step, struct{ Off, A, B, C uint32 }{}, func(int) int { return threads }, Whole(x), wb, Whole(y))
			if h.b.err != nil {
				t.Fatal(h.b.err)
			}
			if rep == 0 {
				t.Logf("%-32s compile %.0f ms", c.name, nowMs()-t0)
			}
			h.d.WriteU32(h.step, 0, []uint32{0, 1, 0, 1})
			t0 = nowMs()
			enc := h.d.NewEncoder()
			o.encode(enc, 1)
			enc.Submit()
			if err := h.d.Sync(); err != nil {
				t.Fatal(err)
			}
			ms := nowMs() - t0
			if rep == 0 || ms < best[i] {
				best[i] = ms
			}
		}
	}
	for i, c := range cases {
		t.Logf("%-32s %7.1f ms  %.2f ns per load-lane", c.name, best[i], best[i]*1e6/float64(threads*loads))
	}
}

// TestTileConv times the generated convolutions on the model's shapes at batch 256
// (LENETLAB_PROFILE=tile), with their compile times.
func TestTileConv(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "tile" {
		t.Skip("set LENETLAB_PROFILE=tile")
	}
	h := newHarness(t)
	const n = 256
	terms := []int{maxTileTerms}
	if v := os.Getenv("LENETLAB_TILE_TERMS"); v != "" {
		terms = nil
		for _, f := range strings.Split(v, ",") {
			var k int
			fmt.Sscan(f, &k)
			terms = append(terms, k)
		}
	}
	defer func(m int) { maxTileTerms = m }(maxTileTerms)
	if v := os.Getenv("LENETLAB_TILE_WG"); v != "" {
		defer func(w int) { tileWG = w }(tileWG)
		fmt.Sscan(v, &tileWG)
	}
	for _, tt := range terms {
		maxTileTerms = tt
		for _, tc := range []tileConv{{1, 32, 32, 6, 5, 0}, {6, 14, 14, 16, 5, 0}} {
			x := h.buf(make([]float32, n*tc.Cin*tc.H*tc.W+16), 0)
			p := h.buf(make([]float32, 4000), 0)
			y := h.buf(make([]float32, n*tc.Cout*tc.oh()*tc.ow()), 0)
			part := h.buf(make([]float32, tc.wgSlices(n)*tc.total()), 0)
			parts := h.buf(make([]float32, 2*tc.Cout*tc.statSlices(n)), 0)
			type kern struct {
				name    string
				prog    *program
				threads int
				bs      []Binding
			}
			ks := []kern{
				{"forward", tc.forward(), tc.forwardThreads(n), []Binding{h.b.offsets(tc.forwardOffsets()), Whole(x), Whole(p), Whole(y), Whole(parts)}},
				{"weight grad", tc.weightGrad(), tc.weightGradThreads(n), []Binding{{}, Whole(y), Whole(x), Whole(part)}},
			}
			if tc.Cin > 1 {
				ks = append(ks, kern{"input grad", tc.inputGrad(), tc.inputGradThreads(n), []Binding{h.b.offsets(tc.forwardOffsets()), Whole(y), Whole(p), Whole(x)}})
			}
			for _, k := range ks {
				t0 := nowMs()
				o := h.b.op(k.prog, h.step, nil, func(int) int { return k.threads }, k.bs...)
				if h.b.err != nil {
					t.Fatal(h.b.err)
				}
				comp := nowMs() - t0
				best := h.bestOf4(o, n)
				t.Logf("terms %d %v %-12s %5d lines, compile %5.0f ms, run %5.1f ms", tt, tc, k.name, strings.Count(k.prog.src, "\n"), comp, best)
			}
		}
	}
}

// TestTileMatmul times matmul.wgsl against generated tiles of several shapes on the linear
// layers' products at batch 256 (LENETLAB_PROFILE=matmul), with compile times.
func TestTileMatmul(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "matmul" {
		t.Skip("set LENETLAB_PROFILE=matmul")
	}
	h := newHarness(t)
	const n = 256
	a := h.buf(make([]float32, n*400), 0)
	bb := h.buf(make([]float32, 60000), 0)
	c := h.buf(make([]float32, n*400), 0)
	for _, s := range []struct {
		name string
		mp   matmulParams
	}{
		{"fc1 forward", matmulParams{N: 120, K: 400, Sam: 400, Sak: 1, Sbk: 1, Sbn: 400, HasBias: 1, BiasOff: 50000, BatchDim: 1}},
		{"fc1 dx", matmulParams{N: 400, K: 120, Sam: 120, Sak: 1, Sbk: 400, Sbn: 1, BatchDim: 1}},
		{"fc1 dW", matmulParams{M: 120, N: 400, Sam: 1, Sak: 120, Sbk: 400, Sbn: 1, BatchDim: 2}},
		{"fc2 forward", matmulParams{N: 84, K: 120, Sam: 120, Sak: 1, Sbk: 1, Sbn: 120, HasBias: 1, BiasOff: 50000, BatchDim: 1}},
	} {
		for _, v := range [][3]int{{0, 0, 0}, {16, 8, 4}, {8, 8, 4}, {8, 16, 4}, {16, 8, 2}, {8, 8, 8}} {
			var o *op
			t0 := nowMs()
			if v[0] == 0 {
				o = h.b.op(matmulProgram, h.step, s.mp, s.mp.threads, Whole(a), Whole(bb), Whole(bb), Whole(c))
			} else {
				matTile, matKC = [2]int{v[0], v[1]}, v[2]
				bias := Whole(bb)
				if s.mp.HasBias == 0 {
					bias = Binding{}
				}
				o = h.b.op(s.mp.tileProgram(), h.step, nil, s.mp.tileThreads, Binding{}, Whole(a), Whole(bb), bias, Whole(c))
			}
			if h.b.err != nil {
				t.Fatal(h.b.err)
			}
			comp := nowMs() - t0
			best := h.bestOf4(o, n)
			t.Logf("%-12s tile %v: compile %5.0f ms, run %5.1f ms", s.name, v, comp, best)
		}
	}
	matTile, matKC = [2]int{16, 8}, 4
}

// TestParallelCompile compares compiling the model's generated convolutions one after the other
// with starting them all at once (LENETLAB_PROFILE=compile).
func TestParallelCompile(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "compile" {
		t.Skip("set LENETLAB_PROFILE=compile")
	}
	progs := func(salt string) []string {
		var codes []string
		for _, tc := range []tileConv{{1, 32, 32, 6, 5, 0}, {6, 14, 14, 16, 5, 0}} {
			for _, p := range []*program{tc.forward(), tc.weightGrad()} {
				codes = append(codes, p.code()+"\n// "+salt+"\n")
			}
		}
		return codes
	}
	d := openDevice(t)
	t0 := nowMs()
	for _, c := range progs("sequential") {
		if _, err := d.Pipeline("seq", c); err != nil {
			t.Fatal(err)
		}
	}
	seq := nowMs() - t0
	t0 = nowMs()
	cs := progs("parallel")
	for _, c := range cs {
		d.Precompile("par", c)
	}
	for _, c := range cs {
		if _, err := d.Pipeline("par", c); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("4 programs: one after the other %.0f ms, all at once %.0f ms", seq, nowMs()-t0)
}

// TestTileTail times the generated conv1 tail (dropout and BN) against bn_act, bn_backward and
// bn_backward_apply at batch 256 for several tile sizes (LENETLAB_PROFILE=tail).
func TestTileTail(t *testing.T) {
	if os.Getenv("LENETLAB_PROFILE") != "tail" {
		t.Skip("set LENETLAB_PROFILE=tail")
	}
	h := newHarness(t)
	const n, c, hh, ww = 256, 6, 28, 28
	size := n * c * hh * ww
	z, g := h.buf(make([]float32, size), 0), h.buf(make([]float32, size), 0)
	pooled := h.buf(make([]float32, size/4), 0)
	arg := h.buf(make([]float32, size/4), 0)
	gin := h.buf(make([]float32, size/4), 0)
	p, bufs, stats, sums := h.buf(make([]float32, 64), 0), h.buf(make([]float32, 64), 0), h.buf(make([]float32, 64), 0), h.buf(make([]float32, 64), 0)
	mask := h.buf(make([]float32, c*hh*ww), 0)
	parts := h.buf(make([]float32, 2*c*n*14), 0)
	time := func(name string, o *op) {
		if h.b.err != nil {
			t.Fatal(h.b.err)
		}
		best := h.bestOf4(o, n)
		t.Logf("%-40s run %5.1f ms", name, best)
	}
	ap := bnActParams{C: c, H: hh, W: ww, HasBN: 1, GammaOff: 0, BetaOff: 8, Moff: 0, Voff: 8, Drop: 1, Threshold: 1 << 31, Scale: 2, Relu: 1, Pool: 1}
	time("bn_act", h.b.op(bnActProgram, h.step, ap, ap.threads, Whole(z), Whole(p), Whole(bufs), Whole(stats), Whole(pooled), Whole(arg), Whole(mask)))
	bp := bnBackwardParams{C: c, H: hh, W: ww, GammaOff: 0, BetaOff: 8, Mode: 1, Scale: 2}
	time("bn_backward", h.b.fixed(bnBackwardProgram, h.step, bp, c, Whole(gin), Whole(pooled), Whole(arg), Whole(z), Whole(stats), Whole(sums), Whole(g)))
	ba := bnBackwardApplyParams{C: c, H: hh, W: ww, GammaOff: 0, Mode: 1, Scale: 2}
	time("bn_backward_apply", h.b.op(bnBackwardApplyProgram, h.step, ba, ba.threads, Whole(gin), Whole(pooled), Whole(arg), Whole(z), Whole(stats), Whole(sums), Whole(p), Whole(g)))
	for _, tile := range []int{14, 28, 98} {
		tailTile = tile
		tt := tileTail{C: c, H: hh, W: ww, BN: true, GammaOff: 0, BetaOff: 8, Moff: 0, Voff: 8, Drop: true, Threshold: 1 << 31, Scale: 2, Seed: 1, Layer: 1}
		for _, k := range []struct {
			name string
			prog *program
			bs   map[int]Binding
		}{
			{"act", tt.act(true), map[int]Binding{1: h.b.offsets(tt.offsets()), 2: Whole(z), 3: Whole(p), 5: Whole(stats), 6: Whole(pooled), 7: Whole(arg), 8: Whole(mask)}},
			{"sums", tt.backSums(), map[int]Binding{2: Whole(gin), 3: Whole(pooled), 4: Whole(arg), 5: Whole(z), 6: Whole(stats), 7: Whole(parts)}},
			{"back", tt.back(), map[int]Binding{1: h.b.offsets(tt.offsets()), 2: Whole(gin), 3: Whole(pooled), 4: Whole(arg), 5: Whole(z), 6: Whole(stats), 7: Whole(sums), 8: Whole(p), 9: Whole(g)}},
		} {
			t0 := nowMs()
			o := h.b.op(k.prog, h.step, nil, tt.threads, bindAt(10, k.bs)...)
			comp := nowMs() - t0
			time(fmt.Sprintf("tile %d %s (compile %.0f ms)", tile, k.name, comp), o)
		}
	}
	tailTile = 14
}

// TestSetupCost logs how long building an engine waits for each pipeline on a fresh device
// (LENETLAB_PROFILE=setup): the compile time a page pays on its first run.
func TestSetupCost(t *testing.T) {
	v := os.Getenv("LENETLAB_PROFILE")
	if !strings.HasPrefix(v, "setup") {
		t.Skip("set LENETLAB_PROFILE=setup[:variant]")
	}
	d := openDevice(t)
	total := 0.0
	d.CompileLog = func(label string, ms float64) {
		total += ms
		if ms > 50 {
			t.Logf("%8.0f ms  %.90s", ms, label)
		}
	}
	defer func() { d.CompileLog = nil }()
	cfg := nncore.DefaultConfig()
	if _, variant, ok := strings.Cut(v, ":"); ok {
		cfg.Variant = nncore.Variant(variant)
	}
	t0 := nowMs()
	e, err := NewEngine(cfg, nncore.InitState(cfg), synthSet(512, 11), synthSet(256, 12))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	t.Logf("NewEngine %.0f ms, of which waiting for pipelines %.0f ms", nowMs()-t0, total)
}

// bestOf4 runs o alone over a batch of n four times and returns the least time in milliseconds
// (other processes share the CPUs SwiftShader runs on).
func (h *harness) bestOf4(o *op, n int) float64 {
	h.t.Helper()
	h.d.WriteU32(h.step, 0, []uint32{0, uint32(n), 0, 1})
	best := 1e9
	for rep := 0; rep < 4; rep++ {
		t0 := nowMs()
		enc := h.d.NewEncoder()
		o.encode(enc, n)
		enc.Submit()
		if err := h.d.Sync(); err != nil {
			h.t.Fatal(err)
		}
		best = min(best, nowMs()-t0)
	}
	return best
}
