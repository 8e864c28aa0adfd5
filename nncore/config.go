package nncore

import (
	"fmt"
	"math"
	"strings"

	"github.com/lenetlab/lenetlab/mnist"
)

// Input-dropout placements (docs/CONTRACT.md).
const (
	InputDropoutPixels = "pixels" // drop0 (p=0.2) on the input pixels, drop1 p=0.5 (default)
	InputDropoutConv1  = "conv1"  // no drop0; drop1 p=0.2 (the lab notebook's placement)
)

// DefaultConfig returns the lab's defaults: standard-bn, input dropout on pixels, bilinear resize,
// seed 1, 10 epochs, batch 256, lr 0.1, no momentum or weight decay, all the data.
func DefaultConfig() Config {
	return Config{
		Variant:      StandardBN,
		InputDropout: InputDropoutPixels,
		Input:        mnist.Resize,
		Seed:         1,
		Epochs:       10,
		Batch:        256,
		LR:           0.1,
	}
}

// ParseVariant parses a variant name as the command line and the page spell it.
func ParseVariant(s string) (Variant, error) {
	v := Variant(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Variants {
		if v == k {
			return k, nil
		}
	}
	names := make([]string, len(Variants))
	for i, k := range Variants {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown variant %q: use one of %s", s, strings.Join(names, ", "))
}

// Validate reports the first setting that no engine can run.
func (c Config) Validate() error {
	if _, err := ParseVariant(string(c.Variant)); err != nil {
		return err
	}
	switch c.InputDropout {
	case "", InputDropoutPixels, InputDropoutConv1:
	default:
		return fmt.Errorf("unknown input dropout %q: use %q or %q", c.InputDropout, InputDropoutPixels, InputDropoutConv1)
	}
	if c.Input != mnist.Resize && c.Input != mnist.Pad {
		return fmt.Errorf("unknown input mode %d: use resize or pad", int(c.Input))
	}
	if c.Epochs < 1 {
		return fmt.Errorf("epochs is %d: train at least 1 epoch", c.Epochs)
	}
	minBatch := 1
	if c.HasBN() {
		minBatch = 2
	}
	if c.Batch < minBatch || c.Batch > 65536 {
		return fmt.Errorf("batch size is %d: use %d to 65536 (BatchNorm needs 2 images per batch)", c.Batch, minBatch)
	}
	if !(c.LR > 0) || math.IsInf(float64(c.LR), 0) {
		return fmt.Errorf("learning rate is %v: use a positive finite number such as 0.1", c.LR)
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) {
		return fmt.Errorf("momentum is %v: use a number in [0, 1), such as 0 or 0.9", c.Momentum)
	}
	if !(c.WeightDecay >= 0) || math.IsInf(float64(c.WeightDecay), 0) {
		return fmt.Errorf("weight decay is %v: use 0 or a small positive number such as 5e-4", c.WeightDecay)
	}
	if c.TrainLimit < 0 || c.TestLimit < 0 {
		return fmt.Errorf("train/test limits are %d/%d: use 0 (all images) or a positive count", c.TrainLimit, c.TestLimit)
	}
	return nil
}

// HasBN reports whether the variant has BatchNorm layers.
func (c Config) HasBN() bool {
	return c.Variant == StandardBN || c.Variant == BNInput || c.Variant == BNDropout
}

// HasDropout reports whether the variant has dropout layers.
func (c Config) HasDropout() bool { return c.Variant == Dropout || c.Variant == BNDropout }

// Preprocess returns the input preprocessing of the variant: normalized except for bn-input, which
// feeds raw [0,1] pixels to bn0.
func (c Config) Preprocess() mnist.Preprocess {
	return mnist.Preprocess{Mode: c.Input, Normalize: c.Variant != BNInput}
}
