// Package viz is the drawing and statistics logic behind LeNet Lab's live visualizations: the
// iframe's ebiten views (wasm/viz) and the vugu components of app/vizui only present what it computes.
//
// Everything here is pure Go, natively tested, and free of syscall/js:
//   - images (*image.RGBA): feature maps of an activation tensor, dropout-mask grids, histograms,
//     probability bars, and the composed dashboard of the iframe (Dashboard);
//   - the draw-a-digit pad (Pad) and its MNIST-style centring (Pad.Digit);
//   - statistics: Gaussian kernel density estimates with Silverman's bandwidth (KDE, Silverman),
//     quantile bands, histograms, and the knockout curve of the co-adaptation demo (KnockoutCurve);
//   - SVG markup for the violin plots, quantile-band charts and knockout charts of the Concepts page.
//
// Tensors are nncore.Tensor: float32, NCHW row-major; activation tensors of a probe batch have
// the batch as their first dimension. Functions never modify their inputs.
package viz
