//go:build js

package gpu

import _ "embed"

//go:embed stats_accum.wgsl
var statsAccumWGSL string

// Bindings: Step, lc, acc. One thread.
var statsAccumProgram = &program{name: "stats_accum", src: statsAccumWGSL, wg: 1}
