//go:build js

package gpu

import _ "embed"

//go:embed gather.wgsl
var gatherWGSL string

// gatherParams is gather.wgsl's Params.
type gatherParams struct {
	UseIdx, Mode, Normalize, Drop, Threshold uint32
	Scale                                    float32
	Seed, Layer                              uint32
}

// gatherProgram: bindings Step, Params, images, labels, idx, taps, x, ylab, mask0.
var gatherProgram = &program{name: "gather", src: gatherWGSL, wg: 64, params: gatherParams{}}

// gatherThreads: 4 pixels per thread.
func gatherThreads(n int) int { return n * 256 }
