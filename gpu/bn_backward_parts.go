//go:build js

package gpu

import _ "embed"

//go:embed bn_backward_parts.wgsl
var bnBackwardPartsWGSL string

// bnBackwardPartsParams is bn_backward_parts.wgsl's Params.
type bnBackwardPartsParams struct{ C, SPI, GammaOff, BetaOff uint32 }

// Bindings: Step, Params, parts, sums, grads. One workgroup per channel.
var bnBackwardPartsProgram = &program{name: "bn_backward_parts", src: bnBackwardPartsWGSL, wg: 64, params: bnBackwardPartsParams{}}
