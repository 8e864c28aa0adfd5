package nncore

import "fmt"

// Float is the element type of the generic reference kernels. The engine runs float32; the
// gradient checks run the same model in float64.
type Float interface{ ~float32 | ~float64 }

// kernels is the set of matrix kernels a net runs; everything else is shared generic code.
type kernels[T Float] struct {
	convFwd func(y, x, w, b, col []T, n, cin, h, wd, cout, k int)
	convBwd func(dx, dw, db, dy, x, w, col, dcol []T, n, cin, h, wd, cout, k int)
	linFwd  func(y, x, w, b []T, n, in, out int)
	linBwd  func(dx, dw, db, dy, x, w []T, n, in, out int)
}

// fastKernels are the float32 kernels the engine uses.
var fastKernels = &kernels[float32]{
	convFwd: conv2DForwardFast,
	convBwd: conv2DBackwardFast,
	linFwd:  linearForwardFast,
	linBwd:  linearBackwardFast,
}

// refKernels returns the naive reference kernels for T.
func refKernels[T Float]() *kernels[T] {
	return &kernels[T]{
		convFwd: func(y, x, w, b, _ []T, n, cin, h, wd, cout, k int) {
			conv2DForwardRef(y, x, w, b, n, cin, h, wd, cout, k)
		},
		convBwd: func(dx, dw, db, dy, x, w, _, _ []T, n, cin, h, wd, cout, k int) {
			conv2DBackwardRef(dx, dw, db, dy, x, w, n, cin, h, wd, cout, k)
		},
		linFwd: linearForwardRef[T],
		linBwd: linearBackwardRef[T],
	}
}

// need panics unless every slice holds at least n elements.
func need[T any](what string, n int, s ...[]T) {
	for i, v := range s {
		if len(v) < n {
			panic(fmt.Sprintf("nncore: %s: buffer %d holds %d elements, need %d", what, i, len(v), n))
		}
	}
}
