//go:build js

package gpu

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

var (
	//go:embed conv_forward.wgsl
	convForwardWGSL string
	//go:embed pad2d.wgsl
	pad2dWGSL string
	//go:embed conv_backward_weight.wgsl
	convBackwardWeightWGSL string
	//go:embed reduce_chunks.wgsl
	reduceChunksWGSL string
)

// convParams is conv_forward.wgsl's Params.
type convParams struct {
	Cin, H, W, Cout, K, OH, OW, Woff, Sco, Sci, Sky, Skx, HasBias, Boff, Ylo, Yhi uint32
}

// newConv returns the Params of a plain forward convolution whose weight [cout,cin,k,k] starts at
// woff, with the bias right after it.
func newConv(cin, h, w, cout, k, woff int) convParams {
	kk := k * k
	return convParams{Cin: uint32(cin), H: uint32(h), W: uint32(w), Cout: uint32(cout), K: uint32(k),
		OH: uint32(h - k + 1), OW: uint32(w - k + 1), Woff: uint32(woff), Sco: uint32(cin * kk), Sci: uint32(kk),
		Sky: uint32(k), Skx: 1, HasBias: 1, Boff: uint32(woff + cout*cin*kk), Ylo: 0, Yhi: uint32(h)}
}

// inputGrad returns the Params that compute ∂L/∂x of p from ∂L/∂y zero-padded by k−1 on every side:
// a full convolution with the kernel transposed (cin ↔ cout) and flipped (strides −k, −1 as u32).
func (p convParams) inputGrad() convParams {
	k, kk := p.K, p.K*p.K
	return convParams{Cin: p.Cout, H: p.OH + 2*(k-1), W: p.OW + 2*(k-1), Cout: p.Cin, K: k, OH: p.H, OW: p.W,
		Woff: p.Woff + (k-1)*k + (k - 1), Sco: kk, Sci: p.Cin * kk, Sky: -k, Skx: ^uint32(0), Ylo: k - 1, Yhi: k - 1 + p.OH}
}

// pad2dParams is pad2d.wgsl's Params.
type pad2dParams struct{ C, H, W, Pad uint32 }

func (p pad2dParams) threads(n int) int { return n * int(p.C*(p.H+2*p.Pad)*(p.W+2*p.Pad)) }

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

// convForwardPrograms holds conv_forward.wgsl expanded for each channel block size CB.
var convForwardPrograms = map[int]*program{}

// convForwardProgram returns conv_forward.wgsl with a block of cb output channels per thread.
// Bindings: Step, Params, x, p, y.
func convForwardProgram(cb int) *program {
	if p, ok := convForwardPrograms[cb]; ok {
		return p
	}
	var b strings.Builder
	fmt.Fprintf(&b, "const CB: u32 = %du;\n", cb)
	for _, line := range strings.SplitAfter(convForwardWGSL, "\n") {
		ind, rest, ok := strings.Cut(line, "//#acc ")
		if !ok || strings.TrimSpace(ind) != "" {
			b.WriteString(line)
			continue
		}
		for j := 0; j < cb; j++ {
			b.WriteString(ind + strings.ReplaceAll(rest, "$", strconv.Itoa(j)))
		}
	}
	p := &program{name: fmt.Sprintf("conv_forward_cb%d", cb), src: b.String(), wg: 64, params: convParams{}}
	convForwardPrograms[cb] = p
	return p
}

// convBlock picks the channel block: the divisor of cout in 4..8 with the least waste.
func convBlock(cout int) int {
	best, waste := 4, 1<<30
	for cb := 8; cb >= 4; cb-- {
		if w := ceilDiv(cout, cb)*cb - cout; w < waste {
			best, waste = cb, w
		}
	}
	return best
}

var (
	// Bindings: Step, Params, src, out.
	pad2dProgram = &program{name: "pad2d", src: pad2dWGSL, wg: 64, params: pad2dParams{}}
	// Bindings: Step, Params, dy, x, part.
	convBackwardWeightProgram = &program{name: "conv_backward_weight", src: convBackwardWeightWGSL, wg: 64, params: convWeightParams{}}
	// Bindings: Step, Params, part, g.
	reduceChunksProgram = &program{name: "reduce_chunks", src: reduceChunksWGSL, wg: 64, params: reduceChunksParams{}}
)

func (p convParams) forwardThreads(n int) int {
	return n * ceilDiv(int(p.Cout), convBlock(int(p.Cout))) * int(p.OH) * ceilDiv(int(p.OW), 4)
}

// program returns the conv_forward program for p's channel block.
func (p convParams) program() *program { return convForwardProgram(convBlock(int(p.Cout))) }

// total is the number of weight and bias gradients.
func (p convWeightParams) total() int { return int(p.Cout*p.Cin*p.K*p.K + p.Cout) }

func (p convWeightParams) threads(n int) int {
	return ceilDiv(n, int(p.Chunk)) * ceilDiv(int(p.Cout), 4) * ceilDiv(int(p.Cin*p.K*p.K)+1, 4)
}
