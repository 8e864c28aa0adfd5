//go:build js

package gpu

import _ "embed"

// convPackParams is conv_pack.wgsl's Params.
type convPackParams struct {
	Cin, Cout, K, CB, CBP, Woff, Sco, Sci, Sky, Skx, Pad0, Pad1 uint32
}

//go:embed conv_pack.wgsl
var convPackWGSL string

// Bindings: Params, p, wpk (no Step).
var convPackProgram = &program{name: "conv_pack", src: convPackWGSL, wg: 64, params: convPackParams{}, noStep: true}

// size is the number of floats of the packed weights.
func (p convPackParams) size() int {
	return ceilDiv(int(p.Cout), int(p.CB)) * int(p.Cin*p.K*p.K*p.CBP)
}
