// Package nncore is LeNet Lab's model and CPU engine: float32 layers with forward and backward
// passes, the five LeNet-5 variants of docs/CONTRACT.md, SGD, a Trainer that reports per-epoch
// metrics, and a Probe that exposes every activation of a forward pass.
//
// # Data layout
//
// Tensors are float32, NCHW, row-major, in plain slices; shapes travel as int arguments. The model
// input is [B,1,32,32] as mnist.Preprocess writes it. Parameters follow the contract's fixed order
// and names (conv1.weight [6,1,5,5], conv1.bias, bn1.weight, ... fc3.bias), as in the PyTorch golden
// generator tools/golden/gen.py.
//
// # Layer API (CPU twins of the WebGPU kernels)
//
// Every layer is one file with its forward and backward side by side. Forward functions write their
// output; backward functions ADD into every gradient buffer they are given (dx, dw, db, dγ, dβ), so
// callers zero gradients separately. A nil dx skips the input gradient. Shape mistakes panic with
// "nncore: ...". Sums in BatchNorm and the loss accumulate in float64.
//
//	Conv2DForward(y, x, w, b, n, cin, h, wd, cout, k)             valid conv, stride 1: y [n,cout,h-k+1,wd-k+1]
//	Conv2DBackward(dx, dw, db, dy, x, w, n, cin, h, wd, cout, k)
//	BatchNormTrainForward(y, mean, variance, x, gamma, beta, n, c, hw)   batch statistics (biased variance)
//	BatchNormUpdateRunning(runMean, runVar, mean, variance, count)       momentum 0.1, unbiased variance
//	BatchNormEvalForward(y, x, gamma, beta, runMean, runVar, n, c, hw)
//	BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance, n, c, hw)  (hw = 1 for BN1d)
//	ReLUForward(y, x); ReLUBackward(dx, dy, y)
//	MaxPoolForward(y, arg, x, n, c, h, w); MaxPoolBackward(dx, dy, arg)  2×2 stride 2, arg = flat index into x
//	LinearForward(y, x, w, b, n, in, out); LinearBackward(dx, dw, db, dy, x, w, n, in, out)   y = x·wᵀ + b
//	DropoutForward(y, x, seed, step, layer, p, offset); DropoutBackward(dx, dy, seed, step, layer, p, offset)
//	DropoutBits, DropoutThreshold, DropoutScale, DropoutKeep            the contract's mask hash
//	SoftmaxCrossEntropy(dlogits, logits, labels, n, classes) (mean, sum, correct); Softmax(probs, logits, n, classes)
//	SGDStep(w, g, v, lr, momentum, wd)
//
// The fast conv and linear kernels (im2col + gonum's SSE saxpy/sdot) keep naive references
// (conv2DForwardRef, ...) that the tests compare them with; the references are generic over float32
// and float64, and the gradient checks run the whole model in float64 on them.
//
// # Engines and ownership
//
// CPUEngine implements Engine; it allocates all its buffers in NewCPUEngine and TrainBatch does not
// allocate. Its convolutions run over two fixed halves of each batch, the second on a helper
// goroutine when GOMAXPROCS > 1; the results are the same bits either way (js/wasm runs both halves
// in turn). Close stops the helper. It copies the State it is given; State() and
// Snapshot() return copies. mnist.Sets are read, never modified. Train drives any Engine through the
// contract's epoch order. RunProbe is a self-contained forward pass for visualizations.
package nncore
