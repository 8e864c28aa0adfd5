//go:build js

package gpu

import _ "embed"

var (
	//go:embed conv_forward.wgsl
	convForwardWGSL string
	//go:embed conv_backward_input.wgsl
	convBackwardInputWGSL string
	//go:embed conv_backward_weight.wgsl
	convBackwardWeightWGSL string
	//go:embed reduce_chunks.wgsl
	reduceChunksWGSL string
)

// convParams is conv_forward.wgsl's and conv_backward_input.wgsl's Params.
type convParams struct {
	Cin, H, W, Cout, K, OH, OW, Woff uint32
}

// convWeightParams is conv_backward_weight.wgsl's Params.
type convWeightParams struct {
	Cin, H, W, Cout, K, OH, OW, Chunk uint32
}

// reduceChunksParams is reduce_chunks.wgsl's Params.
type reduceChunksParams struct {
	Total, Off, Chunk, Pad uint32
}

// convChunk is the number of images one conv_backward_weight thread sums over.
const convChunk = 8

var (
	// Bindings: Step, Params, x, p, y.
	convForwardProgram = &program{name: "conv_forward", src: convForwardWGSL, wg: 64, params: convParams{}}
	// Bindings: Step, Params, dy, p, dx.
	convBackwardInputProgram = &program{name: "conv_backward_input", src: convBackwardInputWGSL, wg: 64, params: convParams{}}
	// Bindings: Step, Params, dy, x, part.
	convBackwardWeightProgram = &program{name: "conv_backward_weight", src: convBackwardWeightWGSL, wg: 64, params: convWeightParams{}}
	// Bindings: Step, Params, part, g.
	reduceChunksProgram = &program{name: "reduce_chunks", src: reduceChunksWGSL, wg: 64, params: reduceChunksParams{}}
)

func (p convParams) forwardThreads(n int) int {
	return n * ceilDiv(int(p.Cout), 4) * int(p.OH) * ceilDiv(int(p.OW), 4)
}

func (p convParams) backwardInputThreads(n int) int {
	return n * int(p.Cin) * int(p.H) * ceilDiv(int(p.W), 4)
}

// total is the number of weight and bias gradients.
func (p convWeightParams) total() int { return int(p.Cout*p.Cin*p.K*p.K + p.Cout) }

func (p convWeightParams) threads(n int) int { return ceilDiv(n, int(p.Chunk)) * p.total() }
