//go:build js

package gpu

import _ "embed"

//go:embed matmul.wgsl
var matmulWGSL string

// matmulParams is matmul.wgsl's Params.
type matmulParams struct {
	M, N, K, Sam, Sak, Sbk, Sbn, Aoff, Boff, Coff, BiasOff, HasBias, BatchDim, Pad0, Pad1, Pad2 uint32
}

// Bindings: Step, Params, a, b, bias, c.
var matmulProgram = &program{name: "matmul", src: matmulWGSL, wg: 64, params: matmulParams{}}

func (p matmulParams) threads(n int) int {
	m := int(p.M)
	if p.BatchDim == 1 {
		m = n
	}
	return ceilDiv(m, 4) * ceilDiv(int(p.N), 4)
}
