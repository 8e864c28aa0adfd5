//go:build js

package gpu

import _ "embed"

//go:embed reduce_chunks.wgsl
var reduceChunksWGSL string

// reduceChunksParams is reduce_chunks.wgsl's Params.
type reduceChunksParams struct {
	Total, Off, Chunk, Per uint32
}

// Bindings: Step, Params, part, g.
var reduceChunksProgram = &program{name: "reduce_chunks", src: reduceChunksWGSL, wg: 64, params: reduceChunksParams{}}
