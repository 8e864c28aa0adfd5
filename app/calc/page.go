package calc

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

// Views are the sections of the page, in tab order.
const (
	ViewAlexNet   = "alexnet"
	ViewVGG       = "vgg"
	ViewRF        = "rf"
	ViewInception = "inception"
	ViewCustom    = "custom"
)

// Views lists every view with its tab label.
var Views = []struct{ ID, Label string }{
	{ViewAlexNet, "AlexNet"}, {ViewVGG, "VGG"}, {ViewRF, "Receptive field"},
	{ViewInception, "Inception"}, {ViewCustom, "Custom stack"},
}

// CustomModel is the model-select value of a hand-written spec.
const CustomModel = "custom"

// RFRowText is one editable row of the receptive-field stack, as typed.
type RFRowText struct{ K, S, D string }

// IncText holds the Inception editor's fields as typed.
type IncText struct{ C, H, W, C1, R3, C3, R5, C5, PP string }

// IncFields names the Inception fields in query order, with their labels.
var IncFields = []struct{ Key, Label string }{
	{"c", "input channels"}, {"h", "input height"}, {"w", "input width"},
	{"c1", "1×1 filters"}, {"r3", "3×3 reduce"}, {"c3", "3×3 filters"},
	{"r5", "5×5 reduce"}, {"c5", "5×5 filters"}, {"pp", "pool projection"},
}

func (t *IncText) ptr(key string) *string {
	switch key {
	case "c":
		return &t.C
	case "h":
		return &t.H
	case "w":
		return &t.W
	case "c1":
		return &t.C1
	case "r3":
		return &t.R3
	case "c3":
		return &t.C3
	case "r5":
		return &t.R5
	case "c5":
		return &t.C5
	case "pp":
		return &t.PP
	}
	return nil
}

// Get returns the text of an Inception field by key.
func (t IncText) Get(key string) string {
	if p := t.ptr(key); p != nil {
		return *p
	}
	return ""
}

func incTextOf(cfg arch.InceptionConfig) IncText {
	i := strconv.Itoa
	return IncText{i(cfg.Input.C), i(cfg.Input.H), i(cfg.Input.W), i(cfg.C1x1), i(cfg.Reduce3x3), i(cfg.C3x3), i(cfg.Reduce5x5), i(cfg.C5x5), i(cfg.PoolProj)}
}

// State is everything the page shows, as the user typed it. It round-trips through the URL.
type State struct {
	View     string
	Model    string // a preset name or CustomModel
	NoBias   bool
	DType    string // "fp32" or "fp16"
	FLOPs    bool   // show FLOPs instead of MACs
	Momentum bool
	Working  bool // show every row's working under it
	RF       []RFRowText
	RFN, RFF string // the NF − N + 1 example
	Inc      IncText
	Spec     string
}

// DefaultState is the page as first opened: AlexNet, fp32, MACs, the lab's Inception.
func DefaultState() State {
	return State{
		View: ViewAlexNet, Model: "alexnet", DType: "fp32",
		RF:  []RFRowText{{"3", "1", "1"}, {"3", "1", "1"}, {"3", "1", "1"}},
		RFN: "3", RFF: "3",
		Inc:  incTextOf(arch.LabInception(true)),
		Spec: arch.FormatSpec(mustPreset("lenet5")),
	}
}

func mustPreset(name string) arch.Spec {
	s, err := arch.Preset(name)
	if err != nil {
		panic("calc: " + err.Error())
	}
	return s
}

// ViewFor is the section that shows a model.
func ViewFor(model string) string {
	switch {
	case strings.HasPrefix(model, "alexnet"):
		return ViewAlexNet
	case strings.HasPrefix(model, "vgg"):
		return ViewVGG
	case strings.HasPrefix(model, "inception") || strings.HasPrefix(model, "googlenet"):
		return ViewInception
	}
	return ViewCustom
}

func isPreset(name string) bool {
	for _, p := range arch.Presets() {
		if p == name {
			return true
		}
	}
	return false
}

func validView(v string) bool {
	for _, x := range Views {
		if x.ID == v {
			return true
		}
	}
	return false
}

// ParseQuery reads a state from the hash query ("model=vgg19&dtype=fp16"). Unknown keys and
// values are ignored (a stale link opens the defaults, not an error page); fields the user
// types are kept as text and checked when computed.
func ParseQuery(q string) State {
	s := DefaultState()
	v, err := url.ParseQuery(q)
	if err != nil {
		return s
	}
	if m := v.Get("model"); m != "" && (isPreset(m) || m == CustomModel) {
		s.selectModel(m)
	}
	if vw := v.Get("view"); validView(vw) {
		s.View = vw
	}
	s.NoBias = v.Get("bias") == "0"
	if v.Get("dtype") == "fp16" {
		s.DType = "fp16"
	}
	s.FLOPs = v.Get("ops") == "flops"
	s.Momentum = v.Get("momentum") == "1"
	s.Working = v.Get("work") == "1"
	if v.Has("rf") {
		s.RF = nil
		for _, row := range strings.Split(v.Get("rf"), "_") {
			if row == "" {
				continue
			}
			f := strings.Split(row, ".")
			for len(f) < 3 {
				f = append(f, "")
			}
			s.RF = append(s.RF, RFRowText{f[0], f[1], f[2]})
			if len(s.RF) == MaxRFRows {
				break
			}
		}
	}
	if v.Has("n") {
		s.RFN = v.Get("n")
	}
	if v.Has("f") {
		s.RFF = v.Get("f")
	}
	if v.Has("inc") {
		f := strings.Split(v.Get("inc"), ".")
		for i, fd := range IncFields {
			if i < len(f) {
				*s.Inc.ptr(fd.Key) = f[i]
			}
		}
	}
	if v.Has("spec") {
		if !v.Has("model") {
			s.selectModel(CustomModel)
		}
		s.Spec = v.Get("spec")
	}
	return s
}

// MaxRFRows bounds the receptive-field stack editor.
const MaxRFRows = 32

// Query writes the state as a hash query holding only what differs from the defaults,
// in a fixed order, so that equal states give equal URLs.
func (s State) Query() string {
	d := DefaultState()
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+url.QueryEscape(v)) }
	add("model", s.Model)
	if s.View != ViewFor(s.Model) {
		add("view", s.View)
	}
	if s.NoBias {
		add("bias", "0")
	}
	if s.DType == "fp16" {
		add("dtype", "fp16")
	}
	if s.FLOPs {
		add("ops", "flops")
	}
	if s.Momentum {
		add("momentum", "1")
	}
	if s.Working {
		add("work", "1")
	}
	if rf := rfString(s.RF); rf != rfString(d.RF) {
		add("rf", rf)
	}
	if s.RFN != d.RFN {
		add("n", s.RFN)
	}
	if s.RFF != d.RFF {
		add("f", s.RFF)
	}
	if inc := s.incString(); inc != incTextOf(s.incPreset()).string() {
		add("inc", inc)
	}
	if s.Model == CustomModel && s.Spec != d.Spec {
		add("spec", s.Spec)
	}
	return strings.Join(parts, "&")
}

func rfString(rows []RFRowText) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.K + "." + r.S + "." + r.D
	}
	return strings.Join(out, "_")
}

func (t IncText) string() string {
	f := make([]string, len(IncFields))
	for i, fd := range IncFields {
		f[i] = t.Get(fd.Key)
	}
	return strings.Join(f, ".")
}

func (s State) incString() string { return s.Inc.string() }

// incPreset is the Inception configuration the selected model starts from.
func (s State) incPreset() arch.InceptionConfig {
	if s.Model == "googlenet-3a" {
		return arch.GoogLeNet3a()
	}
	return arch.LabInception(true)
}

// selectModel switches to a model and the view that shows it; the Inception presets load
// their filter counts into the editor and LeNet presets load their spec into the textarea.
func (s *State) selectModel(m string) {
	s.Model = m
	s.View = ViewFor(m)
	switch {
	case s.View == ViewInception:
		s.Inc = incTextOf(s.incPreset())
	case m != CustomModel && s.View == ViewCustom:
		s.Spec = arch.FormatSpec(mustPreset(m))
	}
}

// Set applies one input change: key names the control, value is its new text ("1"/"0" for
// checkboxes). It reports whether the key was known.
//
//	model, view, dtype, ops (macs|flops), bias, momentum, work, spec, n, f,
//	inc.<c|h|w|c1|r3|c3|r5|c5|pp>, rf.<row>.<k|s|d>, rf.add, rf.del.<row>, vgg.depth, vgg.bn
func (s *State) Set(key, value string) bool {
	on := value == "1" || value == "true" || value == "on"
	switch key {
	case "model":
		if isPreset(value) || value == CustomModel {
			s.selectModel(value)
			return true
		}
		return false
	case "view":
		if !validView(value) {
			return false
		}
		s.View = value
		switch {
		case value == ViewAlexNet && ViewFor(s.Model) != ViewAlexNet:
			s.selectModel("alexnet")
		case value == ViewVGG && ViewFor(s.Model) != ViewVGG:
			s.selectModel("vgg16")
		case value == ViewInception && ViewFor(s.Model) != ViewInception:
			s.Model = "inception-reduced"
		case value == ViewCustom:
			s.Model = CustomModel
		}
		return true
	case "dtype":
		if value != "fp32" && value != "fp16" {
			return false
		}
		s.DType = value
	case "ops":
		s.FLOPs = value == "flops"
	case "bias":
		s.NoBias = !on
	case "momentum":
		s.Momentum = on
	case "work":
		s.Working = on
	case "spec":
		s.Spec = value
		s.Model = CustomModel
	case "n":
		s.RFN = value
	case "f":
		s.RFF = value
	case "vgg.depth", "vgg.bn":
		depth, bn := vggParts(s.Model)
		if key == "vgg.depth" {
			depth = value
		} else {
			bn = on
		}
		m := "vgg" + depth
		if bn {
			m += "_bn"
		}
		if !isPreset(m) {
			return false
		}
		s.selectModel(m)
	case "rf.add":
		if len(s.RF) >= MaxRFRows {
			return false
		}
		s.RF = append(s.RF, RFRowText{"3", "1", "1"})
	default:
		return s.setIndexed(key, value)
	}
	return true
}

func (s *State) setIndexed(key, value string) bool {
	if k, ok := strings.CutPrefix(key, "inc."); ok {
		p := s.Inc.ptr(k)
		if p == nil {
			return false
		}
		*p = value
		if ViewFor(s.Model) != ViewInception {
			s.Model = "inception-reduced"
		}
		return true
	}
	if k, ok := strings.CutPrefix(key, "rf.del."); ok {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(s.RF) || len(s.RF) == 1 {
			return false
		}
		s.RF = append(s.RF[:i:i], s.RF[i+1:]...)
		return true
	}
	if k, ok := strings.CutPrefix(key, "rf."); ok {
		idx, field, ok := strings.Cut(k, ".")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 0 || i >= len(s.RF) {
			return false
		}
		r := &s.RF[i]
		switch field {
		case "k":
			r.K = value
		case "s":
			r.S = value
		case "d":
			r.D = value
		default:
			return false
		}
		return true
	}
	return false
}

// vggParts splits "vgg16_bn" into "16", true; a non-VGG model gives "16", false.
func vggParts(model string) (string, bool) {
	if !strings.HasPrefix(model, "vgg") {
		return "16", false
	}
	depth, bn := strings.CutSuffix(strings.TrimPrefix(model, "vgg"), "_bn")
	return depth, bn
}

// VGGDepth and VGGBN describe the selected VGG ("16", false when another family is chosen).
func (s State) VGGDepth() string { d, _ := vggParts(s.Model); return d }

// VGGBN reports whether the selected VGG has BN.
func (s State) VGGBN() bool { _, bn := vggParts(s.Model); return bn }

// Options are the arch options the toggles select.
func (s State) Options() arch.Options { return arch.Options{NoBias: s.NoBias, Momentum: s.Momentum} }

// DTypeValue is the selected storage type.
func (s State) DTypeValue() arch.DType {
	if s.DType == "fp16" {
		return arch.FP16
	}
	return arch.FP32
}

// wholeField parses a field the user typed as a whole number ≥ min, naming it in the error.
func wholeField(label, text string, min int) (int, error) {
	t := strings.TrimSpace(strings.ReplaceAll(text, ",", ""))
	if t == "" {
		return 0, fmt.Errorf("%s: empty; type a whole number", label)
	}
	n, err := strconv.Atoi(t)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number", label, text)
	}
	if n < min {
		return 0, fmt.Errorf("%s: must be at least %d, got %s", label, min, arch.Comma(int64(n)))
	}
	if n > arch.MaxField {
		return 0, fmt.Errorf("%s: %s is absurdly large (limit %s)", label, arch.Comma(int64(n)), arch.Comma(arch.MaxField))
	}
	return n, nil
}

// InceptionConfig parses the Inception editor. The reduce and projection counts must be at
// least 1 (they are used by the reduced form).
func (s State) InceptionConfig() (arch.InceptionConfig, error) {
	var v [9]int
	for i, fd := range IncFields {
		n, err := wholeField("Inception "+fd.Label, s.Inc.Get(fd.Key), 1)
		if err != nil {
			return arch.InceptionConfig{}, err
		}
		v[i] = n
	}
	cfg := arch.InceptionConfig{Input: arch.Shape{C: v[0], H: v[1], W: v[2]}, C1x1: v[3], Reduce3x3: v[4], C3x3: v[5],
		Reduce5x5: v[6], C5x5: v[7], PoolProj: v[8], ReLU: s.Model == "googlenet-3a"}
	return cfg, nil
}

// RFRows parses the receptive-field stack editor.
func (s State) RFRows() ([]arch.RFRow, error) {
	rows := make([]arch.RFRow, len(s.RF))
	for i, r := range s.RF {
		k, err := wholeField(fmt.Sprintf("receptive field row %d kernel", i+1), r.K, 1)
		if err != nil {
			return nil, err
		}
		st, err := wholeField(fmt.Sprintf("receptive field row %d stride", i+1), r.S, 1)
		if err != nil {
			return nil, err
		}
		d, err := wholeField(fmt.Sprintf("receptive field row %d dilation", i+1), r.D, 1)
		if err != nil {
			return nil, err
		}
		rows[i] = arch.RFRow{K: k, S: st, D: d}
	}
	return rows, nil
}
