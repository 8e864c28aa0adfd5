//go:build js

package gpu

import _ "embed"

//go:embed sgd.wgsl
var sgdWGSL string

// sgdParams is sgd.wgsl's Params.
type sgdParams struct {
	Count            uint32
	LR, Momentum, WD float32
}

// Bindings: Params, w, g, v (no Step).
var sgdProgram = &program{name: "sgd", src: sgdWGSL, wg: 64, params: sgdParams{}, noStep: true}
