//go:build js

package gpu

import _ "embed"

//go:embed bn_act_back.wgsl
var bnActBackWGSL string

// bnActBackParams is bn_act_back.wgsl's Params.
type bnActBackParams struct {
	C, H, W, Relu, Pool, Drop uint32
	Scale                     float32
	Pad                       uint32
}

// Bindings: Step, Params, dout, out, argmax, g.
var bnActBackProgram = &program{name: "bn_act_back", src: bnActBackWGSL, wg: 64, params: bnActBackParams{}}

func (p bnActBackParams) threads(n int) int { return n * int(p.C*p.H*p.W) }
