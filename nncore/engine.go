package nncore

import "github.com/lenetlab/lenetlab/mnist"

// Variant names one of the model configurations of docs/CONTRACT.md.
type Variant string

const (
	Plain      Variant = "plain"
	StandardBN Variant = "standard-bn"
	BNInput    Variant = "bn-input"
	Dropout    Variant = "dropout"
	BNDropout  Variant = "bn-dropout"
)

// Variants lists every variant in display order.
var Variants = []Variant{Plain, StandardBN, BNInput, Dropout, BNDropout}

// LabVariants are the four experiments of the lab, in the lab's order.
var LabVariants = []Variant{StandardBN, BNInput, Dropout, BNDropout}

// Config is everything that determines a training run. Two runs with equal Configs produce
// equal results, bit for bit, on the same machine and engine.
type Config struct {
	Variant      Variant    `json:"variant"`
	InputDropout string     `json:"input_dropout"` // "pixels" (default) or "conv1"
	Input        mnist.Mode `json:"input"`         // mnist.Resize (default) or mnist.Pad
	Seed         uint64     `json:"seed"`
	Epochs       int        `json:"epochs"`
	Batch        int        `json:"batch"`
	LR           float32    `json:"lr"`
	Momentum     float32    `json:"momentum"`
	WeightDecay  float32    `json:"weight_decay"`
	TrainLimit   int        `json:"train_limit"` // 0 = all 60,000
	TestLimit    int        `json:"test_limit"`  // 0 = all 10,000
}

// Tensor is a named float32 tensor, NCHW row-major.
type Tensor struct {
	Name  string    `json:"name"`
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
}

// State is everything an engine learns or accumulates: parameters (in the contract's order),
// BN running statistics, SGD velocity (empty without momentum) and the global step counter.
type State struct {
	Step     int64    `json:"step"`
	Params   []Tensor `json:"params"`
	Buffers  []Tensor `json:"buffers"`
	Velocity []Tensor `json:"velocity,omitempty"`
}

// TrainStats are sums over the training samples seen since the previous TakeTrainStats call.
type TrainStats struct {
	LossSum float64 // sum of per-sample cross-entropy
	Correct int
	N       int
}

// EvalStats are sums over an evaluation pass in eval mode (running BN statistics, no dropout).
type EvalStats struct {
	LossSum float64
	Correct int
	N       int
}

// BNSnapshot is one BN layer's state at a step.
type BNSnapshot struct {
	Name        string    `json:"name"` // "bn0".."bn4"
	Gamma       []float32 `json:"gamma"`
	Beta        []float32 `json:"beta"`
	RunningMean []float32 `json:"running_mean"`
	RunningVar  []float32 `json:"running_var"`
	BatchMean   []float32 `json:"batch_mean"` // of the last training batch
	BatchVar    []float32 `json:"batch_var"`  // biased, of the last training batch
}

// MaskSnapshot is the last dropout mask of one layer for the first sample of the batch.
type MaskSnapshot struct {
	Name  string  `json:"name"`  // "drop0".."drop4"
	Shape []int   `json:"shape"` // [C,H,W] or [F]
	P     float32 `json:"p"`
	Keep  []byte  `json:"keep"` // 1 = kept, 0 = dropped
}

// Snapshot is what the page visualizes.
type Snapshot struct {
	Step  int64          `json:"step"`
	BN    []BNSnapshot   `json:"bn"`
	Masks []MaskSnapshot `json:"masks"`
}

// Engine trains one model. The CPU engine (this package) and the WebGPU engine (package gpu)
// implement it with equal results within float32 tolerance; dropout masks are equal exactly.
type Engine interface {
	Backend() string                     // "cpu" or "webgpu"
	TrainBatch(idx []int32) error        // one SGD step on training images idx; advances the step
	TakeTrainStats() (TrainStats, error) // sums since the last call (may synchronise a GPU)
	Evaluate(limit int) (EvalStats, error)
	Snapshot() (*Snapshot, error)
	State() (*State, error)
	// Predict returns softmax probabilities [n,10] in eval mode for preprocessed input [n,1,32,32].
	Predict(x []float32, n int) ([]float32, error)
	Close()
}
