package arch

import "fmt"

// Shape is a per-image tensor shape: channels, height, width. A vector of N features is
// Shape{N, 1, 1}, which is what flatten and fc produce.
type Shape struct {
	C, H, W int
}

// Elems is C·H·W. Shapes that reach it have been checked not to overflow.
func (s Shape) Elems() int64 { return int64(s.C) * int64(s.H) * int64(s.W) }

// Slice returns the shape as [C, H, W], the order of the JSON spec and output.
func (s Shape) Slice() []int { return []int{s.C, s.H, s.W} }

// String writes the shape as "C×H×W" with thousands separators.
func (s Shape) String() string {
	return fmt.Sprintf("%s×%s×%s", Comma(int64(s.C)), Comma(int64(s.H)), Comma(int64(s.W)))
}

// Type names a kind of layer, as spelled in the JSON spec.
type Type string

const (
	Input           Type = "input"
	Conv            Type = "conv"
	MaxPool         Type = "maxpool"
	AvgPool         Type = "avgpool"
	AdaptiveAvgPool Type = "adaptiveavgpool"
	FC              Type = "fc"
	BN              Type = "bn"
	ReLU            Type = "relu"
	Dropout         Type = "dropout"
	Flatten         Type = "flatten"
	LRN             Type = "lrn"
	Concat          Type = "concat"
)

// Types lists every layer type in the order the documentation gives them.
var Types = []Type{Input, Conv, MaxPool, AvgPool, AdaptiveAvgPool, FC, BN, ReLU, Dropout, Flatten, LRN, Concat}

func knownType(t Type) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Layer is one entry of a spec. Which fields matter depends on Type:
//
//	conv:            Out (filters), K, S (default 1), P, D (default 1), Groups (default 1), NoBias
//	maxpool/avgpool: K, S (default K, as PyTorch), P
//	adaptiveavgpool: Size (output height = width)
//	fc:              Out; a non-flat input is flattened implicitly
//	bn:              none (channels come from the input)
//	lrn:             Size (local size, shown only; LRN has no parameters)
//	dropout:         Rate (shown only)
//	concat:          Branches, each a layer list that starts from the concat's input
//	input:           Shape (only as the first layer, instead of Spec.Input)
//
// In Go a zero S, D or Groups means "the default"; the JSON parser rejects an explicit 0.
type Layer struct {
	Type     Type
	Name     string
	Out      int
	K, S, P  int
	D        int
	Groups   int
	NoBias   bool
	Size     int
	Rate     float64
	Shape    []int
	Branches [][]Layer
}

// Spec is an input shape and the layers applied to it in order.
type Spec struct {
	Input  Shape
	Layers []Layer
}

// Layer constructors, for presets and for Go callers. They do no validation: Analyze does.

// ConvL is a convolution with square kernel k, stride s, padding p, bias on.
func ConvL(name string, out, k, s, p int) Layer {
	return Layer{Type: Conv, Name: name, Out: out, K: k, S: s, P: p}
}

// MaxPoolL is a max pool with square kernel k, stride s and padding p.
func MaxPoolL(name string, k, s, p int) Layer {
	return Layer{Type: MaxPool, Name: name, K: k, S: s, P: p}
}

// FCL is a fully connected layer with out features, bias on.
func FCL(name string, out int) Layer { return Layer{Type: FC, Name: name, Out: out} }

// Simple is a layer with no settings (relu, bn, flatten, dropout, lrn).
func Simple(t Type, name string) Layer { return Layer{Type: t, Name: name} }
