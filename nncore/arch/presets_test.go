package arch

import "testing"

// Totals with their published sources. Each is also checked against testdata/reference.json.
var presetTotals = []struct {
	name   string
	params int64
	source string
}{
	// The lab's PyTorch model (docs/CONTRACT.md): 156 + 2,416 + 48,120 + 10,164 + 850.
	{"lenet5", 61706, "sum(p.numel()) of the lab's nn.Sequential, torch 1.13"},
	{"lenet5_bn", 62158, "lenet5 + BN γ,β: 2·(6 + 16 + 120 + 84) = 452"},
	{"lenet5_bn_input", 62160, "lenet5_bn + BatchNorm2d(1): 2"},
	// Widely quoted for the single-tower AlexNet (e.g. Caffe "AlexNet" without groups).
	{"alexnet", 62378344, "nn.Sequential from Krizhevsky et al. 2012 Fig. 2, torch 1.13"},
	{"alexnet-grouped", 60965224, "same with groups=2 on conv2/4/5 (Caffe's bvlc_alexnet count)"},
	{"alexnet-torchvision", 61100840, "torchvision 0.14.1 models.alexnet(): 61,100,840"},
	{"vgg11", 132863336, "torchvision 0.14.1 models.vgg11(): 132,863,336"},
	{"vgg13", 133047848, "torchvision 0.14.1 models.vgg13(): 133,047,848"},
	{"vgg16", 138357544, "torchvision 0.14.1 models.vgg16(): 138,357,544 (paper Table 2: 138M)"},
	{"vgg19", 143667240, "torchvision 0.14.1 models.vgg19(): 143,667,240 (paper Table 2: 144M)"},
	{"vgg11_bn", 132868840, "torchvision 0.14.1 models.vgg11_bn()"},
	{"vgg13_bn", 133053736, "torchvision 0.14.1 models.vgg13_bn()"},
	{"vgg16_bn", 138365992, "torchvision 0.14.1 models.vgg16_bn()"},
	{"vgg19_bn", 143678248, "torchvision 0.14.1 models.vgg19_bn()"},
	// Naive: 1×1 256·128+128, 3×3 (9·256)·192+192, 5×5 (25·256)·96+96 — not 128 filters each.
	{"inception-naive", 1089952, "nn.Conv2d modules per Szegedy et al. Fig. 2a, torch 1.13"},
	{"inception-reduced", 388736, "nn.Conv2d modules per Szegedy et al. Fig. 2b, torch 1.13"},
	// Szegedy et al. 2014 Table 1, inception (3a): 159K params (without biases, K = 1024:
	// 163,328/1,024 = 159.5) and 128M ops (MACs 128,049,152).
	{"googlenet-3a", 163696, "nn.Conv2d modules per GoogLeNet Table 1; 163,328 weights = paper's 159K"},
}

func TestPresetTotals(t *testing.T) {
	if len(presetTotals) != len(Presets()) {
		t.Fatalf("presetTotals has %d entries, there are %d presets", len(presetTotals), len(Presets()))
	}
	for i, tc := range presetTotals {
		if Presets()[i] != tc.name {
			t.Errorf("preset %d is %q, table says %q", i, Presets()[i], tc.name)
		}
		spec, err := Preset(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Analyze(spec, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.Total.Params != tc.params {
			t.Errorf("%s: %s params, want %s (%s)", tc.name, Comma(r.Total.Params), Comma(tc.params), tc.source)
		}
		// -bias=false removes exactly the conv/fc biases.
		nb, err := Analyze(spec, Options{NoBias: true})
		if err != nil {
			t.Fatal(err)
		}
		var convFCBias int64
		for _, row := range flatRows(r.Layers) {
			if row.Type == Conv || row.Type == FC {
				convFCBias += row.Params - row.ParamsNoBias
			}
		}
		if nb.Total.Params != r.Total.Params-convFCBias || convFCBias == 0 {
			t.Errorf("%s: with biases off %d params, want %d − %d", tc.name, nb.Total.Params, r.Total.Params, convFCBias)
		}
	}
}

func flatRows(rows []LayerResult) []LayerResult {
	var out []LayerResult
	for _, r := range rows {
		for _, br := range r.Branches {
			out = append(out, flatRows(br)...)
		}
		out = append(out, r)
	}
	return out
}

func TestVGG19IsNotVGG16(t *testing.T) {
	// The lab's answer key reused VGG16's layers for VGG19. E has 16 convs, D 13.
	count := func(name string) int {
		s, _ := Preset(name)
		n := 0
		for _, l := range s.Layers {
			if l.Type == Conv {
				n++
			}
		}
		return n
	}
	if count("vgg19") != 16 || count("vgg16") != 13 || count("vgg13") != 10 || count("vgg11") != 8 {
		t.Errorf("conv counts vgg11/13/16/19 = %d/%d/%d/%d, want 8/10/13/16", count("vgg11"), count("vgg13"), count("vgg16"), count("vgg19"))
	}
}

func TestUnknownPreset(t *testing.T) {
	if _, err := Preset("vgg20"); err == nil {
		t.Error("Preset(vgg20) gave no error")
	}
}
