package mnist

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
