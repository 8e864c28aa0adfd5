//go:build js

package gpu

import _ "embed"

//go:embed bn_backward_apply.wgsl
var bnBackwardApplyWGSL string

// bnBackwardApplyParams is bn_backward_apply.wgsl's Params.
type bnBackwardApplyParams struct {
	C, H, W, GammaOff, Mode uint32
	Scale                   float32
	Pad0, Pad1              uint32
}

func (p bnBackwardApplyParams) threads(n int) int {
	if p.Mode == 1 {
		return n * int(p.C*p.H*p.W) / 4
	}
	return n * int(p.C*p.H*p.W)
}

// Bindings: Step, Params, gin, out, argmax, z, stats, sums, p, dz.
var bnBackwardApplyProgram = &program{name: "bn_backward_apply", src: bnBackwardApplyWGSL, wg: 64, params: bnBackwardApplyParams{}}
