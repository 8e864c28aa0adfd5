package mnist

import (
	"fmt"
	"strings"
)

// Set is a parsed MNIST split: N images of Rows×Cols bytes (row-major, 0 = background)
// and their labels 0..9. The bytes are never modified after loading.
type Set struct {
	N, Rows, Cols int
	Images        []byte // N*Rows*Cols
	Labels        []byte // N
}

// Mode selects how 28×28 digits become the 32×32 model input (see docs/CONTRACT.md).
type Mode int

const (
	Resize Mode = iota // bilinear resize, half-pixel centres (the lab's default)
	Pad                // 2 zero pixels on every side (LeCun's)
)

// Standard normalization constants of MNIST.
const (
	Mean = 0.1307
	Std  = 0.3081
)

// Preprocess turns raw digits into float32 model input.
type Preprocess struct {
	Mode      Mode
	Normalize bool // (v-Mean)/Std; false leaves v in [0,1]
}

// Limit returns the first n items of s, sharing its memory; n <= 0 or n >= s.N returns s itself.
func (s *Set) Limit(n int) *Set {
	if n <= 0 || n >= s.N {
		return s
	}
	size := n * s.Rows * s.Cols
	return &Set{N: n, Rows: s.Rows, Cols: s.Cols, Images: s.Images[:size:size], Labels: s.Labels[:n:n]}
}

// ParseMode parses a preprocessing mode name, "resize" or "pad".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "resize":
		return Resize, nil
	case "pad":
		return Pad, nil
	}
	return 0, fmt.Errorf("mnist: unknown preprocessing mode %q: use \"resize\" (bilinear 28→32) or \"pad\" (2-pixel zero border)", s)
}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	switch m {
	case Resize:
		return "resize"
	case Pad:
		return "pad"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}
