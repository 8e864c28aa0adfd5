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

func (p pad2dParams) threads(n int) int {
	return n * int(p.C*(p.H+2*p.Pad)) * ceilDiv(int(p.W+2*p.Pad), 4)
}

// size is the number of floats of the padded output.
func (p pad2dParams) size(n int) int { return n * int(p.C*(p.H+2*p.Pad)*(p.W+2*p.Pad)) }

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

// expandTemplate expands the marked lines of a kernel template (see conv_forward.wgsl and
// conv_backward_weight.wgsl): //#acc once per channel of the block ($ = 0..cb−1), //#kx once per
// kernel column (# = 0..k−1, @ = # + 1), //#kxs for # = 0..k−2, //#quad once per vec4 of a block
// (% = 0..ceil(cb/4)−1; in //#acc lines $Q and $C name channel $'s vec4 and component), //#x4 and
// //#x8 only for that xw;
// wLAST names w{k−1}. Markers nest.
func expandTemplate(src string, cb, k, xw int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const CB: u32 = %du;\nconst CBP: u32 = %du;\nconst XW: u32 = %du;\nconst K: u32 = %du;\n", cb, 4*ceilDiv(cb, 4), xw, k)
	var expand func(line string)
	expand = func(line string) {
		ind, rest, ok := strings.Cut(line, "//#")
		if !ok || strings.TrimSpace(ind) != "" {
			b.WriteString(strings.ReplaceAll(line, "wLAST", fmt.Sprintf("w%d", k-1)))
			return
		}
		tag, body, _ := strings.Cut(rest, " ")
		each := func(n int, f func(i int) string) {
			for i := 0; i < n; i++ {
				expand(ind + f(i))
			}
		}
		switch tag {
		case "acc":
			each(cb, func(i int) string {
				r := strings.NewReplacer("$Q", strconv.Itoa(i/4), "$C", string("xyzw"[i%4]), "$", strconv.Itoa(i))
				return r.Replace(body)
			})
		case "quad":
			each(ceilDiv(cb, 4), func(i int) string { return strings.ReplaceAll(body, "%", strconv.Itoa(i)) })
		case "kx", "kxs":
			n := k
			if tag == "kxs" {
				n = k - 1
			}
			each(n, func(i int) string {
				return strings.ReplaceAll(strings.ReplaceAll(body, "#", strconv.Itoa(i)), "@", strconv.Itoa(i+1))
			})
		case "x4", "x8":
			if tag == fmt.Sprintf("x%d", xw) {
				expand(ind + body)
			}
		default:
			b.WriteString(line)
		}
	}
	for _, line := range strings.SplitAfter(src, "\n") {
		expand(line)
	}
	return b.String()
}

// convPrograms caches the expanded conv programs.
var convPrograms = map[string]*program{}

// convPackParams is conv_pack.wgsl's Params.
type convPackParams struct {
	Cin, Cout, K, CB, CBP, Woff, Sco, Sci, Sky, Skx, Pad0, Pad1 uint32
}

//go:embed conv_pack.wgsl
var convPackWGSL string

// Bindings: Params, p, wpk (no Step).
var convPackProgram = &program{name: "conv_pack", src: convPackWGSL, wg: 64, params: convPackParams{}, noStep: true}

// pack returns the conv_pack Params for p's block.
func (p convParams) pack() convPackParams {
	cb := convBlock(int(p.Cout))
	return convPackParams{Cin: p.Cin, Cout: p.Cout, K: p.K, CB: uint32(cb), CBP: uint32(4 * ceilDiv(cb, 4)),
		Woff: p.Woff, Sco: p.Sco, Sci: p.Sci, Sky: p.Sky, Skx: p.Skx}
}

// size is the number of floats of the packed weights.
func (p convPackParams) size() int {
	return ceilDiv(int(p.Cout), int(p.CB)) * int(p.Cin*p.K*p.K*p.CBP)
}

// convForwardProgram returns conv_forward.wgsl expanded for a block of cb output channels × xw
// (4 or 8) output columns per thread. Bindings: Step, Params, x, p, y.
func convForwardProgram(cb, xw int) *program {
	name := fmt.Sprintf("conv_forward_%dx%d", cb, xw)
	if p, ok := convPrograms[name]; ok {
		return p
	}
	p := &program{name: name, src: expandTemplate(convForwardWGSL, cb, 1, xw), wg: 64, params: convParams{}}
	convPrograms[name] = p
	return p
}

// convBackwardWeightProgram returns conv_backward_weight.wgsl expanded for cb output channels and
// a k×k kernel. Bindings: Step, Params, dy, x, part.
func convBackwardWeightProgram(cb, k int) *program {
	name := fmt.Sprintf("conv_backward_weight_%dk%d", cb, k)
	if p, ok := convPrograms[name]; ok {
		return p
	}
	p := &program{name: name, src: expandTemplate(convBackwardWeightWGSL, cb, k, 4), wg: 64, params: convWeightParams{}}
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

var (
	// Bindings: Step, Params, src, out.
	pad2dProgram = &program{name: "pad2d", src: pad2dWGSL, wg: 64, params: pad2dParams{}}
	// Bindings: Step, Params, part, g.
	reduceChunksProgram = &program{name: "reduce_chunks", src: reduceChunksWGSL, wg: 64, params: reduceChunksParams{}}
)

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

// program returns the conv_forward program for p's block.
func (p convParams) program() *program { return convForwardProgram(convBlock(int(p.Cout)), p.xw()) }

// total is the number of weight and bias gradients.
func (p convWeightParams) total() int { return int(p.Cout*p.Cin*p.K*p.K + p.Cout) }

func (p convWeightParams) threads(n int) int {
	return ceilDiv(n, int(p.Chunk)) * ceilDiv(int(p.Cout), convBlock(int(p.Cout))) * int(p.Cin*p.K)
}

func (p convWeightParams) program() *program {
	return convBackwardWeightProgram(convBlock(int(p.Cout)), int(p.K))
}
