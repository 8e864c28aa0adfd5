// Package arch is the architecture arithmetic behind LeNet Lab's calculators: given an input
// shape and a layer list it computes, per layer and in total, the output shape, parameters,
// activations, memory, MACs/FLOPs and receptive field, and for every number the formula with
// the numbers put in ("(11·11·3)·96 + 96 = 34,944", "⌊(227 − 11 + 2·0)/4⌋ + 1 = 55").
// It is pure Go (no syscall/js): the site's Calculators page and cmd/archcalc both use it.
//
// # Data
//
// Shapes are per image, [C, H, W] (NCHW without the batch); a vector of N features is
// [N, 1, 1]. A Spec is an input Shape and a []Layer; ParseSpec reads the JSON form
//
//	{"input":[3,227,227],"layers":[{"type":"conv","name":"conv1","out":96,"k":11,"s":4,"p":0},
//	  {"type":"maxpool","k":3,"s":2},{"type":"fc","out":4096},
//	  {"type":"concat","name":"inception","branches":[[...],[...]]}]}
//
// and FormatSpec writes it back. Layer types: input, conv (out, k, s=1, p=0, d=1, groups=1,
// bias=true), maxpool and avgpool (k, s=k, p=0), adaptiveavgpool (size), fc (out, bias;
// flattens implicitly), bn, relu, dropout (rate), flatten, lrn (size), concat (branches, each
// starting from the concat's input). Presets names the built-in networks; Inception builds a
// module from filter counts; RFStack and StackedRF do receptive-field stacks alone.
//
// # Definitions
//
//   - Output size (PyTorch, floor mode): ⌊(n + 2p − d·(k − 1) − 1)/s⌋ + 1, written
//     ⌊(n − k + 2p)/s⌋ + 1 when d = 1. A division that is not exact is floored and noted.
//   - Params: conv (k·k·C_in/groups)·out + out, fc in·out + out, BN 2·C (γ and β).
//     ParamsNoBias leaves out every bias vector, BN's β included (the count of PyTorch
//     parameters whose name does not end in "bias"). Options.NoBias removes conv and fc biases.
//     BN's running mean and variance are Buffers: state, not parameters.
//   - Activations: a layer's output elements, per image. Total activations sum every layer
//     after the input (branch layers and the concat output included).
//   - MACs: multiply-accumulates of conv ((C·H·W)_out·k·k·C_in/groups) and fc (in·out) only;
//     pooling, ReLU, BN (folded at inference) and LRN count 0. 1 MAC = 2 FLOPs.
//   - Memory, per storage type (fp32 4 B, fp16 2 B): inference = params + buffers + peak,
//     where peak is the largest input + output of any one layer; training = input + all
//     activations (kept for backward, no in-place) + params + gradients (+ SGD momentum with
//     Options.Momentum) + buffers.
//   - Receptive field, from r₀ = 1, j₀ = 1, start₀ = 0.5 (pixel i covers [i, i+1)):
//     r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1}, j_l = j_{l−1}·s_l,
//     start_l = start_{l−1} + ((k_l − 1)·d_l/2 − p_l)·j_{l−1}. Rows are along the height;
//     flatten and an fc on a map see the whole map (a kernel the size of the map). N stride-1
//     F×F convolutions give NF − N + 1: each adds F − 1.
//
// # Errors
//
// Anything a spec's author can get wrong (a kernel larger than the padded input, channels not
// divisible by groups, an unknown type, a missing, negative or absurd field, malformed JSON,
// sizes that overflow int64) is an *Error naming the layer ("layer 3 \"conv2\"", or a path
// into concat branches) and the reason. A panic starting "arch: " is a bug in the caller.
//
// # Ownership
//
// Analyze does not keep or modify its Spec; a Result is the caller's to keep. Preset
// returns a fresh Spec each call. Nothing here has global mutable state; all of it is safe
// for concurrent use.
package arch
