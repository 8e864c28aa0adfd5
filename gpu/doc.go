// Package gpu trains LeNet-5 on WebGPU compute shaders (WGSL) from Go's js/wasm port, with the same
// numbers as the CPU engine of package nncore (docs/CONTRACT.md): dropout masks bit for bit,
// everything else to float32 tolerance.
//
// Layout: float32, NCHW, row-major, as in nncore. All parameters live in one packed buffer in the
// contract's order (gradients and momentum in two more of the same layout), the BN running
// statistics in another; each activation and its gradient has its own buffer sized for the
// configured batch. The training and test sets are uploaded once, as bytes; a shader gathers,
// resizes and normalizes each batch. A training step is one command encoder with no readback; loss
// and accuracy sums stay on the GPU until TakeTrainStats.
//
// Each kernel program is one .wgsl file (embedded, prefixed with common.wgsl) and one Go file with
// its uniform struct, workgroup size and thread count. Every program has a CPU twin in nncore and
// a parity test, run in headless Chromium by cmd/wasmtest. Everything but this file needs
// GOOS=js (syscall/js).
package gpu
