//go:build js

package gpu

import _ "embed"

//go:embed bn0_grad.wgsl
var bn0GradWGSL string

// bn0GradParams is bn0_grad.wgsl's Params.
type bn0GradParams struct {
	Woff, Cout, KK, GammaOff, BetaOff, Pad0, Pad1, Pad2 uint32
}

// bn0GradProgram: bindings Params, p, stats, raw, grads (no Step). One thread.
var bn0GradProgram = &program{name: "bn0_grad", src: bn0GradWGSL, wg: 1, params: bn0GradParams{}, noStep: true}
