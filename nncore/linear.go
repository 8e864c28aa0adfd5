package nncore

// Linear: fully connected layer, y = x·wᵀ + b (PyTorch's nn.Linear).
//
//	x  [n, in]    (a [n,C,H,W] tensor is used as [n, C·H·W])
//	w  [out, in]
//	b  [out]
//	y  [n, out]
//
// Backward adds into dx (nil skips it), dw and db.

// LinearForward writes y = x·wᵀ + b.
func LinearForward(y, x, w, b []float32, n, in, out int) { linearForwardFast(y, x, w, b, n, in, out) }

// LinearBackward adds the gradients of x·wᵀ + b for output gradient dy into dx (if non-nil), dw, db.
func LinearBackward(dx, dw, db, dy, x, w []float32, n, in, out int) {
	linearBackwardFast(dx, dw, db, dy, x, w, n, in, out)
}

func linearCheck[T Float](y, x, w, b []T, n, in, out int) {
	if n < 0 || in < 1 || out < 1 {
		panic("nncore: linear: bad shape")
	}
	need("linear x", n*in, x)
	need("linear y", n*out, y)
	need("linear w", out*in, w)
	need("linear b", out, b)
}

// linearForwardRef is the naive reference of LinearForward.
func linearForwardRef[T Float](y, x, w, b []T, n, in, out int) {
	linearCheck(y, x, w, b, n, in, out)
	for i := 0; i < n; i++ {
		for o := 0; o < out; o++ {
			s := b[o]
			for j := 0; j < in; j++ {
				s += x[i*in+j] * w[o*in+j]
			}
			y[i*out+o] = s
		}
	}
}

// linearBackwardRef is the naive reference of LinearBackward.
func linearBackwardRef[T Float](dx, dw, db, dy, x, w []T, n, in, out int) {
	linearCheck(dy, x, w, db, n, in, out)
	need("linear dw", out*in, dw)
	if dx != nil {
		need("linear dx", n*in, dx)
	}
	for i := 0; i < n; i++ {
		for o := 0; o < out; o++ {
			g := dy[i*out+o]
			db[o] += g
			for j := 0; j < in; j++ {
				dw[o*in+j] += g * x[i*in+j]
				if dx != nil {
					dx[i*in+j] += g * w[o*in+j]
				}
			}
		}
	}
}

func linearForwardFast(y, x, w, b []float32, n, in, out int) {
	linearCheck(y, x, w, b, n, in, out)
	for i := 0; i < n; i++ {
		xi := x[i*in : (i+1)*in]
		yi := y[i*out : (i+1)*out]
		for o := range yi {
			yi[o] = b[o] + dot(xi, w[o*in:(o+1)*in])
		}
	}
}

func linearBackwardFast(dx, dw, db, dy, x, w []float32, n, in, out int) {
	linearCheck(dy, x, w, db, n, in, out)
	need("linear dw", out*in, dw)
	if dx != nil {
		need("linear dx", n*in, dx)
	}
	for i := 0; i < n; i++ {
		xi := x[i*in : (i+1)*in]
		g := dy[i*out : (i+1)*out]
		for o, gv := range g {
			db[o] += gv
			axpy(gv, xi, dw[o*in:(o+1)*in])
		}
		if dx != nil {
			dxi := dx[i*in : (i+1)*in]
			for o, gv := range g {
				axpy(gv, w[o*in:(o+1)*in], dxi)
			}
		}
	}
}
