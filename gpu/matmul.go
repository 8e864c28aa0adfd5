//go:build js

package gpu

import _ "embed"

//go:embed matmul.wgsl
var matmulWGSL string

//go:embed bias_grad.wgsl
var biasGradWGSL string

// matmulParams is matmul.wgsl's Params.
type matmulParams struct {
	M, N, K, Sam, Sak, Sbk, Sbn, Aoff, Boff, Coff, BiasOff, HasBias, BatchDim, Pad0, Pad1, Pad2 uint32
}

// biasGradParams is bias_grad.wgsl's Params.
type biasGradParams struct {
	C, Off, Pad0, Pad1 uint32
}

var (
	// Bindings: Step, Params, a, b, bias, c.
	matmulProgram = &program{name: "matmul", src: matmulWGSL, wg: 64, params: matmulParams{}}
	// Bindings: Step, Params, dz, g.
	biasGradProgram = &program{name: "bias_grad", src: biasGradWGSL, wg: 64, params: biasGradParams{}}
)

func (p matmulParams) threads(n int) int {
	m := int(p.M)
	if p.BatchDim == 1 {
		m = n
	}
	return ceilDiv(m, 4) * ceilDiv(int(p.N), 4)
}
