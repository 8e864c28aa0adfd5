package arch

import (
	"errors"
	"strings"
	"testing"
)

// Every error names the layer and the reason; each case lists substrings the message must hold.
var errorCases = []struct {
	name string
	spec string
	want []string
}{
	{"kernel larger than padded input", `{"input":[1,4,4],"layers":[{"type":"conv","out":2,"k":5}]}`,
		[]string{`layer 1 "conv1"`, "kernel 5 is larger than the padded input 4 (4 + 2·0)", "⌊(4 − 5 + 2·0)/1⌋ + 1 = 0"}},
	{"output size negative after pools", `{"input":[1,8,8],"layers":[{"type":"maxpool","k":2},{"type":"maxpool","k":2},{"type":"maxpool","k":2},{"type":"conv","name":"late","out":4,"k":3}]}`,
		[]string{`layer 4 "late"`, "kernel 3 is larger than the padded input 1", "= −1"}},
	{"dilated kernel too large", `{"input":[1,5,5],"layers":[{"type":"conv","out":1,"k":3,"d":3}]}`,
		[]string{`layer 1 "conv1"`, "dilated kernel 3·(3 − 1) + 1 = 7"}},
	{"groups do not divide channels", `{"input":[3,8,8],"layers":[{"type":"conv","name":"g","out":4,"k":1,"groups":2}]}`,
		[]string{`layer 1 "g"`, "input channels 3 are not divisible by groups 2"}},
	{"groups do not divide out", `{"input":[4,8,8],"layers":[{"type":"conv","out":3,"k":1,"groups":2}]}`,
		[]string{"output channels (out) 3 are not divisible by groups 2"}},
	{"unknown type", `{"input":[1,8,8],"layers":[{"type":"relu"},{"type":"conv3d","out":1}]}`,
		[]string{`layer 2`, `unknown type "conv3d"`, "use one of input, conv"}},
	{"negative padding", `{"input":[1,8,8],"layers":[{"type":"conv","out":1,"k":3,"p":-1}]}`,
		[]string{`layer 1 "conv1"`, "p must not be negative, got −1"}},
	{"zero stride", `{"input":[1,8,8],"layers":[{"type":"maxpool","k":2,"s":0}]}`,
		[]string{`layer 1 "maxpool1"`, "s must be at least 1, got 0"}},
	{"missing out", `{"input":[1,8,8],"layers":[{"type":"conv","name":"c","k":3}]}`,
		[]string{`layer 1 "c"`, `"out" is missing: a conv layer needs "out" and "k"`}},
	{"missing type", `{"input":[1,8,8],"layers":[{"out":3}]}`, []string{"layer 1", `"type" is missing`}},
	{"missing input", `{"layers":[{"type":"relu"}]}`, []string{"input", "missing"}},
	{"missing layers", `{"input":[1,2,2]}`, []string{`"layers" is missing`}},
	{"malformed JSON", `{"input":[1,8,8],"layers":[{"type":"conv",}]}`, []string{"malformed JSON", "invalid character"}},
	{"trailing garbage", `{"input":[1,8,8],"layers":[]} x`, []string{"malformed JSON", "unexpected data"}},
	{"fractional kernel", `{"input":[1,8,8],"layers":[{"type":"conv","out":1,"k":2.5}]}`,
		[]string{`layer 1 "conv1"`, `field "k"`, "number 2.5"}},
	{"unknown field", `{"input":[1,8,8],"layers":[{"type":"conv","out":1,"kernel":3}]}`,
		[]string{`layer 1 "conv1"`, `unknown field "kernel"`}},
	{"field on wrong type", `{"input":[1,8,8],"layers":[{"type":"fc","out":10,"s":2}]}`,
		[]string{`layer 1 "fc1"`, `field "s" does not apply to a fc layer`}},
	{"absurd out", `{"input":[1,8,8],"layers":[{"type":"fc","out":1000000000000}]}`,
		[]string{`layer 1 "fc1"`, "out = 1,000,000,000,000 is absurdly large"}},
	{"input too big for int64", `{"input":[2000000000,2000000000,2000000000],"layers":[]}`,
		[]string{"input", "more elements than int64"}},
	{"params overflow int64", `{"input":[2000000000,2000000,1],"layers":[{"type":"fc","out":2000000000}]}`,
		[]string{`layer 1 "fc1"`, "overflow int64"}},
	{"pool padding above half kernel", `{"input":[1,8,8],"layers":[{"type":"maxpool","k":2,"p":2}]}`,
		[]string{`layer 1 "maxpool1"`, "padding 2 is more than half the kernel 2"}},
	{"concat shapes disagree", `{"input":[4,8,8],"layers":[{"type":"concat","name":"mix","branches":[[{"type":"conv","out":2,"k":1}],[{"type":"maxpool","k":2}]]}]}`,
		[]string{`layer 1 "mix" branch 2`, "does not match branch 1's 8×8"}},
	{"error inside a branch", `{"input":[4,8,8],"layers":[{"type":"relu"},{"type":"concat","name":"mix","branches":[[{"type":"conv","out":2,"k":1}],[{"type":"conv","name":"bad","k":1}]]}]}`,
		[]string{`layer 2 "mix" branch 2 layer 1 "bad"`, `"out" is missing`}},
	{"empty branch", `{"input":[4,8,8],"layers":[{"type":"concat","branches":[[]]}]}`, []string{"branch 1", "no layers"}},
	{"input layer later", `{"input":[4,8,8],"layers":[{"type":"relu"},{"type":"input","shape":[1,2,2]}]}`,
		[]string{"layer 2", "input layer may only come first"}},
	{"dropout rate", `{"input":[4,8,8],"layers":[{"type":"dropout","rate":1.5}]}`, []string{"rate must be in [0, 1)"}},
	{"zero input dim", `{"input":[3,0,8],"layers":[]}`, []string{"input", "input[1] must be at least 1"}},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := analyzeJSON(tc.spec)
			if err == nil {
				t.Fatal("no error")
			}
			var ae *Error
			if !errors.As(err, &ae) {
				t.Errorf("%T is not *arch.Error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
		})
	}
}

func analyzeJSON(s string) (*Result, error) {
	spec, err := ParseSpec([]byte(s))
	if err != nil {
		return nil, err
	}
	return Analyze(spec, Options{})
}

func TestGoLayerErrors(t *testing.T) {
	// Go callers (the site) get errors, not panics, for the same mistakes.
	for _, spec := range []Spec{
		{Layers: []Layer{Simple(ReLU, "")}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: Conv, Out: 1}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: Conv, Out: 1, K: 1, S: -1}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: "pool"}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: Concat}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: FC}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: AdaptiveAvgPool}}},
		{Input: Shape{1, 4, 4}, Layers: []Layer{{Type: ReLU, Branches: [][]Layer{{}}}}},
	} {
		if _, err := Analyze(spec, Options{}); err == nil {
			t.Errorf("%+v: no error", spec)
		}
	}
}

func TestFormatSpecRoundTrip(t *testing.T) {
	for _, name := range Presets() {
		spec, _ := Preset(name)
		text := FormatSpec(spec)
		back, err := ParseSpec([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		a := analyzeOrFail(t, spec)
		b := analyzeOrFail(t, back)
		if a.Total.Params != b.Total.Params || a.Total.MACs != b.Total.MACs || a.Total.Activations != b.Total.Activations || len(a.Layers) != len(b.Layers) {
			t.Errorf("%s: round trip changed totals", name)
		}
	}
}

func analyzeOrFail(t *testing.T, s Spec) *Result {
	t.Helper()
	r, err := Analyze(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func FuzzParseSpec(f *testing.F) {
	for _, tc := range errorCases {
		f.Add([]byte(tc.spec))
	}
	for _, name := range []string{"alexnet-grouped", "inception-reduced", "lenet5_bn_input"} {
		s, _ := Preset(name)
		f.Add([]byte(FormatSpec(s)))
	}
	f.Add([]byte(`{"layers":[{"type":"input","shape":[3,9,9]},{"type":"adaptiveavgpool","size":4},{"type":"conv","out":2,"k":2,"d":2,"p":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := ParseSpec(data)
		if err != nil {
			if !strings.Contains(err.Error(), ":") {
				t.Errorf("error without a location: %q", err)
			}
			return
		}
		r, err := Analyze(spec, Options{Momentum: true})
		if err != nil {
			return
		}
		if r.Total.Params < 0 || r.Total.MACs < 0 || r.Total.Activations < 0 {
			t.Errorf("negative totals %+v", r.Total)
		}
		_ = FormatSpec(spec)
	})
}
