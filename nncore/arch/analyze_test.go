package arch

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func analyze(t *testing.T, spec Spec, opt Options) *Result {
	t.Helper()
	r, err := Analyze(spec, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func row(t *testing.T, r *Result, name string) LayerResult {
	t.Helper()
	for _, l := range flatRows(r.Layers) {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no row %q", name)
	return LayerResult{}
}

func TestWorkingAlexNetConv1(t *testing.T) {
	spec, _ := Preset("alexnet")
	r := analyze(t, spec, Options{})
	c1 := row(t, r, "conv1")
	checks := []struct{ got, want string }{
		{c1.Working.Params, "(11·11·3)·96 + 96 = 34,944"},
		{c1.Working.ParamsNoBias, "(11·11·3)·96 = 34,848"},
		{c1.Working.OutShape, "H = W = ⌊(227 − 11 + 2·0)/4⌋ + 1 = 55"},
		{c1.Working.Activations, "96·55·55 = 290,400 (output elements)"},
		{c1.Working.RF, "r = 1 + (11 − 1)·1·1 = 11"},
		{c1.Working.Jump, "j = 1·4 = 4"},
		{c1.Working.Start, "start = 0.5 + ((11 − 1)·1/2 − 0)·1 = 5.5"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("got  %q\nwant %q", ch.got, ch.want)
		}
	}
	if !strings.HasPrefix(c1.Working.MACs, "(96·55·55)·(11·11·3) = 105,415,200") {
		t.Errorf("MACs working %q", c1.Working.MACs)
	}
	if c1.FLOPs != 2*c1.MACs || c1.MACs != 105415200 {
		t.Errorf("MACs %d FLOPs %d", c1.MACs, c1.FLOPs)
	}
	g, _ := Preset("alexnet-grouped")
	c2 := row(t, analyze(t, g, Options{}), "conv2")
	if c2.Working.Params != "(5·5·96/2)·256 + 256 = 307,456" {
		t.Errorf("grouped conv2 working %q", c2.Working.Params)
	}
}

func TestFloorNote(t *testing.T) {
	// torchvision's conv1 on 224: (224 − 11 + 2·2)/4 = 217/4 = 54.25, floored.
	spec := Spec{Input: Shape{3, 224, 224}, Layers: []Layer{ConvL("conv1", 64, 11, 4, 2)}}
	r := analyze(t, spec, Options{})
	c1 := row(t, r, "conv1")
	if c1.OutShape != (Shape{64, 55, 55}) {
		t.Fatalf("shape %v", c1.OutShape)
	}
	if len(c1.Notes) != 2 || !strings.Contains(c1.Notes[0], "217/4 is not whole; the framework floors it to 54") {
		t.Errorf("notes %q", c1.Notes)
	}
	// An exact division has no note.
	spec.Layers[0].P = 0
	spec.Input = Shape{3, 227, 227}
	if n := row(t, analyze(t, spec, Options{}), "conv1").Notes; len(n) != 0 {
		t.Errorf("unexpected notes %q", n)
	}
}

func TestDilationAndNonSquare(t *testing.T) {
	l := ConvL("c", 8, 3, 1, 2)
	l.D = 2
	r := analyze(t, Spec{Input: Shape{4, 10, 7}, Layers: []Layer{l}}, Options{})
	c := row(t, r, "c")
	// PyTorch: out = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 → 10, 7
	if c.OutShape != (Shape{8, 10, 7}) {
		t.Errorf("shape %v", c.OutShape)
	}
	want := "H = ⌊(10 + 2·2 − 2·(3 − 1) − 1)/1⌋ + 1 = 10; W = ⌊(7 + 2·2 − 2·(3 − 1) − 1)/1⌋ + 1 = 7"
	if c.Working.OutShape != want {
		t.Errorf("got  %q\nwant %q", c.Working.OutShape, want)
	}
	if c.RF != 5 {
		t.Errorf("dilated 3×3 RF %d, want 5", c.RF)
	}
}

// bruteRF finds the input pixels that output pixel 0 depends on by walking the layers back,
// independently of the recurrence: pixel i of a layer reads i·s − p + t·d, t = 0..k−1.
func bruteRF(rows []RFRow) (rf int64, start float64) {
	lo, hi := int64(0), int64(0)
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		s, d := int64(def(r.S, 1)), int64(def(r.D, 1))
		lo = lo*s - int64(r.P)
		hi = hi*s - int64(r.P) + int64(r.K-1)*d
	}
	return hi - lo + 1, float64(lo+hi)/2 + 0.5
}

func TestRFStackAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		n := 1 + rng.IntN(6)
		rows := make([]RFRow, n)
		for i := range rows {
			rows[i] = RFRow{K: 1 + rng.IntN(7), S: 1 + rng.IntN(3), D: 1 + rng.IntN(3), P: rng.IntN(3)}
		}
		steps, err := RFStack(rows)
		if err != nil {
			t.Fatal(err)
		}
		rf, start := bruteRF(rows)
		last := steps[len(steps)-1]
		if last.RF != rf || last.Start != start {
			t.Fatalf("%+v: RF %d start %g, brute force %d %g", rows, last.RF, last.Start, rf, start)
		}
	}
}

func TestStackedRFIdentity(t *testing.T) {
	for n := 1; n <= 6; n++ {
		for f := 1; f <= 7; f++ {
			rows := make([]RFRow, n)
			for i := range rows {
				rows[i] = RFRow{K: f, S: 1}
			}
			brute, _ := bruteRF(rows)
			got, text, err := StackedRF(n, f)
			if err != nil || got != brute || got != int64(n*f-n+1) {
				t.Fatalf("N=%d F=%d: %d (%v), brute force %d", n, f, got, err, brute)
			}
			if !strings.Contains(text, "F − 1") {
				t.Errorf("derivation does not say why: %q", text)
			}
		}
	}
	_, text, _ := StackedRF(3, 3)
	if !strings.Contains(text, "3·3 − 3 + 1 = 7") {
		t.Errorf("derivation %q", text)
	}
	if _, _, err := StackedRF(0, 3); err == nil {
		t.Error("N = 0 accepted")
	}
	if _, err := RFStack([]RFRow{{K: 3}, {K: 0}}); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("bad row: %v", err)
	}
}

func TestVGGReceptiveField(t *testing.T) {
	// Three 3×3 convs see 7×7 (VGG paper, Sec. 2.3); VGG16's last conv sees 212 (a standard
	// published value, e.g. Araujo et al., "Computing receptive fields of CNNs", Distill 2019).
	spec, _ := Preset("vgg16")
	r := analyze(t, spec, Options{})
	if got := row(t, r, "conv5_3").RF; got != 196 {
		t.Errorf("vgg16 conv5_3 RF %d, want 196", got)
	}
	if got := row(t, r, "pool5").RF; got != 212 {
		t.Errorf("vgg16 pool5 RF %d, want 212", got)
	}
	spec, _ = Preset("alexnet")
	if got := row(t, analyze(t, spec, Options{}), "pool5").RF; got != 195 {
		t.Errorf("alexnet pool5 RF %d, want 195", got)
	}
}

func TestBNAndMemory(t *testing.T) {
	spec, _ := Preset("lenet5_bn")
	r := analyze(t, spec, Options{})
	bn3 := row(t, r, "bn3")
	if bn3.Params != 240 || bn3.ParamsNoBias != 120 || bn3.Buffers != 240 {
		t.Errorf("bn3 %d/%d/%d", bn3.Params, bn3.ParamsNoBias, bn3.Buffers)
	}
	// Memory by its definitions, from the rows.
	var acts, peak int64
	peak = r.Input.Elems()
	for _, l := range r.Layers[1:] {
		acts += l.Activations
		peak = max(peak, l.InShape.Elems()+l.OutShape.Elems())
	}
	tot := r.Total
	m := tot.MemoryBytes[FP32]
	if m.Inference != (tot.Params+tot.Buffers+peak)*4 {
		t.Errorf("inference %d", m.Inference)
	}
	if m.Training != (r.Input.Elems()+acts+2*tot.Params+tot.Buffers)*4 || m.Momentum != 0 {
		t.Errorf("training %d", m.Training)
	}
	r2 := analyze(t, spec, Options{Momentum: true})
	m2 := r2.Total.MemoryBytes[FP16]
	if m2.Training != (r.Input.Elems()+acts+3*tot.Params+tot.Buffers)*2 {
		t.Errorf("fp16 training with momentum %d", m2.Training)
	}
	// bn1 reads and writes 6·28·28: 2·4,704 = 9,408 beats conv1's 1·32·32 + 4,704.
	if tot.PeakElems != peak || peak != 9408 || tot.PeakLayer != "bn1" {
		t.Errorf("peak %d at %s", tot.PeakElems, tot.PeakLayer)
	}
}

func TestInceptionComparison(t *testing.T) {
	cmp, err := CompareInception(LabInception(true), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Naive.Total.OutShape != (Shape{672, 32, 32}) || cmp.Reduced.Total.OutShape != (Shape{480, 32, 32}) {
		t.Errorf("shapes %v %v", cmp.Naive.Total.OutShape, cmp.Reduced.Total.OutShape)
	}
	// 1,089,952 / 388,736 = 2.8038…
	if cmp.ParamSaving != "2.80" {
		t.Errorf("saving %s (%s)", cmp.ParamSaving, cmp.Working)
	}
	naive3 := row(t, cmp.Naive, "naive/b2.3x3")
	if naive3.Params != 442560 {
		t.Errorf("naive 3×3 branch %d, want (3·3·256)·192 + 192 = 442,560", naive3.Params)
	}
	bt := cmp.Reduced.Layers[1].BranchTotals
	if len(bt) != 4 || bt[3].Params != 16448 || bt[1].Params != 32896+221376 {
		t.Errorf("branch totals %+v", bt)
	}
	cfg := LabInception(true)
	cfg.C5x5 = 0
	if _, err := CompareInception(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "5x5") {
		t.Errorf("zero 5×5 filters: %v", err)
	}
}

func TestAdaptivePool(t *testing.T) {
	// 13 → 6: PyTorch bins [0,3) [2,5) [4,7) [6,9) [8,11) [10,13): largest 3.
	k, s, exact := adaptiveBins(13, 6)
	if k != 3 || s != 2 || exact {
		t.Errorf("13→6: %d %d %v", k, s, exact)
	}
	if k, s, exact := adaptiveBins(12, 6); k != 2 || s != 2 || !exact {
		t.Errorf("12→6: %d %d %v", k, s, exact)
	}
	r := analyze(t, Spec{Input: Shape{2, 13, 13}, Layers: []Layer{{Type: AdaptiveAvgPool, Size: 6}}}, Options{})
	if r.Total.OutShape != (Shape{2, 6, 6}) || len(r.Layers[1].Notes) == 0 {
		t.Errorf("adaptive: %v %q", r.Total.OutShape, r.Layers[1].Notes)
	}
}

func TestComma(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {34944, "34,944"}, {143667240, "143,667,240"}, {-1234567, "−1,234,567"},
		{-9223372036854775808, "−9,223,372,036,854,775,808"}} {
		if got := Comma(tc.n); got != tc.want {
			t.Errorf("Comma(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if Half(5.5) != "5.5" || Half(-1.5) != "−1.5" || Half(1234) != "1,234" {
		t.Errorf("Half: %s %s %s", Half(5.5), Half(-1.5), Half(1234))
	}
}
