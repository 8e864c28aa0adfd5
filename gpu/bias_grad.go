//go:build js

package gpu

import _ "embed"

//go:embed bias_grad.wgsl
var biasGradWGSL string

// biasGradParams is bias_grad.wgsl's Params.
type biasGradParams struct {
	C, Off, Pad0, Pad1 uint32
}

// Bindings: Step, Params, dz, g.
var biasGradProgram = &program{name: "bias_grad", src: biasGradWGSL, wg: 64, params: biasGradParams{}}
