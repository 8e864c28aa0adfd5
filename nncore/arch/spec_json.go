package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// jsonLayer is the wire form of a Layer. Pointers tell a missing field from an explicit 0.
type jsonLayer struct {
	Type     *string             `json:"type"`
	Name     string              `json:"name,omitempty"`
	Out      *int64              `json:"out,omitempty"`
	K        *int64              `json:"k,omitempty"`
	S        *int64              `json:"s,omitempty"`
	P        *int64              `json:"p,omitempty"`
	D        *int64              `json:"d,omitempty"`
	Groups   *int64              `json:"groups,omitempty"`
	Bias     *bool               `json:"bias,omitempty"`
	Size     *int64              `json:"size,omitempty"`
	Rate     *float64            `json:"rate,omitempty"`
	Shape    []int64             `json:"shape,omitempty"`
	Branches [][]json.RawMessage `json:"branches,omitempty"`
}

type jsonSpec struct {
	Input  []int64           `json:"input"`
	Layers []json.RawMessage `json:"layers"`
}

// ParseSpec reads a JSON spec:
//
//	{"input":[3,227,227],"layers":[{"type":"conv","name":"conv1","out":96,"k":11,"s":4,"p":0}, ...]}
//
// Field names: type, name, out, k, s, p, d, groups, bias, size, rate, shape, branches.
// Unknown fields, missing required fields, zero strides and kernels, negative or
// non-integer numbers and absurd sizes are errors (*Error) naming the layer.
// Shapes are not checked against each other here: Analyze does that.
func ParseSpec(data []byte) (Spec, error) {
	var js jsonSpec
	if err := strictDecode(data, &js); err != nil {
		return Spec{}, &Error{Layer: "spec", Reason: "malformed JSON: " + jsonReason(err)}
	}
	var spec Spec
	if js.Input != nil {
		v, err := ints(js.Input, "input", "input")
		if err != nil {
			return Spec{}, err
		}
		s, err := shapeFrom(v, "input")
		if err != nil {
			return Spec{}, err
		}
		spec.Input = s
	}
	if js.Layers == nil {
		return Spec{}, &Error{Layer: "spec", Reason: "\"layers\" is missing: give a list of layers"}
	}
	layers, err := parseLayers(js.Layers, "")
	if err != nil {
		return Spec{}, err
	}
	spec.Layers = layers
	if js.Input == nil && (len(layers) == 0 || layers[0].Type != Input) {
		return Spec{}, &Error{Layer: "input", Reason: "the input shape is missing: give \"input\": [C, H, W] or start with an input layer"}
	}
	return spec, nil
}

// ReadSpec is ParseSpec on everything r holds.
func ReadSpec(r io.Reader) (Spec, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return Spec{}, fmt.Errorf("reading the spec: %w", err)
	}
	return ParseSpec(data)
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	case errors.As(err, &te):
		want := te.Type.String()
		switch want {
		case "int64":
			want = "a whole number"
		case "float64":
			want = "a number"
		case "string":
			want = "a string"
		case "bool":
			want = "true or false"
		}
		if te.Field != "" {
			return fmt.Sprintf("field %q: expected %s, got JSON %s", te.Field, want, te.Value)
		}
		return fmt.Sprintf("expected %s, got JSON %s", want, te.Value)
	case err == io.EOF:
		return "empty input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func parseLayers(raws []json.RawMessage, prefix string) ([]Layer, error) {
	out := make([]Layer, 0, len(raws))
	counts := map[string]int{}
	for i, raw := range raws {
		// First a lenient look for the name, so that every later message can carry it.
		var peek struct {
			Name any `json:"name"`
			Type any `json:"type"`
		}
		_ = json.Unmarshal(raw, &peek)
		name, _ := peek.Name.(string)
		if t, ok := peek.Type.(string); ok {
			counts[t]++
			if name == "" && knownType(Type(t)) {
				name = fmt.Sprintf("%s%d", t, counts[t]) // as Analyze names it
			}
		}
		loc := fmt.Sprintf("layer %d", i+1)
		if name != "" {
			loc = fmt.Sprintf("layer %d %q", i+1, name)
		}
		if prefix != "" {
			loc = prefix + " " + loc
		}
		var jl jsonLayer
		if err := strictDecode(raw, &jl); err != nil {
			return nil, &Error{Layer: loc, Reason: "malformed JSON: " + jsonReason(err)}
		}
		l, err := fromJSON(jl, loc, i == 0 && prefix == "")
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func ints(v []int64, field, loc string) ([]int, error) {
	out := make([]int, len(v))
	for i, x := range v {
		if x < 1 {
			return nil, errf(loc, "%s[%d] must be at least 1, got %s", field, i, Comma(x))
		}
		if x > MaxField {
			return nil, errf(loc, "%s[%d] = %s is absurdly large (limit %s)", field, i, Comma(x), c(MaxField))
		}
		out[i] = int(x)
	}
	return out, nil
}

// field checks an optional integer: nil → 0 (missing), else min ≤ v ≤ MaxField.
func field(p *int64, name string, min int64, loc string) (int, error) {
	if p == nil {
		return 0, nil
	}
	v := *p
	if v < min {
		if min == 1 {
			return 0, errf(loc, "%s must be at least 1, got %s", name, Comma(v))
		}
		return 0, errf(loc, "%s must not be negative, got %s", name, Comma(v))
	}
	if v > MaxField {
		return 0, errf(loc, "%s = %s is absurdly large (limit %s)", name, Comma(v), c(MaxField))
	}
	return int(v), nil
}

func fromJSON(jl jsonLayer, loc string, first bool) (Layer, error) {
	if jl.Type == nil {
		return Layer{}, errf(loc, "\"type\" is missing")
	}
	t := Type(*jl.Type)
	l := Layer{Type: t, Name: jl.Name}
	if !knownType(t) {
		names := make([]string, len(Types))
		for i, k := range Types {
			names[i] = string(k)
		}
		return l, errf(loc, "unknown type %q: use one of %s", *jl.Type, strings.Join(names, ", "))
	}
	// allowed lists the fields each type reads; any other given field is an error, so that a
	// misplaced setting (a stride on an fc) is not silently ignored.
	allowed := map[Type]string{
		Input: "shape", Conv: "out k s p d groups bias", MaxPool: "k s p", AvgPool: "k s p",
		AdaptiveAvgPool: "size", FC: "out bias", BN: "", ReLU: "", Dropout: "rate",
		Flatten: "", LRN: "size", Concat: "branches",
	}[t]
	given := map[string]bool{"out": jl.Out != nil, "k": jl.K != nil, "s": jl.S != nil, "p": jl.P != nil,
		"d": jl.D != nil, "groups": jl.Groups != nil, "bias": jl.Bias != nil, "size": jl.Size != nil,
		"rate": jl.Rate != nil, "shape": jl.Shape != nil, "branches": jl.Branches != nil}
	for _, f := range []string{"out", "k", "s", "p", "d", "groups", "bias", "size", "rate", "shape", "branches"} {
		if given[f] && !strings.Contains(" "+allowed+" ", " "+f+" ") {
			return l, errf(loc, "field %q does not apply to a %s layer", f, t)
		}
	}
	required := map[Type][]string{Conv: {"out", "k"}, MaxPool: {"k"}, AvgPool: {"k"},
		AdaptiveAvgPool: {"size"}, FC: {"out"}, Concat: {"branches"}, Input: {"shape"}}[t]
	for _, f := range required {
		if !given[f] {
			return l, errf(loc, "%q is missing: a %s layer needs %s", f, t, strings.Join(quoteAll(required), " and "))
		}
	}
	var err error
	set := func(dst *int, p *int64, name string, min int64) {
		if err == nil {
			*dst, err = field(p, name, min, loc)
		}
	}
	set(&l.Out, jl.Out, "out", 1)
	set(&l.K, jl.K, "k", 1)
	set(&l.S, jl.S, "s", 1)
	set(&l.P, jl.P, "p", 0)
	set(&l.D, jl.D, "d", 1)
	set(&l.Groups, jl.Groups, "groups", 1)
	set(&l.Size, jl.Size, "size", 1)
	if err != nil {
		return l, err
	}
	if jl.Bias != nil && !*jl.Bias {
		l.NoBias = true
	}
	if jl.Rate != nil {
		if r := *jl.Rate; !(r >= 0 && r < 1) {
			return l, errf(loc, "rate must be in [0, 1), got %g", r)
		}
		l.Rate = *jl.Rate
	}
	if t == Input {
		if !first {
			return l, errf(loc, "an input layer may only come first")
		}
		l.Shape, err = ints(jl.Shape, "shape", loc)
		if err != nil {
			return l, err
		}
		if _, err := shapeFrom(l.Shape, loc); err != nil {
			return l, err
		}
	}
	if t == Concat {
		if len(jl.Branches) == 0 {
			return l, errf(loc, "branches are empty: a concat needs at least one branch")
		}
		for bi, br := range jl.Branches {
			bloc := fmt.Sprintf("%s branch %d", loc, bi+1)
			if len(br) == 0 {
				return l, errf(bloc, "the branch has no layers")
			}
			layers, err := parseLayers(br, bloc)
			if err != nil {
				return l, err
			}
			l.Branches = append(l.Branches, layers)
		}
	}
	return l, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// FormatSpec writes spec as JSON that ParseSpec reads back: one layer per line, only the
// fields that matter, so that a person can edit it (the site's custom-stack textarea).
func FormatSpec(spec Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\"input\": [%d, %d, %d], \"layers\": [\n", spec.Input.C, spec.Input.H, spec.Input.W)
	writeLayers(&b, spec.Layers, "  ")
	b.WriteString("]}\n")
	return b.String()
}

func writeLayers(b *strings.Builder, layers []Layer, indent string) {
	for i, l := range layers {
		b.WriteString(indent)
		b.WriteString(layerJSON(l, indent))
		if i < len(layers)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
}

func layerJSON(l Layer, indent string) string {
	var parts []string
	add := func(k string, v any) {
		j, _ := json.Marshal(v)
		parts = append(parts, fmt.Sprintf("%q: %s", k, j))
	}
	add("type", string(l.Type))
	if l.Name != "" {
		add("name", l.Name)
	}
	num := func(k string, v int) {
		if v != 0 {
			add(k, v)
		}
	}
	switch l.Type {
	case Conv:
		num("out", l.Out)
		num("k", l.K)
		num("s", l.S)
		num("p", l.P)
		if l.D > 1 {
			num("d", l.D)
		}
		if l.Groups > 1 {
			num("groups", l.Groups)
		}
	case MaxPool, AvgPool:
		num("k", l.K)
		num("s", l.S)
		num("p", l.P)
	case AdaptiveAvgPool, LRN:
		num("size", l.Size)
	case FC:
		num("out", l.Out)
	case Dropout:
		if l.Rate > 0 {
			add("rate", l.Rate)
		}
	case Input:
		if l.Shape != nil {
			add("shape", l.Shape)
		}
	}
	if l.NoBias && (l.Type == Conv || l.Type == FC) {
		add("bias", false)
	}
	s := "{" + strings.Join(parts, ", ")
	if l.Type == Concat {
		s += ", \"branches\": [\n"
		for i, br := range l.Branches {
			s += indent + "  [\n"
			var b strings.Builder
			writeLayers(&b, br, indent+"    ")
			s += b.String() + indent + "  ]"
			if i < len(l.Branches)-1 {
				s += ","
			}
			s += "\n"
		}
		s += indent + "]"
	}
	return s + "}"
}
