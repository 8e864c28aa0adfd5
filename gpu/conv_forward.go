//go:build js

package gpu

import (
	_ "embed"
	"fmt"
)

//go:embed conv_forward.wgsl
var convForwardWGSL string

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

// inputGrad returns the Params that compute ∂L/∂x of p from ∂L/∂y zero-padded by k−1 on every side
// (rows padded further to a multiple of 4 floats, for vec4 loads):
// a full convolution with the kernel transposed (cin ↔ cout) and flipped (strides −k, −1 as u32).
func (p convParams) inputGrad() convParams {
	k, kk := p.K, p.K*p.K
	return convParams{Cin: p.Cout, H: p.OH + 2*(k-1), W: (p.OW + 2*(k-1) + 3) &^ 3, Cout: p.Cin, K: k, OH: p.H, OW: p.W,
		Woff: p.Woff + (k-1)*k + (k - 1), Sco: kk, Sci: p.Cin * kk, Sky: -k, Skx: ^uint32(0), Ylo: k - 1, Yhi: k - 1 + p.OH}
}

// pack returns the conv_pack Params for p's block.
func (p convParams) pack() convPackParams {
	cb := convBlock(int(p.Cout))
	return convPackParams{Cin: p.Cin, Cout: p.Cout, K: p.K, CB: uint32(cb), CBP: uint32(4 * ceilDiv(cb, 4)),
		Woff: p.Woff, Sco: p.Sco, Sci: p.Sci, Sky: p.Sky, Skx: p.Skx}
}

// convForwardProgram returns conv_forward.wgsl expanded for a block of cb output channels × xw
// (4 or 8) output columns per thread. Bindings: Step, Params, x, p, y.
func convForwardProgram(cb, xw int, v4 bool) *program {
	name := fmt.Sprintf("conv_forward_%dx%d", cb, xw)
	if v4 {
		name += "v4"
	}
	if p, ok := convPrograms[name]; ok {
		return p
	}
	p := &program{name: name, src: expandTemplate(convForwardWGSL, cb, 1, xw, v4), wg: 64, params: convParams{}}
	convPrograms[name] = p
	return p
}

// convBlock picks the channel block in 1..8 that wastes the fewest channels, the largest on ties
// (measured on SwiftShader: 6 for 6 channels and 8 for 16 beat 4 by 1.4–1.8×).
func convBlock(cout int) int {
	best, waste := 8, 1<<30
	for cb := 8; cb >= 1; cb-- {
		if w := ceilDiv(cout, cb)*cb - cout; w < waste {
			best, waste = cb, w
		}
	}
	return best
}

// xw returns the output columns per thread: 8 when that computes at most 15% more columns than
// there are (on SwiftShader at batch 256: conv1 78 ms with 8 against 92 with 4; conv2, 10 columns
// computed as 16, 224 ms against 179).
func (p convParams) xw() int {
	if ceilDiv(int(p.OW), 8)*8*100 <= int(p.OW)*115 {
		return 8
	}
	return 4
}

func (p convParams) forwardThreads(n int) int {
	return n * ceilDiv(int(p.Cout), convBlock(int(p.Cout))) * int(p.OH) * ceilDiv(int(p.OW), p.xw())
}

// v4 reports whether the input rows allow vec4 loads (see conv_forward.wgsl).
func (p convParams) v4() bool { return p.W%4 == 0 && p.K <= 5 }

// program returns the conv_forward program for p's block.
func (p convParams) program() *program {
	return convForwardProgram(convBlock(int(p.Cout)), p.xw(), p.v4())
}
