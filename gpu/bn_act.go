//go:build js

package gpu

import _ "embed"

//go:embed bn_act.wgsl
var bnActWGSL string

// bnActParams is bn_act.wgsl's Params.
type bnActParams struct {
	C, H, W, HasBN, GammaOff, BetaOff, Moff, Voff, Drop, Threshold uint32
	Scale                                                          float32
	Seed, Layer, Relu, Pool, Pad                                   uint32
}

// Bindings: Step, Params, z, p, bufs, stats, out, argmax, mask0.
var bnActProgram = &program{name: "bn_act", src: bnActWGSL, wg: 64, params: bnActParams{}}

// threads: 4 output values per thread.
func (p bnActParams) threads(n int) int {
	if p.Pool != 0 {
		return ceilDiv(n*int(p.C*(p.H/2)*(p.W/2)), 4)
	}
	return ceilDiv(n*int(p.C*p.H*p.W), 4)
}
