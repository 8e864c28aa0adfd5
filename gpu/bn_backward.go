//go:build js

package gpu

import _ "embed"

//go:embed bn_backward.wgsl
var bnBackwardWGSL string

// bnBackwardParams is bn_backward.wgsl's Params.
type bnBackwardParams struct {
	C, H, W, GammaOff, BetaOff, Mode uint32
	Scale                            float32
	Pad                              uint32
}

// Bindings: Step, Params, gin, out, argmax, z, stats, sums, grads. One workgroup per channel.
var bnBackwardProgram = &program{name: "bn_backward", src: bnBackwardWGSL, wg: 64, params: bnBackwardParams{}}
