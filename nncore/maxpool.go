package nncore

// MaxPool: 2×2 window, stride 2, floor division of odd sizes (PyTorch's MaxPool2d(2)).
//
//	x    [n, c, h, w]
//	y    [n, c, h/2, w/2]
//	arg  [n, c, h/2, w/2] int32: flat index into x of each window's maximum (the first in row-major
//	     order on ties, as PyTorch's CPU kernel picks)
//
// Backward adds dy[i] into dx[arg[i]].

// MaxPoolForward writes y and arg.
func MaxPoolForward(y []float32, arg []int32, x []float32, n, c, h, w int) {
	maxPoolForward(y, arg, x, n, c, h, w)
}

// MaxPoolBackward adds dy into dx at the positions recorded in arg.
func MaxPoolBackward(dx, dy []float32, arg []int32) { maxPoolBackward(dx, dy, arg) }

func maxPoolForward[T Float](y []T, arg []int32, x []T, n, c, h, w int) {
	if n < 0 || c < 1 || h < 2 || w < 2 {
		panic("nncore: maxpool: bad shape")
	}
	oh, ow := h/2, w/2
	need("maxpool x", n*c*h*w, x)
	need("maxpool y", n*c*oh*ow, y)
	if len(arg) < n*c*oh*ow {
		panic("nncore: maxpool: arg too short")
	}
	o := 0
	for p := 0; p < n*c; p++ {
		base := p * h * w
		for oy := 0; oy < oh; oy++ {
			r0 := base + 2*oy*w
			r1 := r0 + w
			for ox := 0; ox < ow; ox++ {
				i := r0 + 2*ox
				best, bi := x[i], i
				if v := x[i+1]; v > best {
					best, bi = v, i+1
				}
				j := r1 + 2*ox
				if v := x[j]; v > best {
					best, bi = v, j
				}
				if v := x[j+1]; v > best {
					best, bi = v, j+1
				}
				y[o], arg[o] = best, int32(bi)
				o++
			}
		}
	}
}

// maxPoolBackwardSet overwrites dx [n,c,h,w] with the gradient: dy at each window's argmax, zero
// elsewhere.
func maxPoolBackwardSet[T Float](dx, dy []T, arg []int32, n, c, h, w int) {
	need("maxpool dx", n*c*h*w, dx)
	if h%2 != 0 || w%2 != 0 {
		clear(dx[:n*c*h*w])
		maxPoolBackward(dx, dy, arg)
		return
	}
	oh, ow := h/2, w/2
	need("maxpool dy", n*c*oh*ow, dy)
	o := 0
	for p := 0; p < n*c; p++ {
		base := p * h * w
		for oy := 0; oy < oh; oy++ {
			r0 := base + 2*oy*w
			r1 := r0 + w
			for ox := 0; ox < ow; ox++ {
				i, j := r0+2*ox, r1+2*ox
				dx[i], dx[i+1], dx[j], dx[j+1] = 0, 0, 0, 0
				dx[arg[o]] = dy[o]
				o++
			}
		}
	}
}

func maxPoolBackward[T Float](dx, dy []T, arg []int32) {
	need("maxpool dy", len(arg), dy)
	for i, a := range arg {
		dx[a] += dy[i]
	}
}
