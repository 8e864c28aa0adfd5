// Package gpu trains LeNet-5 on WebGPU compute shaders (WGSL) from Go's js/wasm port, with the same
// numbers as the CPU engine of package nncore (docs/CONTRACT.md): dropout masks bit for bit,
// everything else to float32 tolerance.
//
// Layout: float32, NCHW, row-major, as in nncore. All parameters live in one packed buffer in the
// contract's order (gradients and momentum in two more of the same layout), the BN running
// statistics in another; each activation and its gradient has its own buffer sized for the
// configured batch. The training and test sets are uploaded once, as bytes; a shader gathers,
// resizes and normalizes each batch. A training step is one command encoder (one compute pass,
// 35–46 dispatches) with no readback; loss and accuracy sums stay on the GPU until TakeTrainStats.
// Only the engine writes its buffers; its methods must not run inside a js.FuncOf callback.
//
// Each kernel program is one .wgsl file (embedded, prefixed with common.wgsl) and one Go file with
// its uniform struct, workgroup size and thread count. Every program has a CPU twin in nncore and
// a parity test, run in headless Chromium by cmd/wasmtest (on the page and in a worker). Everything
// but this file needs GOOS=js (syscall/js).
//
// Speed on SwiftShader (Chromium's CPU WebGPU, the fallback adapter): the cost is loads and
// invocations, not arithmetic, so the kernels are barrier-free and register-blocked. The
// convolutions are templates (template.go) expanded per layer: a thread computes
// 6 or 8 output channels × 4 or 8 columns, weights are repacked each step for vec4 loads, inputs
// slide along kernel rows; conv2's input gradient is the same kernel on the zero-padded output
// gradient with the kernel flipped; BatchNorm's backward pass recomputes the ReLU/dropout/pool
// gradient instead of storing it; bn0's γ/β gradients come from conv1's weight-gradient sums.
// Elementwise programs do 4 values per invocation. TestProfileOps (LENETLAB_PROFILE=variant)
// times each dispatch, TestConvVariants (LENETLAB_PROFILE=conv) compares conv blocks, TestBench
// (LENETLAB_BENCH=steps) measures whole steps; Bench is the benchmark page's entry point.
package gpu
