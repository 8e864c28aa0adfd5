package calc

import (
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

func TestQueryRoundTrip(t *testing.T) {
	if q := DefaultState().Query(); q != "model=alexnet" {
		t.Errorf("default query %q", q)
	}
	for _, q := range []string{
		"model=vgg19",
		"model=vgg16_bn&bias=0&dtype=fp16&ops=flops&momentum=1&work=1",
		"model=alexnet-grouped&view=rf&rf=7.2.1_3.2.1_3.1.2&n=4&f=5",
		"model=googlenet-3a",
		"model=inception-naive&inc=256.28.28.64.96.128.16.32.32",
		"model=custom&spec=" + "%7B%22input%22%3A%5B1%2C8%2C8%5D%2C%22layers%22%3A%5B%5D%7D",
		"model=lenet5_bn",
	} {
		s := ParseQuery(q)
		if got := s.Query(); got != q {
			t.Errorf("ParseQuery(%q).Query() = %q", q, got)
		}
	}
	if s := ParseQuery("spec=%7B%7D"); s.View != ViewCustom || s.Model != CustomModel || s.Spec != "{}" {
		t.Errorf("a spec without a model: %+v", s)
	}
	// Junk is ignored, not fatal.
	s := ParseQuery("model=vgg99&view=nowhere&dtype=int4&%zz")
	if s.Model != "alexnet" || s.View != ViewAlexNet || s.DType != "fp32" {
		t.Errorf("junk query gave %+v", s)
	}
}

func TestSetSwitchesViews(t *testing.T) {
	s := DefaultState()
	steps := []struct{ key, value, view, model string }{
		{"model", "vgg19", ViewVGG, "vgg19"},
		{"vgg.bn", "1", ViewVGG, "vgg19_bn"},
		{"vgg.depth", "11", ViewVGG, "vgg11_bn"},
		{"model", "lenet5", ViewCustom, "lenet5"},
		{"view", ViewInception, ViewInception, "inception-reduced"},
		{"model", "googlenet-3a", ViewInception, "googlenet-3a"},
		{"view", ViewAlexNet, ViewAlexNet, "alexnet"},
		{"view", ViewRF, ViewRF, "alexnet"},
		{"spec", `{"input":[1,4,4],"layers":[]}`, ViewRF, CustomModel},
	}
	for _, st := range steps {
		if !s.Set(st.key, st.value) {
			t.Fatalf("Set(%s, %s) refused", st.key, st.value)
		}
		if s.View != st.view || s.Model != st.model {
			t.Fatalf("after %s=%s: view %s model %s, want %s %s", st.key, st.value, s.View, s.Model, st.view, st.model)
		}
	}
	if s.Inc != incTextOf(arch.GoogLeNet3a()) {
		t.Errorf("googlenet-3a did not load its filter counts: %+v", s.Inc)
	}
	for _, bad := range [][2]string{{"model", "resnet50"}, {"view", "x"}, {"dtype", "fp8"}, {"rf.9.k", "3"}, {"inc.zz", "1"}, {"nope", ""}} {
		if s.Set(bad[0], bad[1]) {
			t.Errorf("Set(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestEveryPresetTotal(t *testing.T) {
	for _, name := range arch.Presets() {
		p := NewPage("model=" + name)
		if p.Err() != "" {
			t.Fatalf("%s: %s", name, p.Err())
		}
		r, _ := arch.Analyze(mustPreset(name), arch.Options{})
		if got, want := p.TotalParams(), arch.Comma(r.Total.Params); got != want {
			t.Errorf("%s: page shows %q, arch says %q", name, got, want)
		}
	}
	if got := NewPage("model=vgg19").TotalParams(); got != "143,667,240" {
		t.Errorf("vgg19 total %q (torchvision: 143,667,240)", got)
	}
	if got := NewPage("model=vgg19&bias=0").TotalParams(); got != "143,652,544" {
		t.Errorf("vgg19 without biases %q (torchvision weights only: 143,652,544)", got)
	}
}

func TestInvalidInputKeepsLastResult(t *testing.T) {
	p := NewPage("model=custom")
	before := p.TotalParams()
	if before != "61,706" || p.Err() != "" {
		t.Fatalf("custom default: %q %q", before, p.Err())
	}
	cases := []struct{ key, value, want string }{
		{"spec", `{"input":[1,32,32],"layers":[{"type":"conv","out":6,"k":50}]}`, `Custom stack JSON: layer 1 "conv1": kernel 50 is larger than the padded input 32`},
		{"spec", `{"input":[1,32,32],"layers":[`, "Custom stack JSON: spec: malformed JSON"},
		{"spec", `{"input":[3,8,8],"layers":[{"type":"conv","out":4,"k":1,"groups":2}]}`, "not divisible by groups 2"},
	}
	for _, tc := range cases {
		p.Set(tc.key, tc.value)
		if !strings.Contains(p.Err(), tc.want) {
			t.Errorf("%s: error %q, want %q", tc.value, p.Err(), tc.want)
		}
		if p.TotalParams() != before || p.Model() == nil {
			t.Errorf("%s: last valid result lost (%q)", tc.value, p.TotalParams())
		}
	}
	p.Set("spec", `{"input":[1,4,4],"layers":[{"type":"fc","out":3}]}`)
	if p.Err() != "" || p.TotalParams() != "51" {
		t.Errorf("valid spec after errors: %q %q", p.Err(), p.TotalParams())
	}

	p = NewPage("view=inception&model=inception-reduced")
	p.Set("inc.c5", "many")
	if p.Err() != `Inception 5×5 filters: "many" is not a whole number` || p.TotalParams() != "388,736" {
		t.Errorf("inception error %q, total %q", p.Err(), p.TotalParams())
	}
	p.Set("inc.c5", "0")
	if !strings.Contains(p.Err(), "5×5 filters: must be at least 1, got 0") {
		t.Errorf("zero filters: %q", p.Err())
	}
	p.Set("inc.h", "99999999999")
	if !strings.Contains(p.Err(), "input height") || !strings.Contains(p.Err(), "absurdly large") {
		t.Errorf("absurd height: %q", p.Err())
	}
	p.Set("inc.h", "32")
	p.Set("inc.c5", "48")
	// 5×5 branch (32·25)·48 + 48 = 38,448 instead of 76,896.
	if p.Err() != "" || p.TotalParams() != arch.Comma(388736-76896+38448) {
		t.Errorf("edited inception: %q %q", p.Err(), p.TotalParams())
	}

	p = NewPage("view=rf")
	if p.RFIdent != 7 || len(p.RF) != 3 || p.RF[2].RF != 7 {
		t.Fatalf("three 3×3: identity %d, stack %+v", p.RFIdent, p.RF)
	}
	p.Set("rf.1.s", "-2")
	if !strings.Contains(p.Err(), "receptive field row 2 stride: must be at least 1") || p.RF[2].RF != 7 {
		t.Errorf("rf error %q, kept %d", p.Err(), p.RF[2].RF)
	}
	p.Set("rf.1.s", "2")
	if p.Err() != "" || p.RF[2].RF != 9 {
		t.Errorf("stride 2 in row 2: RF %d (want 1+2+2+2·2 = 9), %q", p.RF[2].RF, p.Err())
	}
	p.Set("n", "x")
	if !strings.HasPrefix(p.Err(), "identity N (layers):") {
		t.Errorf("identity error %q", p.Err())
	}
	// Errors belong to their view.
	p.Set("view", ViewAlexNet)
	if p.Err() != "" {
		t.Errorf("alexnet view shows the rf error %q", p.Err())
	}
}

func TestRFRowsEditor(t *testing.T) {
	s := DefaultState()
	s.Set("rf.add", "")
	s.Set("rf.3.k", "5")
	s.Set("rf.del.0", "")
	if len(s.RF) != 3 || s.RF[2].K != "5" {
		t.Errorf("rows %+v", s.RF)
	}
	for len(s.RF) > 1 {
		s.Set("rf.del.0", "")
	}
	if s.Set("rf.del.0", "") {
		t.Error("removed the last row")
	}
	for i := 0; i < MaxRFRows+3; i++ {
		s.Set("rf.add", "")
	}
	if len(s.RF) != MaxRFRows {
		t.Errorf("%d rows, limit %d", len(s.RF), MaxRFRows)
	}
}

func TestTablesHTML(t *testing.T) {
	p := NewPage("model=alexnet&work=1")
	d := p.State.Display()
	h := LayerTableHTML(p.Model(), d, "calc-layers")
	for _, want := range []string{
		`title="(11·11·3)·96 + 96 = 34,944`, ">34,944</td>", "⌊(227 − 11 + 2·0)/4⌋ + 1 = 55",
		`data-layer="fc8"`, ">62,378,344</td>", `<tr class="working">`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("layer table lacks %q", want)
		}
	}
	if strings.Count(h, "<td") > 600 {
		t.Errorf("alexnet table has %d cells", strings.Count(h, "<td"))
	}
	d.FLOPs = true
	if h := LayerTableHTML(p.Model(), d, "x"); !strings.Contains(h, "<th>FLOPs</th>") || !strings.Contains(h, ">210,830,400</td>") {
		t.Error("FLOPs toggle not applied to conv1 (2·105,415,200)")
	}
	// Untrusted names are escaped.
	bad, err := arch.Analyze(arch.Spec{Input: arch.Shape{C: 1, H: 2, W: 2}, Layers: []arch.Layer{{Type: arch.ReLU, Name: `<img src=x onerror=alert(1)>`}}}, arch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := LayerTableHTML(bad, d, "x"); strings.Contains(h, "<img") {
		t.Error("layer name not escaped")
	}
	fam := FamilyTableHTML(p.Family, "alexnet", d)
	if !strings.Contains(fam, `class="selected" data-model="alexnet"`) || !strings.Contains(fam, "60,965,224") {
		t.Errorf("family table %s", fam)
	}
	ip := NewPage("model=inception-naive")
	ih := InceptionHTML(ip.Inception, ip.State.Display())
	for _, want := range []string{"2.80×", `data-testid="calc-inception-naive-params" title="32,896 + 442,560 + 614,496 = 1,089,952">1,089,952`, "3x3_reduce → 3x3", "pool → pool_proj"} {
		if !strings.Contains(ih, want) {
			t.Errorf("inception html lacks %q", want)
		}
	}
	if ip.TotalParams() != "1,089,952" {
		t.Errorf("naive total %q", ip.TotalParams())
	}
}
