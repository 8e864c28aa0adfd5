//go:build js

package gpu

import _ "embed"

//go:embed bn_stats.wgsl
var bnStatsWGSL string

// bnStatsParams is bn_stats.wgsl's Params.
type bnStatsParams struct{ C, HW, Moff, Voff uint32 }

// Bindings: Step, Params, x, stats, bufs. One workgroup per channel.
var bnStatsProgram = &program{name: "bn_stats", src: bnStatsWGSL, wg: 64, params: bnStatsParams{}}
