//go:build js

package gpu

import _ "embed"

//go:embed pad2d.wgsl
var pad2dWGSL string

// pad2dParams is pad2d.wgsl's Params.
type pad2dParams struct{ C, H, W, Pad, Stride, Pad0, Pad1, Pad2 uint32 }

func (p pad2dParams) threads(n int) int {
	return n * int(p.C*(p.H+2*p.Pad)) * ceilDiv(int(p.Stride), 4)
}

// size is the number of floats of the padded output.
func (p pad2dParams) size(n int) int { return n*int(p.C*(p.H+2*p.Pad)*p.Stride) + 16 }

// Bindings: Step, Params, src, out.
var pad2dProgram = &program{name: "pad2d", src: pad2dWGSL, wg: 64, params: pad2dParams{}}
