//go:build js

package gpu

import _ "embed"

//go:embed softmax_xent.wgsl
var softmaxXentWGSL string

// softmaxParams is softmax_xent.wgsl's Params.
type softmaxParams struct{ Classes, Grad, Pad0, Pad1 uint32 }

// Bindings: Step, Params, logits, labels, d, lc.
var softmaxProgram = &program{name: "softmax_xent", src: softmaxXentWGSL, wg: 64, params: softmaxParams{}}
