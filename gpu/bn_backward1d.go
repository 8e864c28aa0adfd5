//go:build js

package gpu

import _ "embed"

//go:embed bn_backward1d.wgsl
var bnBackward1dWGSL string

// Bindings: Step, Params (bnBackwardParams, H = W = 1, mode 0 or 2), gin, out, argmax (not
// declared: bind nothing there), z, stats, sums, grads. One thread per channel.
var bnBackward1dProgram = &program{name: "bn_backward1d", src: bnBackward1dWGSL, wg: 64, params: bnBackwardParams{}}
