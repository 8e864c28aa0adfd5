//go:build js

package gpu

import _ "embed"

var (
	//go:embed bn_stats.wgsl
	bnStatsWGSL string
	//go:embed bn_act.wgsl
	bnActWGSL string
	//go:embed bn_act_back.wgsl
	bnActBackWGSL string
	//go:embed bn_backward.wgsl
	bnBackwardWGSL string
	//go:embed bn_backward_apply.wgsl
	bnBackwardApplyWGSL string
)

// bnStatsParams is bn_stats.wgsl's Params.
type bnStatsParams struct{ C, HW, Moff, Voff uint32 }

// bnActParams is bn_act.wgsl's Params.
type bnActParams struct {
	C, H, W, HasBN, GammaOff, BetaOff, Moff, Voff, Drop, Threshold uint32
	Scale                                                          float32
	Seed, Layer, Relu, Pool, Pad                                   uint32
}

// bnActBackParams is bn_act_back.wgsl's Params.
type bnActBackParams struct {
	C, H, W, Relu, Pool, Drop uint32
	Scale                     float32
	Pad                       uint32
}

// bnBackwardParams is bn_backward.wgsl's Params.
type bnBackwardParams struct {
	C, H, W, GammaOff, BetaOff, Mode uint32
	Scale                            float32
	Pad                              uint32
}

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

var (
	// Bindings: Step, Params, x, stats, bufs. One workgroup per channel.
	bnStatsProgram = &program{name: "bn_stats", src: bnStatsWGSL, wg: 64, params: bnStatsParams{}}
	// Bindings: Step, Params, z, p, bufs, stats, out, argmax, mask0.
	bnActProgram = &program{name: "bn_act", src: bnActWGSL, wg: 64, params: bnActParams{}}
	// Bindings: Step, Params, dout, out, argmax, g.
	bnActBackProgram = &program{name: "bn_act_back", src: bnActBackWGSL, wg: 64, params: bnActBackParams{}}
	// Bindings: Step, Params, gin, out, argmax, z, stats, sums, grads. One workgroup per channel.
	bnBackwardProgram = &program{name: "bn_backward", src: bnBackwardWGSL, wg: 64, params: bnBackwardParams{}}
	// Bindings: Step, Params, gin, out, argmax, z, stats, sums, p, dz.
	bnBackwardApplyProgram = &program{name: "bn_backward_apply", src: bnBackwardApplyWGSL, wg: 64, params: bnBackwardApplyParams{}}
)

// threads: 4 output values per thread.
func (p bnActParams) threads(n int) int {
	if p.Pool != 0 {
		return ceilDiv(n*int(p.C*(p.H/2)*(p.W/2)), 4)
	}
	return ceilDiv(n*int(p.C*p.H*p.W), 4)
}

func (p bnActBackParams) threads(n int) int { return n * int(p.C*p.H*p.W) }
