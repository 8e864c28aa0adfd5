//go:build js

package gpu

import (
	_ "embed"
	"fmt"
)

//go:embed conv_backward_weight.wgsl
var convBackwardWeightWGSL string

// convWeightParams is conv_backward_weight.wgsl's Params.
type convWeightParams struct {
	Cin, H, W, Cout, K, OH, OW, Chunk uint32
}

// convChunk is the number of images one conv_backward_weight thread sums over.
const convChunk = 8

// convBackwardWeightProgram returns conv_backward_weight.wgsl expanded for cb output channels and
// a k×k kernel. Bindings: Step, Params, dy, x, part.
func convBackwardWeightProgram(cb, k int) *program {
	name := fmt.Sprintf("conv_backward_weight_%dk%d", cb, k)
	if p, ok := convPrograms[name]; ok {
		return p
	}
	p := &program{name: name, src: expandTemplate(convBackwardWeightWGSL, cb, k, 4, false), wg: 64, params: convWeightParams{}}
	convPrograms[name] = p
	return p
}

// total is the number of weight and bias gradients.
func (p convWeightParams) total() int { return int(p.Cout*p.Cin*p.K*p.K + p.Cout) }

func (p convWeightParams) threads(n int) int {
	return ceilDiv(n, int(p.Chunk)) * ceilDiv(int(p.Cout), convBlock(int(p.Cout))) * int(p.Cin*p.K)
}

func (p convWeightParams) program() *program {
	return convBackwardWeightProgram(convBlock(int(p.Cout)), int(p.K))
}
