package arch

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// MaxField is the largest value any size field (channels, kernel, stride, padding, ...) may
// have. Larger values are rejected as absurd before any arithmetic is done; products of
// allowed values are still checked for int64 overflow.
const MaxField = 1<<31 - 1

// Options change what is counted.
type Options struct {
	// NoBias drops every conv and fc bias, as if each layer said "bias": false.
	// BN's β is part of BN and stays (ParamsNoBias leaves it out).
	NoBias bool
	// Momentum adds one SGD momentum buffer per parameter to the training memory.
	Momentum bool
}

// DType is a storage type for memory estimates.
type DType string

const (
	FP32 DType = "fp32"
	FP16 DType = "fp16"
)

// Bytes is the size of one value: 4 for fp32, 2 for fp16.
func (d DType) Bytes() int64 {
	switch d {
	case FP32:
		return 4
	case FP16:
		return 2
	}
	panic(fmt.Sprintf("arch: unknown dtype %q", string(d)))
}

// ParseDType accepts "fp32" or "fp16".
func ParseDType(s string) (DType, error) {
	switch DType(s) {
	case FP32, FP16:
		return DType(s), nil
	}
	return "", fmt.Errorf("dtype %q is not known: use fp32 or fp16", s)
}

// Working holds, for each number of a row, the formula with the numbers put in.
type Working struct {
	OutShape     string `json:"out_shape"`
	Params       string `json:"params"`
	ParamsNoBias string `json:"params_no_bias"`
	Buffers      string `json:"buffers,omitempty"`
	Activations  string `json:"activations"`
	MACs         string `json:"macs"`
	FLOPs        string `json:"flops"`
	RF           string `json:"rf"`
	Jump         string `json:"jump"`
	Start        string `json:"start"`
}

// PerDType holds a byte count for each storage type.
type PerDType struct {
	FP32 int64 `json:"fp32"`
	FP16 int64 `json:"fp16"`
}

// Get returns the count for d.
func (p PerDType) Get(d DType) int64 {
	if d == FP16 {
		return p.FP16
	}
	if d != FP32 {
		panic(fmt.Sprintf("arch: unknown dtype %q", string(d)))
	}
	return p.FP32
}

func perDType(elems int64) PerDType { return PerDType{FP32: elems * 4, FP16: elems * 2} }

// LayerResult is one row: what a layer does to one image.
//
// Activations are the layer's output elements. Params counts trainable values (conv/fc
// weights and biases, BN's γ and β); Buffers counts BN's running mean and variance, which are
// state but not parameters. MACs are multiply-accumulates of conv and fc layers; FLOPs = 2·MACs.
// A concat row carries only its own cost (its output); its branches carry theirs.
type LayerResult struct {
	Name         string          `json:"name"`
	Type         Type            `json:"type"`
	InShape      Shape           `json:"in_shape"`
	OutShape     Shape           `json:"out_shape"`
	Params       int64           `json:"params"`
	ParamsNoBias int64           `json:"params_no_bias"`
	Buffers      int64           `json:"buffers"`
	Activations  int64           `json:"activations"`
	MemoryBytes  PerDType        `json:"memory_bytes"`
	MACs         int64           `json:"macs"`
	FLOPs        int64           `json:"flops"`
	RF           int64           `json:"rf"`
	Jump         int64           `json:"jump"`
	Start        float64         `json:"start"`
	Working      Working         `json:"working"`
	Notes        []string        `json:"notes,omitempty"`
	Branches     [][]LayerResult `json:"branches,omitempty"`
	BranchTotals []BranchTotal   `json:"branch_totals,omitempty"`
}

// BranchTotal sums one branch of a concat.
type BranchTotal struct {
	OutShape     Shape `json:"out_shape"`
	Params       int64 `json:"params"`
	ParamsNoBias int64 `json:"params_no_bias"`
	Activations  int64 `json:"activations"`
	MACs         int64 `json:"macs"`
}

// Memory is the memory estimate for one storage type. Definitions:
//
//	inference = (params + buffers + peak)·bytes, where peak is the largest input+output
//	            element count of any single layer (what must be live while it runs;
//	            for a concat, its inputs are the branch outputs)
//	training  = (input + Σ activations + params·(2, or 3 with momentum) + buffers)·bytes:
//	            every layer's output is kept for the backward pass (no in-place ReLU),
//	            each parameter has a gradient and, with SGD momentum, a velocity.
type Memory struct {
	ParamsAndBuffers     int64  `json:"params_and_buffers"`
	InferenceActivations int64  `json:"inference_activations"`
	Inference            int64  `json:"inference"`
	TrainingActivations  int64  `json:"training_activations"`
	Gradients            int64  `json:"gradients"`
	Momentum             int64  `json:"momentum"`
	Training             int64  `json:"training"`
	InferenceWorking     string `json:"inference_working"`
	TrainingWorking      string `json:"training_working"`
}

// Totals sums a whole network.
type Totals struct {
	Params          int64             `json:"params"`
	ParamsNoBias    int64             `json:"params_no_bias"`
	Buffers         int64             `json:"buffers"`
	Activations     int64             `json:"activations"`
	InputElems      int64             `json:"input_elems"`
	PeakElems       int64             `json:"peak_elems"`
	PeakLayer       string            `json:"peak_layer"`
	MACs            int64             `json:"macs"`
	FLOPs           int64             `json:"flops"`
	MemoryBytes     map[DType]Memory  `json:"memory_bytes"`
	Working         map[string]string `json:"working"`
	OutShape        Shape             `json:"out_shape"`
	RF              int64             `json:"rf"`
	Jump            int64             `json:"jump"`
	ParamsByType    map[Type]int64    `json:"-"`
	paramTerms      []int64
	paramNBTerms    []int64
	macTerms        []int64
	activationTerms []int64
}

// Result is the analysis of a spec: rows in order (the input first) and totals.
type Result struct {
	Input   Shape         `json:"input"`
	Options Options       `json:"-"`
	Layers  []LayerResult `json:"layers"`
	Total   Totals        `json:"total"`
}

// MarshalJSON writes a shape as [C, H, W].
func (s Shape) MarshalJSON() ([]byte, error) { return json.Marshal(s.Slice()) }

// Error is a problem with a spec that its author can fix. Layer locates it
// (`layer 3 "conv2"`, or a path into concat branches); Reason says what is wrong.
type Error struct {
	Layer  string
	Reason string
}

func (e *Error) Error() string {
	if e.Layer == "" {
		return e.Reason
	}
	return e.Layer + ": " + e.Reason
}

func errf(loc, format string, args ...any) error {
	return &Error{Layer: loc, Reason: fmt.Sprintf(format, args...)}
}

// state is what flows from layer to layer.
type state struct {
	shape Shape
	rf    int64
	jump  int64
	start float64
}

// ovf does nonnegative int64 arithmetic and remembers an overflow.
type ovf struct{ bad bool }

func (o *ovf) mul(xs ...int64) int64 {
	r := int64(1)
	for _, x := range xs {
		if x < 0 {
			panic("arch: negative factor in a size product")
		}
		if x != 0 && r > math.MaxInt64/x {
			o.bad = true
			return 0
		}
		r *= x
	}
	return r
}

func (o *ovf) add(xs ...int64) int64 {
	var r int64
	for _, x := range xs {
		if r > math.MaxInt64-x {
			o.bad = true
			return 0
		}
		r += x
	}
	return r
}

type analyzer struct {
	opt Options
	o   ovf
	tot *Totals
}

// Analyze computes every row and the totals of spec. Errors are *Error values naming the
// layer and the reason.
func Analyze(spec Spec, opt Options) (*Result, error) {
	a := &analyzer{opt: opt, tot: &Totals{ParamsByType: map[Type]int64{}}}
	layers := spec.Layers
	in := spec.Input
	inName := "input"
	if len(layers) > 0 && layers[0].Type == Input {
		l := layers[0]
		if l.Name != "" {
			inName = l.Name
		}
		if l.Shape != nil {
			s, err := shapeFrom(l.Shape, fmt.Sprintf("layer 1 %q", inName))
			if err != nil {
				return nil, err
			}
			if in != (Shape{}) && in != s {
				return nil, errf(fmt.Sprintf("layer 1 %q", inName), "shape %v differs from the spec's input %v", s, in)
			}
			in = s
		}
		layers = layers[1:]
	}
	if in == (Shape{}) {
		return nil, errf("input", "the input shape is missing: give \"input\": [C, H, W]")
	}
	if err := checkShape(in, "input"); err != nil {
		return nil, err
	}
	ie := a.o.mul(int64(in.C), int64(in.H), int64(in.W))
	if a.o.bad {
		return nil, errf("input", "shape %v has more elements than int64 can count", in)
	}
	res := &Result{Input: in, Options: opt}
	inRow := LayerResult{
		Name: inName, Type: Input, InShape: in, OutShape: in,
		Activations: ie, MemoryBytes: perDType(ie), RF: 1, Jump: 1, Start: 0.5,
		Working: Working{
			OutShape:     fmt.Sprintf("given: %v", in),
			Params:       "0 (no parameters)",
			ParamsNoBias: "0",
			Activations:  fmt.Sprintf("%s·%s·%s = %s", c(in.C), c(in.H), c(in.W), Comma(ie)),
			MACs:         "0",
			FLOPs:        "0",
			RF:           "r₀ = 1 (one pixel sees itself)",
			Jump:         "j₀ = 1",
			Start:        "start₀ = 0.5 (centre of the first pixel; pixel i covers [i, i+1))",
		},
	}
	res.Layers = append(res.Layers, inRow)
	a.tot.InputElems = ie
	a.tot.PeakElems = ie
	a.tot.PeakLayer = inName
	st := state{shape: in, rf: 1, jump: 1, start: 0.5}
	rows, st, err := a.run(layers, st, "", 2-boolInt(len(spec.Layers) == len(layers)))
	if err != nil {
		return nil, err
	}
	res.Layers = append(res.Layers, rows...)
	a.totals(st)
	if a.o.bad {
		return nil, errf("total", "the totals overflow int64: the network is absurdly large")
	}
	res.Total = *a.tot
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkShape(s Shape, loc string) error {
	for _, d := range []struct {
		n string
		v int
	}{{"channels", s.C}, {"height", s.H}, {"width", s.W}} {
		if d.v < 1 {
			return errf(loc, "%s must be at least 1, got %s", d.n, c(d.v))
		}
		if d.v > MaxField {
			return errf(loc, "%s %s is absurdly large (limit %s)", d.n, c(d.v), c(MaxField))
		}
	}
	return nil
}

func shapeFrom(v []int, loc string) (Shape, error) {
	var s Shape
	switch len(v) {
	case 3:
		s = Shape{v[0], v[1], v[2]}
	case 1:
		s = Shape{v[0], 1, 1}
	default:
		return s, errf(loc, "a shape is [C, H, W] (or [N] for a vector), got %d numbers", len(v))
	}
	return s, checkShape(s, loc)
}

// run analyses a layer list. prefix is the name path for rows inside branches; first is the
// 1-based position of layers[0] in the user's list (for messages).
func (a *analyzer) run(layers []Layer, st state, prefix string, first int) ([]LayerResult, state, error) {
	var rows []LayerResult
	counts := map[Type]int{}
	for i, l := range layers {
		counts[l.Type]++
		name := l.Name
		if name == "" {
			name = fmt.Sprintf("%s%d", l.Type, counts[l.Type])
		}
		loc := fmt.Sprintf("layer %d %q", first+i, name)
		if prefix != "" {
			loc = prefix + " " + loc
		}
		row, next, err := a.layer(l, st, name, loc)
		if err != nil {
			return nil, st, err
		}
		if a.o.bad {
			return nil, st, errf(loc, "the sizes overflow int64 (shape %v): reduce them", st.shape)
		}
		rows = append(rows, row)
		st = next
	}
	return rows, st, nil
}

func (a *analyzer) layer(l Layer, st state, name, loc string) (LayerResult, state, error) {
	if !knownType(l.Type) {
		names := make([]string, len(Types))
		for i, t := range Types {
			names[i] = string(t)
		}
		return LayerResult{}, st, errf(loc, "unknown type %q: use one of %s", string(l.Type), strings.Join(names, ", "))
	}
	if err := checkFields(l, loc); err != nil {
		return LayerResult{}, st, err
	}
	in := st.shape
	row := LayerResult{Name: name, Type: l.Type, InShape: in}
	ie := in.Elems()
	next := st
	unchangedRF := func() {
		row.Working.RF = fmt.Sprintf("unchanged: %s", Comma(st.rf))
		row.Working.Jump = fmt.Sprintf("unchanged: %s", Comma(st.jump))
		row.Working.Start = fmt.Sprintf("unchanged: %s", Half(st.start))
	}
	noParams := func(why string) {
		row.Working.Params = "0 (" + why + ")"
		row.Working.ParamsNoBias = "0"
		row.Working.MACs = "0"
	}
	switch l.Type {
	case Input:
		return row, st, errf(loc, "an input layer may only come first")

	case Conv:
		g := def(l.Groups, 1)
		s, d := def(l.S, 1), def(l.D, 1)
		if l.Out < 1 {
			return row, st, errf(loc, "out (number of filters) must be at least 1, got %s", c(l.Out))
		}
		if in.C%g != 0 {
			return row, st, errf(loc, "input channels %s are not divisible by groups %s", c(in.C), c(g))
		}
		if l.Out%g != 0 {
			return row, st, errf(loc, "output channels (out) %s are not divisible by groups %s", c(l.Out), c(g))
		}
		out, err := a.spatial(&row, in, l.K, s, l.P, d, loc, false)
		if err != nil {
			return row, st, err
		}
		out.C = l.Out
		row.OutShape = out
		cinExpr := c(in.C)
		if g > 1 {
			cinExpr = c(in.C) + "/" + c(g)
		}
		per := a.o.mul(int64(l.K), int64(l.K), int64(in.C/g))
		w := a.o.mul(per, int64(l.Out))
		wExpr := fmt.Sprintf("(%s·%s·%s)·%s", c(l.K), c(l.K), cinExpr, c(l.Out))
		row.ParamsNoBias = w
		row.Working.ParamsNoBias = fmt.Sprintf("%s = %s", wExpr, Comma(w))
		if l.NoBias || a.opt.NoBias {
			row.Params = w
			why := "bias off"
			if !l.NoBias {
				why = "biases off for every layer"
			}
			row.Working.Params = fmt.Sprintf("%s = %s (%s)", wExpr, Comma(w), why)
		} else {
			row.Params = a.o.add(w, int64(l.Out))
			row.Working.Params = fmt.Sprintf("%s + %s = %s", wExpr, c(l.Out), Comma(row.Params))
		}
		if g > 1 {
			row.Notes = append(row.Notes, fmt.Sprintf("groups = %s: each filter sees %s/%s = %s input channels", c(g), c(in.C), c(g), c(in.C/g)))
		}
		oe := a.o.mul(int64(out.C), int64(out.H), int64(out.W))
		row.MACs = a.o.mul(oe, per)
		row.Working.MACs = fmt.Sprintf("(%s·%s·%s)·(%s·%s·%s) = %s (each output element is a dot product of length %s)",
			c(out.C), c(out.H), c(out.W), c(l.K), c(l.K), cinExpr, Comma(row.MACs), Comma(per))
		next = a.rfStep(&row, st, l.K, s, l.P, d)

	case MaxPool, AvgPool:
		s := def(l.S, l.K)
		if l.S == 0 {
			row.Notes = append(row.Notes, "stride not given: it defaults to the kernel size, as in PyTorch")
		}
		out, err := a.spatial(&row, in, l.K, s, l.P, 1, loc, true)
		if err != nil {
			return row, st, err
		}
		out.C = in.C
		row.OutShape = out
		if l.Type == MaxPool {
			noParams("pooling has no parameters")
			row.Working.MACs = "0 (max is a comparison, not a multiply-accumulate)"
		} else {
			noParams("pooling has no parameters")
			row.Working.MACs = "0 (averaging adds and scales; not counted as MACs)"
		}
		next = a.rfStep(&row, st, l.K, s, l.P, 1)

	case AdaptiveAvgPool:
		if l.Size < 1 {
			return row, st, errf(loc, "size (output height = width) must be at least 1, got %s", c(l.Size))
		}
		row.OutShape = Shape{in.C, l.Size, l.Size}
		kh, sh, exact := adaptiveBins(in.H, l.Size)
		kw, _, _ := adaptiveBins(in.W, l.Size)
		if exact {
			row.Working.OutShape = fmt.Sprintf("fixed by the layer: %s×%s×%s; %s/%s = %s, so it is a %s×%s pool with stride %s",
				c(in.C), c(l.Size), c(l.Size), c(in.H), c(l.Size), c(in.H/l.Size), c(kh), c(kw), c(sh))
		} else {
			row.Working.OutShape = fmt.Sprintf("fixed by the layer: %s×%s×%s; %s/%s is not whole, so bins differ in size (up to %s rows): bin i covers rows ⌊i·%s/%s⌋ … ⌈(i+1)·%s/%s⌉ − 1",
				c(in.C), c(l.Size), c(l.Size), c(in.H), c(l.Size), c(kh), c(in.H), c(l.Size), c(in.H), c(l.Size))
			row.Notes = append(row.Notes, "adaptive bins are uneven: the receptive field uses the largest bin and the floored stride")
		}
		noParams("pooling has no parameters")
		row.Working.MACs = "0 (averaging adds and scales; not counted as MACs)"
		next = a.rfStep(&row, st, kh, sh, 0, 1)

	case FC:
		if l.Out < 1 {
			return row, st, errf(loc, "out (number of features) must be at least 1, got %s", c(l.Out))
		}
		row.OutShape = Shape{l.Out, 1, 1}
		row.Working.OutShape = fmt.Sprintf("%s features", c(l.Out))
		fin := ie
		inExpr := Comma(fin)
		if in.H != 1 || in.W != 1 {
			inExpr = fmt.Sprintf("(%s·%s·%s)", c(in.C), c(in.H), c(in.W))
			row.Notes = append(row.Notes, fmt.Sprintf("input %v is flattened implicitly to %s features", in, Comma(fin)))
		}
		w := a.o.mul(fin, int64(l.Out))
		wExpr := fmt.Sprintf("%s·%s", inExpr, c(l.Out))
		row.ParamsNoBias = w
		row.Working.ParamsNoBias = fmt.Sprintf("%s = %s", wExpr, Comma(w))
		if l.NoBias || a.opt.NoBias {
			row.Params = w
			row.Working.Params = fmt.Sprintf("%s = %s (bias off)", wExpr, Comma(w))
		} else {
			row.Params = a.o.add(w, int64(l.Out))
			row.Working.Params = fmt.Sprintf("%s + %s = %s", wExpr, c(l.Out), Comma(row.Params))
		}
		row.MACs = w
		row.Working.MACs = fmt.Sprintf("%s·%s = %s (one multiply-add per weight)", inExpr, c(l.Out), Comma(w))
		next = a.globalRF(&row, st)

	case Flatten:
		row.OutShape = Shape{int(ie), 1, 1}
		row.Working.OutShape = fmt.Sprintf("%s·%s·%s = %s features", c(in.C), c(in.H), c(in.W), Comma(ie))
		noParams("reshape only")
		next = a.globalRF(&row, st)

	case BN:
		row.OutShape = in
		row.Params = 2 * int64(in.C)
		row.ParamsNoBias = int64(in.C)
		row.Buffers = 2 * int64(in.C)
		what := "channel"
		if in.H == 1 && in.W == 1 {
			what = "feature"
		}
		row.Working.Params = fmt.Sprintf("2·%s = %s (γ and β per %s)", c(in.C), Comma(row.Params), what)
		row.Working.ParamsNoBias = fmt.Sprintf("%s (γ only; β is a bias)", c(in.C))
		row.Working.Buffers = fmt.Sprintf("2·%s = %s (running mean and variance: state, not parameters; PyTorch also keeps a num_batches_tracked counter)", c(in.C), Comma(row.Buffers))
		row.Working.MACs = "0 (at inference BN folds into the neighbouring conv/fc as a scale and shift)"

	case ReLU, Dropout, LRN:
		row.OutShape = in
		switch l.Type {
		case ReLU:
			noParams("elementwise max(0, x)")
		case Dropout:
			noParams("elementwise mask")
			if l.Rate > 0 {
				row.Notes = append(row.Notes, fmt.Sprintf("drop rate %g", l.Rate))
			}
		case LRN:
			noParams("local response normalisation has fixed constants, no parameters")
			row.Working.MACs = "0 (its per-element arithmetic is not counted as MACs)"
			if l.Size > 0 {
				row.Notes = append(row.Notes, fmt.Sprintf("local size %s", c(l.Size)))
			}
		}

	case Concat:
		if len(l.Branches) == 0 {
			return row, st, errf(loc, "branches are missing: a concat needs at least one branch")
		}
		var outC int64
		var h, w int
		var best state
		var jump0 int64
		mixed := false
		for bi, br := range l.Branches {
			bloc := fmt.Sprintf("%s branch %d", loc, bi+1)
			if len(br) == 0 {
				return row, st, errf(bloc, "the branch has no layers")
			}
			brows, bst, err := a.run(br, st, bloc, 1)
			if err != nil {
				return row, st, err
			}
			for i := range brows {
				brows[i].Name = fmt.Sprintf("%s/b%d.%s", name, bi+1, brows[i].Name)
			}
			row.Branches = append(row.Branches, brows)
			bt := BranchTotal{OutShape: bst.shape}
			for _, r := range brows {
				bt.Params = a.o.add(bt.Params, r.Params)
				bt.ParamsNoBias = a.o.add(bt.ParamsNoBias, r.ParamsNoBias)
				bt.Activations = a.o.add(bt.Activations, r.Activations)
				bt.MACs = a.o.add(bt.MACs, r.MACs)
			}
			row.BranchTotals = append(row.BranchTotals, bt)
			if bi == 0 {
				h, w = bst.shape.H, bst.shape.W
			} else if bst.shape.H != h || bst.shape.W != w {
				return row, st, errf(bloc, "output %v does not match branch 1's %s×%s: concat joins channels, so height and width must agree", bst.shape, c(h), c(w))
			}
			outC = a.o.add(outC, int64(bst.shape.C))
			if bi == 0 || bst.rf > best.rf {
				best = bst
			}
			if bi == 0 {
				jump0 = bst.jump
			} else if bst.jump != jump0 && !mixed {
				mixed = true
				row.Notes = append(row.Notes, "branches have different jumps; the row shows the branch with the largest receptive field")
			}
		}
		if outC > MaxField {
			return row, st, errf(loc, "the concatenated channel count %s is absurdly large", Comma(outC))
		}
		row.OutShape = Shape{int(outC), h, w}
		terms := make([]string, len(l.Branches))
		for i, bt := range row.BranchTotals {
			terms[i] = c(bt.OutShape.C)
		}
		row.Working.OutShape = fmt.Sprintf("channels %s = %s; height and width %s×%s as every branch", strings.Join(terms, " + "), Comma(outC), c(h), c(w))
		noParams("joins its branches; their parameters are on their rows")
		row.Working.RF = fmt.Sprintf("largest over branches: %s", Comma(best.rf))
		row.Working.Jump = fmt.Sprintf("%s (of that branch)", Comma(best.jump))
		row.Working.Start = fmt.Sprintf("%s (of that branch)", Half(best.start))
		best.shape = row.OutShape
		next = best
	}
	if row.Working.OutShape == "" {
		row.Working.OutShape = fmt.Sprintf("same as the input: %v", row.OutShape)
	}
	if row.Working.ParamsNoBias == "" {
		row.Working.ParamsNoBias = Comma(row.ParamsNoBias)
	}
	if row.Working.RF == "" {
		unchangedRF()
	}
	oe := a.o.mul(int64(row.OutShape.C), int64(row.OutShape.H), int64(row.OutShape.W))
	row.Activations = oe
	row.Working.Activations = fmt.Sprintf("%s·%s·%s = %s (output elements)", c(row.OutShape.C), c(row.OutShape.H), c(row.OutShape.W), Comma(oe))
	row.MemoryBytes = perDType(oe)
	row.FLOPs = a.o.mul(2, row.MACs)
	row.Working.FLOPs = fmt.Sprintf("2·%s = %s (1 MAC = 2 FLOPs: a multiply and an add)", Comma(row.MACs), Comma(row.FLOPs))
	next.shape = row.OutShape
	row.RF, row.Jump, row.Start = next.rf, next.jump, next.start

	// Totals: every row counts its own cost; a concat's inputs are its branches' outputs.
	t := a.tot
	t.Params = a.o.add(t.Params, row.Params)
	t.ParamsNoBias = a.o.add(t.ParamsNoBias, row.ParamsNoBias)
	t.Buffers = a.o.add(t.Buffers, row.Buffers)
	t.Activations = a.o.add(t.Activations, oe)
	t.MACs = a.o.add(t.MACs, row.MACs)
	t.ParamsByType[row.Type] += row.Params
	if row.Params > 0 {
		t.paramTerms = append(t.paramTerms, row.Params)
	}
	if row.ParamsNoBias > 0 {
		t.paramNBTerms = append(t.paramNBTerms, row.ParamsNoBias)
	}
	if row.MACs > 0 {
		t.macTerms = append(t.macTerms, row.MACs)
	}
	t.activationTerms = append(t.activationTerms, oe)
	live := a.o.add(ie, oe)
	if l.Type == Concat {
		live = a.o.add(oe, oe)
	}
	if live > t.PeakElems {
		t.PeakElems = live
		t.PeakLayer = name
	}
	return row, next, nil
}

func def(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// checkFields rejects negative and absurd values of the fields a layer uses.
func checkFields(l Layer, loc string) error {
	fields := []struct {
		name string
		v    int
		min  int
	}{{"out", l.Out, 0}, {"k", l.K, 0}, {"s", l.S, 0}, {"p", l.P, 0}, {"d", l.D, 0}, {"groups", l.Groups, 0}, {"size", l.Size, 0}}
	for _, f := range fields {
		if f.v < f.min {
			return errf(loc, "%s must not be negative, got %s", f.name, c(f.v))
		}
		if f.v > MaxField {
			return errf(loc, "%s = %s is absurdly large (limit %s)", f.name, c(f.v), c(MaxField))
		}
	}
	if l.Rate < 0 || l.Rate >= 1 || math.IsNaN(l.Rate) {
		return errf(loc, "rate must be in [0, 1), got %g", l.Rate)
	}
	if (l.Type == Conv || l.Type == MaxPool || l.Type == AvgPool) && l.K < 1 {
		return errf(loc, "k (kernel size) is missing or 0: it must be at least 1")
	}
	if len(l.Branches) > 0 && l.Type != Concat {
		return errf(loc, "only a concat has branches")
	}
	return nil
}

// spatial computes the output height and width of a conv or pool and writes the working.
func (a *analyzer) spatial(row *LayerResult, in Shape, k, s, p, d int, loc string, pool bool) (Shape, error) {
	eff := int64(d)*int64(k-1) + 1
	if pool && int64(2*p) > eff {
		return Shape{}, errf(loc, "padding %s is more than half the kernel %s: PyTorch rejects pooling padding above k/2", c(p), c(k))
	}
	var out Shape
	var parts []string
	for _, ax := range []struct {
		name string
		n    int
		dst  *int
	}{{"H", in.H, &out.H}, {"W", in.W, &out.W}} {
		padded := int64(ax.n) + 2*int64(p)
		num := padded - eff
		var expr string
		if d == 1 {
			expr = fmt.Sprintf("(%s − %s + 2·%s)/%s", c(ax.n), c(k), c(p), c(s))
		} else {
			expr = fmt.Sprintf("(%s + 2·%s − %s·(%s − 1) − 1)/%s", c(ax.n), c(p), c(d), c(k), c(s))
		}
		if num < 0 {
			o := floorDiv(num, int64(s)) + 1
			kdesc := fmt.Sprintf("kernel %s", c(k))
			if d > 1 {
				kdesc = fmt.Sprintf("dilated kernel %s·(%s − 1) + 1 = %s", c(d), c(k), Comma(eff))
			}
			return Shape{}, errf(loc, "%s is larger than the padded input %s (%s + 2·%s) along %s, so the output size would be ⌊%s⌋ + 1 = %s, not at least 1",
				kdesc, Comma(padded), c(ax.n), c(p), ax.name, expr, Comma(o))
		}
		o := num/int64(s) + 1
		*ax.dst = int(o)
		parts = append(parts, fmt.Sprintf("⌊%s⌋ + 1 = %s", expr, Comma(o)))
		if r := num % int64(s); r != 0 {
			unit := map[string]string{"H": "row", "W": "column"}[ax.name]
			if r == 1 {
				unit = "last padded " + unit + " is"
			} else {
				unit = "last " + Comma(r) + " padded " + unit + "s are"
			}
			row.Notes = append(row.Notes, fmt.Sprintf("%s: %s = %s/%s is not whole; the framework floors it to %s (so the %s not covered)",
				ax.name, expr, Comma(num), c(s), Comma(num/int64(s)), unit))
		}
	}
	if in.H == in.W {
		row.Working.OutShape = fmt.Sprintf("H = W = %s", parts[0])
	} else {
		row.Working.OutShape = fmt.Sprintf("H = %s; W = %s", parts[0], parts[1])
	}
	return out, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// adaptiveBins returns the largest bin, the (floored) stride and whether bins are even
// for adaptive average pooling from n to o. PyTorch's bin i is [⌊i·n/o⌋, ⌈(i+1)·n/o⌉).
func adaptiveBins(n, o int) (k, s int, exact bool) {
	if n%o == 0 {
		return n / o, n / o, true
	}
	s = max(n/o, 1)
	if o > 1<<16 {
		return (n+o-1)/o + 1, s, false
	}
	N, O := int64(n), int64(o)
	for i := int64(0); i < O; i++ {
		lo := i * N / O
		hi := ((i+1)*N + O - 1) / O
		k = max(k, int(hi-lo))
	}
	return k, s, false
}

// rfStep applies r_l = r_{l-1} + (k−1)·d·j_{l-1}, j_l = j_{l-1}·s,
// start_l = start_{l-1} + ((k−1)·d/2 − p)·j_{l-1} and writes the working.
func (a *analyzer) rfStep(row *LayerResult, st state, k, s, p, d int) state {
	next := st
	grow := a.o.mul(int64(k-1), int64(d), st.jump)
	next.rf = a.o.add(st.rf, grow)
	next.jump = a.o.mul(st.jump, int64(s))
	next.start = st.start + (float64(k-1)*float64(d)/2-float64(p))*float64(st.jump)
	row.Working.RF = fmt.Sprintf("r = %s + (%s − 1)·%s·%s = %s", Comma(st.rf), c(k), c(d), Comma(st.jump), Comma(next.rf))
	row.Working.Jump = fmt.Sprintf("j = %s·%s = %s", Comma(st.jump), c(s), Comma(next.jump))
	row.Working.Start = fmt.Sprintf("start = %s + ((%s − 1)·%s/2 − %s)·%s = %s", Half(st.start), c(k), c(d), c(p), Comma(st.jump), Half(next.start))
	return next
}

// globalRF: after flatten (or an fc on a map) every output sees the whole map, as a kernel
// the size of the map with no padding would.
func (a *analyzer) globalRF(row *LayerResult, st state) state {
	if st.shape.H == 1 && st.shape.W == 1 {
		return st
	}
	next := a.rfStep(row, st, st.shape.H, 1, 0, 1)
	row.Working.RF += fmt.Sprintf(" (every output sees the whole %s×%s map: a %s×%s kernel)", c(st.shape.H), c(st.shape.W), c(st.shape.H), c(st.shape.H))
	next.jump = st.jump
	return next
}

func (a *analyzer) totals(st state) {
	t := a.tot
	t.OutShape, t.RF, t.Jump = st.shape, st.rf, st.jump
	t.FLOPs = a.o.mul(2, t.MACs)
	t.Working = map[string]string{
		"params":         sumWorking(t.paramTerms, t.Params),
		"params_no_bias": sumWorking(t.paramNBTerms, t.ParamsNoBias),
		"macs":           sumWorking(t.macTerms, t.MACs),
		"flops":          fmt.Sprintf("2·%s = %s (1 MAC = 2 FLOPs)", Comma(t.MACs), Comma(t.FLOPs)),
		"activations":    sumWorking(t.activationTerms, t.Activations) + " (outputs of every layer after the input)",
	}
	t.MemoryBytes = map[DType]Memory{}
	for _, dt := range []DType{FP32, FP16} {
		b := dt.Bytes()
		var m Memory
		m.ParamsAndBuffers = a.o.mul(a.o.add(t.Params, t.Buffers), b)
		m.InferenceActivations = a.o.mul(t.PeakElems, b)
		m.Inference = a.o.add(m.ParamsAndBuffers, m.InferenceActivations)
		m.InferenceWorking = fmt.Sprintf("(params %s + buffers %s + peak live activations %s at %q (its input + output))·%d B = %s",
			Comma(t.Params), Comma(t.Buffers), Comma(t.PeakElems), t.PeakLayer, b, Comma(m.Inference))
		m.TrainingActivations = a.o.mul(a.o.add(t.InputElems, t.Activations), b)
		m.Gradients = a.o.mul(t.Params, b)
		copies := "2"
		if a.opt.Momentum {
			m.Momentum = m.Gradients
			copies = "3"
		}
		m.Training = a.o.add(m.TrainingActivations, m.ParamsAndBuffers, m.Gradients, m.Momentum)
		what := "weights + gradients"
		if a.opt.Momentum {
			what = "weights + gradients + SGD momentum"
		}
		m.TrainingWorking = fmt.Sprintf("(input %s + activations %s + %s·params %s (%s) + buffers %s)·%d B = %s",
			Comma(t.InputElems), Comma(t.Activations), copies, Comma(t.Params), what, Comma(t.Buffers), b, Comma(m.Training))
		t.MemoryBytes[dt] = m
	}
}
