package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestEveryPresetEveryFormat(t *testing.T) {
	for _, name := range arch.Presets() {
		spec, _ := arch.Preset(name)
		r, err := arch.Analyze(spec, arch.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"table", "markdown", "csv", "json"} {
			code, out, errs := runCLI(t, "", "-model", name, "-format", f)
			if code != 0 || errs != "" {
				t.Fatalf("%s %s: exit %d, %s", name, f, code, errs)
			}
			want := arch.Comma(r.Total.Params)
			if f == "csv" || f == "json" {
				want = strings.TrimLeft(strings.ReplaceAll(want, ",", ""), " ")
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s %s: total %s missing", name, f, want)
			}
		}
	}
}

func TestVGG19Markdown(t *testing.T) {
	code, out, _ := runCLI(t, "", "-model", "vgg19", "-format", "markdown")
	if code != 0 {
		t.Fatal(code)
	}
	convs := strings.Count(out, "| conv |")
	if convs != 16 {
		t.Errorf("%d conv rows, want 16 (VGG19 is configuration E)", convs)
	}
	for _, want := range []string{"| **total** |", "**143,667,240**", "| 45 | fc8 | fc | 1,000×1×1 | 4,097,000 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestJSONOutput(t *testing.T) {
	code, out, _ := runCLI(t, "", "-model", "alexnet", "-format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var doc struct {
		Layers []struct {
			Name     string            `json:"name"`
			Type     string            `json:"type"`
			OutShape []int             `json:"out_shape"`
			Params   int64             `json:"params"`
			MACs     int64             `json:"macs"`
			RF       int64             `json:"rf"`
			Jump     int64             `json:"jump"`
			Working  map[string]string `json:"working"`
		} `json:"layers"`
		Total struct {
			Params      int64                     `json:"params"`
			FLOPs       int64                     `json:"flops"`
			MemoryBytes map[string]map[string]any `json:"memory_bytes"`
		} `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	c1 := doc.Layers[1]
	if c1.Name != "conv1" || c1.Params != 34944 || len(c1.OutShape) != 3 || c1.OutShape[1] != 55 || c1.RF != 11 || c1.Jump != 4 {
		t.Errorf("conv1 %+v", c1)
	}
	if c1.Working["params"] != "(11·11·3)·96 + 96 = 34,944" {
		t.Errorf("working %q", c1.Working["params"])
	}
	if doc.Total.Params != 62378344 || doc.Total.MemoryBytes["fp16"]["training"] == nil {
		t.Errorf("total %+v", doc.Total)
	}
}

func TestSpecFileStdinAndFlags(t *testing.T) {
	spec := `{"input":[3,227,227],"layers":[{"type":"conv","name":"conv1","out":96,"k":11,"s":4,"p":0},{"type":"maxpool","k":3,"s":2},{"type":"fc","out":4096},
	{"type":"concat","name":"inception","branches":[[{"type":"fc","out":10}],[{"type":"fc","out":6,"bias":false}]]}]}`
	path := filepath.Join(t.TempDir(), "net.json")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	_, fromFile, _ := runCLI(t, "", "-spec", path, "-format", "csv")
	code, fromStdin, _ := runCLI(t, spec, "-spec", "-", "-format", "csv")
	if code != 0 || fromFile != fromStdin {
		t.Fatalf("file and stdin differ or fail (%d)", code)
	}
	recs, err := csv.NewReader(strings.NewReader(fromFile)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	// conv1 34,944 + fc (96·27·27 = 69,984)·4,096 + 4,096 + 4,096·10 + 10 + 4,096·6 (no bias)
	// = 34,944 + 286,658,560 + 40,970 + 24,576
	if last[0] != "total" || last[5] != "286759050" || last[2] != "16" {
		t.Errorf("total row %q", last)
	}
	_, nb, _ := runCLI(t, spec, "-spec", "-", "-format", "csv", "-bias=false")
	recs, _ = csv.NewReader(strings.NewReader(nb)).ReadAll()
	if got := recs[len(recs)-1][5]; got != "286754848" { // 34,848 + 286,654,464 + 40,960 + 24,576
		t.Errorf("-bias=false total %s, want 286,754,848", got)
	}
	_, fp16, _ := runCLI(t, "", "-model", "lenet5", "-dtype", "fp16")
	if !strings.Contains(fp16, "act. memory (fp16)") || !strings.Contains(fp16, "·2 B") {
		t.Error("-dtype fp16 not applied")
	}
	_, mom, _ := runCLI(t, "", "-model", "lenet5", "-momentum", "-working")
	if !strings.Contains(mom, "SGD momentum") || !strings.Contains(mom, "(5·5·1)·6 + 6 = 156") {
		t.Error("-momentum or -working not applied")
	}
	code, list, _ := runCLI(t, "", "-list")
	if code != 0 || strings.Count(list, "\n") != len(arch.Presets()) {
		t.Errorf("-list: %d lines", strings.Count(list, "\n"))
	}
}

func TestBadInputExits2(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{`{"input":[1,8,8],"layers":[{"type":"conv","name":"big","out":1,"k":11}]}`, []string{"-spec", "-"}, `layer 1 "big": kernel 11 is larger than the padded input 8`},
		{`{"input":[3,8,8],"layers":[{"type":"conv","out":4,"k":1,"groups":2}]}`, []string{"-spec", "-"}, "not divisible by groups 2"},
		{`{"input":[1,8,8],"layers":[{"type":"pool","k":2}]}`, []string{"-spec", "-"}, `unknown type "pool"`},
		{`{"input":[1,8,8],"layers":[{"type":"conv","out":-3,"k":1}]}`, []string{"-spec", "-"}, "out must be at least 1, got −3"},
		{`{"input":[1,8,8],"layers":[{"type":"conv","k":1}]}`, []string{"-spec", "-"}, `"out" is missing`},
		{`{"input":[1,8,8],"layers":[`, []string{"-spec", "-"}, "malformed JSON"},
		{`{"input":[3000000000,1,1],"layers":[]}`, []string{"-spec", "-"}, "absurdly large"},
		{"", []string{"-model", "vgg20"}, `unknown model "vgg20"`},
		{"", []string{"-model", "vgg16", "-format", "xml"}, `format "xml"`},
		{"", []string{"-model", "vgg16", "-dtype", "int8"}, `dtype "int8"`},
		{"", []string{"-spec", "/nonexistent/net.json"}, "reading the spec"},
		{"", []string{}, "give -model NAME"},
		{"", []string{"-model", "vgg16", "-spec", "-"}, "not both"},
		{"", []string{"-nosuchflag"}, "flag provided but not defined"},
	} {
		code, out, errs := runCLI(t, tc.stdin, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || (out != "" && !strings.Contains(tc.want, "model NAME")) {
			t.Errorf("%v %q: exit %d, stderr %q, want 2 and %q", tc.args, tc.stdin, code, errs, tc.want)
		}
	}
}
