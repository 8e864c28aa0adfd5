//go:build js

package gpu

import _ "embed"

//go:embed bn_stats_parts.wgsl
var bnStatsPartsWGSL string

// bnStatsPartsParams is bn_stats_parts.wgsl's Params.
type bnStatsPartsParams struct{ C, SPI, Tile, Moff, Voff, Pad0, Pad1, Pad2 uint32 }

// Bindings: Step, Params, parts, stats, bufs. One workgroup per channel.
var bnStatsPartsProgram = &program{name: "bn_stats_parts", src: bnStatsPartsWGSL, wg: 64, params: bnStatsPartsParams{}}
