// Package gpu trains LeNet-5 on WebGPU compute shaders (WGSL) from Go's js/wasm port, with the same
// numbers as the CPU engine of package nncore (docs/CONTRACT.md): dropout masks bit for bit,
// everything else to float32 tolerance.
//
// Layout: float32, NCHW, row-major, as in nncore. All parameters live in one packed buffer in the
// contract's order (gradients and momentum in two more of the same layout), the BN running
// statistics in another; each activation and its gradient has its own buffer sized for the
// configured batch. The training and test sets are uploaded once, as bytes; a shader gathers,
// resizes and normalizes each batch. A training step is one command encoder (one compute pass,
// 31–45 dispatches) with no readback; loss and accuracy sums stay on the GPU until TakeTrainStats.
// Only the engine writes its buffers; its methods must not run inside a js.FuncOf callback.
//
// Programs come in two kinds. Hand-written ones are one .wgsl file each (embedded, prefixed with
// common.wgsl) with one Go file for their Params uniform, workgroup size and thread count; the
// builder bakes the Params into the code as constants (bake.go), so that index arithmetic folds
// and divisions by dimensions become multiplications. Generated ones (tileconv.go, tiletail.go,
// tilematmul.go, tilegather.go) are written by Go code for the layer's shapes: the convolutions'
// forward pass (with the BatchNorm statistics' partial sums), input and weight gradients, the conv
// layers' BN/dropout/ReLU/pool tails forward and backward, fc1's products and the batch gather.
// Parameter offsets and the dropout seed are not baked (an Offsets uniform), so the model's
// variants and seeds share compiled pipelines. Every program has a CPU twin in nncore and a
// parity test on the model's shapes and awkward ones, run in headless Chromium by cmd/wasmtest
// (on the page and in a worker). Everything but this file needs GOOS=js (syscall/js).
//
// Speed on SwiftShader (Chromium's CPU WebGPU, the fallback adapter): every value runs in a SIMD
// lane, so a storage-buffer load with a per-thread index is a per-lane gather that costs as much
// as ~11 multiply-adds (TestMicroLoads), an integer division by a runtime value is a scalar
// division per lane, and a branch on a uniform is a branch on a vector mask. The generated
// programs therefore give each thread a whole tile (one output channel over up to 1,400 unrolled
// multiply-adds; one pooled row of a BN tail; 16×8 of a matmul; one whole image) in which every
// index is a constant offset from the tile's base: each input and weight is loaded once per tile
// and used from registers. The price is compile time, ~0.5 ms per unrolled multiply-add, paid once
// per page (Device caches pipelines): ~9 s on SwiftShader for the whole model. conv2's input
// gradient skips the "full convolution"'s zero border at generation time; BatchNorm's backward
// pass recomputes the ReLU/dropout/pool gradient instead of storing it; bn0's γ/β gradients come
// from conv1's weight-gradient sums. TestProfileOps (LENETLAB_PROFILE=variant) times each
// dispatch, TestSetupCost (=setup) each compilation, TestTileConv (=tile), TestTileMatmul
// (=matmul), TestTileTail (=tail) and TestMicroLoads (=micro) compare kernel designs, TestBench
// (LENETLAB_BENCH=steps) measures whole steps; Bench is the benchmark page's entry point.
package gpu
