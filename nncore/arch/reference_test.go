package arch

import (
	"encoding/json"
	"os"
	"testing"
)

// reference.json is written by testdata/reference.py from PyTorch modules built without this
// package: torchvision's constructors for AlexNet and VGG, nn modules written from the papers
// for LeNet-5, the paper AlexNet and Inception. MACs come from hooks on a real forward pass.
type reference struct {
	Magic       string `json:"magic"`
	Version     int    `json:"version"`
	Torch       string `json:"torch"`
	Torchvision string `json:"torchvision"`
	Models      map[string]struct {
		Params       int64 `json:"params"`
		ParamsNoBias int64 `json:"params_no_bias"`
		Buffers      int64 `json:"buffers"`
		MACs         int64 `json:"macs"`
		OutShape     []int `json:"out_shape"`
	} `json:"models"`
}

func TestPresetsMatchPyTorch(t *testing.T) {
	data, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.Magic != "lenetlab-arch-reference" || ref.Version != 1 {
		t.Fatalf("reference.json: magic %q version %d, want lenetlab-arch-reference 1", ref.Magic, ref.Version)
	}
	for _, name := range Presets() {
		want, ok := ref.Models[name]
		if !ok {
			t.Errorf("%s: not in reference.json; rerun testdata/reference.py", name)
			continue
		}
		spec, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Analyze(spec, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := r.Total
		if got.Params != want.Params || got.ParamsNoBias != want.ParamsNoBias || got.Buffers != want.Buffers || got.MACs != want.MACs {
			t.Errorf("%s: params %d / no-bias %d / buffers %d / MACs %d; torch %s says %d / %d / %d / %d",
				name, got.Params, got.ParamsNoBias, got.Buffers, got.MACs, ref.Torch,
				want.Params, want.ParamsNoBias, want.Buffers, want.MACs)
		}
		if s := got.OutShape.Slice(); len(want.OutShape) != 3 || s[0] != want.OutShape[0] || s[1] != want.OutShape[1] || s[2] != want.OutShape[2] {
			t.Errorf("%s: output shape %v, torch %v", name, s, want.OutShape)
		}
	}
	if len(ref.Models) != len(Presets()) {
		t.Errorf("reference.json has %d models, there are %d presets", len(ref.Models), len(Presets()))
	}
}
