//go:build js

package gpu

import (
	"fmt"
	"os"
	"strings"
	"testing"
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
	for _, tc := range []tileConv{{1, 32, 32, 6, 5, 0}, {6, 14, 14, 16, 5, 0}} {
		x := h.buf(make([]float32, n*tc.Cin*tc.H*tc.W+16), 0)
		p := h.buf(make([]float32, 4000), 0)
		y := h.buf(make([]float32, n*tc.Cout*tc.oh()*tc.ow()), 0)
		part := h.buf(make([]float32, tc.wgSlices(n)*tc.total()), 0)
		type kern struct {
			name    string
			prog    *program
			threads int
			bs      []Binding
		}
		ks := []kern{
			{"forward", tc.forward(false), tc.forwardThreads(n), []Binding{Whole(x), Whole(p), Whole(y)}},
			{"weight grad", tc.weightGrad(), tc.weightGradThreads(n), []Binding{Whole(y), Whole(x), Whole(part)}},
		}
		if tc.Cin > 1 {
			ks = append(ks, kern{"input grad", tc.inputGrad(), tc.inputGradThreads(n), []Binding{Whole(y), Whole(p), Whole(x)}})
		}
		for _, k := range ks {
			t0 := nowMs()
			o := h.b.op(k.prog, h.step, nil, func(int) int { return k.threads }, k.bs...)
			if h.b.err != nil {
				t.Fatal(h.b.err)
			}
			comp := nowMs() - t0
			h.d.WriteU32(h.step, 0, []uint32{0, n, 0, 1})
			best := 1e9
			for rep := 0; rep < 4; rep++ {
				t0 = nowMs()
				enc := h.d.NewEncoder()
				o.encode(enc, n)
				enc.Submit()
				if err := h.d.Sync(); err != nil {
					t.Fatal(err)
				}
				best = min(best, nowMs()-t0)
			}
			t.Logf("%v %-12s %5d lines, compile %5.0f ms, run %5.1f ms", tc, k.name, strings.Count(k.prog.src, "\n"), comp, best)
		}
	}
}
