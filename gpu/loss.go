//go:build js

package gpu

import _ "embed"

var (
	//go:embed softmax_xent.wgsl
	softmaxXentWGSL string
	//go:embed stats_accum.wgsl
	statsAccumWGSL string
	//go:embed sgd.wgsl
	sgdWGSL string
)

// softmaxParams is softmax_xent.wgsl's Params.
type softmaxParams struct{ Classes, Grad, Pad0, Pad1 uint32 }

// sgdParams is sgd.wgsl's Params.
type sgdParams struct {
	Count            uint32
	LR, Momentum, WD float32
}

var (
	// Bindings: Step, Params, logits, labels, d, lc.
	softmaxProgram = &program{name: "softmax_xent", src: softmaxXentWGSL, wg: 64, params: softmaxParams{}}
	// Bindings: Step, lc, acc. One thread.
	statsAccumProgram = &program{name: "stats_accum", src: statsAccumWGSL, wg: 1}
	// Bindings: Params, w, g, v (no Step).
	sgdProgram = &program{name: "sgd", src: sgdWGSL, wg: 64, params: sgdParams{}, noStep: true}
)
