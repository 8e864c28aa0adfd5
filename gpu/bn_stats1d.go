//go:build js

package gpu

import _ "embed"

//go:embed bn_stats1d.wgsl
var bnStats1dWGSL string

// Bindings: Step, Params (bnStatsParams, HW = 1), x, stats, bufs. One thread per channel.
var bnStats1dProgram = &program{name: "bn_stats1d", src: bnStats1dWGSL, wg: 64, params: bnStatsParams{}}
