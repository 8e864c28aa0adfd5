package nncore

import "gonum.org/v1/gonum/blas/gonum"

// gblas is gonum's pure-Go BLAS. Only its level-1 routines (SSE assembly on amd64) are used: its
// Sgemm starts goroutines for larger matrices, which allocates on every call.
var gblas gonum.Implementation

// axpy computes y += a·x over len(y) elements.
func axpy(a float32, x, y []float32) {
	if a == 0 {
		return
	}
	gblas.Saxpy(len(y), a, x, 1, y, 1)
}

// dot returns Σ x[i]·y[i] over len(x) elements.
func dot(x, y []float32) float32 {
	return gblas.Sdot(len(x), x, 1, y, 1)
}
