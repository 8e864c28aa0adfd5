package nncore

// Conv2D: valid 2-D cross-correlation, stride 1, no padding, square k×k kernel.
//
//	x  [n, cin, h, wd]
//	w  [cout, cin, k, k]
//	b  [cout]
//	y  [n, cout, h-k+1, wd-k+1]
//
// Backward adds into dx (shape of x; nil skips it), dw and db.
//
// The fast float32 kernels lower each image with im2col to col [cin·k·k, oh·ow] and multiply
// y_i = w·col + b row by row with gonum's SSE saxpy/sdot; the naive loops below are their reference.

// Conv2DForward writes y = conv(x, w) + b. It allocates its im2col scratch; the engine reuses one.
func Conv2DForward(y, x, w, b []float32, n, cin, h, wd, cout, k int) {
	oh, ow := h-k+1, wd-k+1
	conv2DForwardFast(y, x, w, b, make([]float32, cin*k*k*oh*ow), n, cin, h, wd, cout, k)
}

// Conv2DBackward adds the gradients of conv(x, w) + b for output gradient dy into dx (if non-nil),
// dw and db.
func Conv2DBackward(dx, dw, db, dy, x, w []float32, n, cin, h, wd, cout, k int) {
	oh, ow := h-k+1, wd-k+1
	sz := cin * k * k * oh * ow
	conv2DBackwardFast(dx, dw, db, dy, x, w, make([]float32, sz), make([]float32, sz), n, cin, h, wd, cout, k)
}

func convCheck[T Float](y, x, w, b []T, n, cin, h, wd, cout, k int) (oh, ow int) {
	if k < 1 || h < k || wd < k || n < 0 || cin < 1 || cout < 1 {
		panic("nncore: conv2d: bad shape")
	}
	oh, ow = h-k+1, wd-k+1
	need("conv2d x", n*cin*h*wd, x)
	need("conv2d y", n*cout*oh*ow, y)
	need("conv2d w", cout*cin*k*k, w)
	need("conv2d b", cout, b)
	return oh, ow
}

// conv2DForwardRef is the naive reference of Conv2DForward.
func conv2DForwardRef[T Float](y, x, w, b []T, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(y, x, w, b, n, cin, h, wd, cout, k)
	for i := 0; i < n; i++ {
		for co := 0; co < cout; co++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					s := b[co]
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								s += x[((i*cin+ci)*h+oy+ky)*wd+ox+kx] * w[((co*cin+ci)*k+ky)*k+kx]
							}
						}
					}
					y[((i*cout+co)*oh+oy)*ow+ox] = s
				}
			}
		}
	}
}

// conv2DBackwardRef is the naive reference of Conv2DBackward.
func conv2DBackwardRef[T Float](dx, dw, db, dy, x, w []T, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(dy, x, w, db, n, cin, h, wd, cout, k)
	need("conv2d dw", cout*cin*k*k, dw)
	if dx != nil {
		need("conv2d dx", n*cin*h*wd, dx)
	}
	for i := 0; i < n; i++ {
		for co := 0; co < cout; co++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					g := dy[((i*cout+co)*oh+oy)*ow+ox]
					db[co] += g
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < k; ky++ {
							for kx := 0; kx < k; kx++ {
								xi := ((i*cin+ci)*h+oy+ky)*wd + ox + kx
								wi := ((co*cin+ci)*k+ky)*k + kx
								dw[wi] += g * x[xi]
								if dx != nil {
									dx[xi] += g * w[wi]
								}
							}
						}
					}
				}
			}
		}
	}
}

// im2col writes col[(ci·k+ky)·k+kx][oy·ow+ox] = x[ci][oy+ky][ox+kx] for one image.
func im2col(col, x []float32, cin, h, wd, k int) {
	oh, ow := h-k+1, wd-k+1
	hw := oh * ow
	l := 0
	for ci := 0; ci < cin; ci++ {
		plane := x[ci*h*wd : (ci+1)*h*wd]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				row := col[l*hw : (l+1)*hw]
				for oy := 0; oy < oh; oy++ {
					copy(row[oy*ow:(oy+1)*ow], plane[(oy+ky)*wd+kx:])
				}
				l++
			}
		}
	}
}

// col2imAdd is the adjoint of im2col: dx[ci][oy+ky][ox+kx] += dcol[(ci·k+ky)·k+kx][oy·ow+ox].
func col2imAdd(dx, dcol []float32, cin, h, wd, k int) {
	oh, ow := h-k+1, wd-k+1
	hw := oh * ow
	l := 0
	for ci := 0; ci < cin; ci++ {
		plane := dx[ci*h*wd : (ci+1)*h*wd]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				row := dcol[l*hw : (l+1)*hw]
				for oy := 0; oy < oh; oy++ {
					src := row[oy*ow : (oy+1)*ow]
					dst := plane[(oy+ky)*wd+kx : (oy+ky)*wd+kx+ow]
					for j, v := range src {
						dst[j] += v
					}
				}
				l++
			}
		}
	}
}

// conv2DForwardFast is Conv2DForward with caller-owned scratch col [cin·k·k·oh·ow].
func conv2DForwardFast(y, x, w, b, col []float32, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(y, x, w, b, n, cin, h, wd, cout, k)
	hw, kk := oh*ow, cin*k*k
	need("conv2d col", kk*hw, col)
	col = col[:kk*hw]
	for i := 0; i < n; i++ {
		im2col(col, x[i*cin*h*wd:(i+1)*cin*h*wd], cin, h, wd, k)
		yi := y[i*cout*hw : (i+1)*cout*hw]
		for co := 0; co < cout; co++ {
			row := yi[co*hw : (co+1)*hw]
			bv := b[co]
			for j := range row {
				row[j] = bv
			}
			for l, wv := range w[co*kk : (co+1)*kk] {
				axpy(wv, col[l*hw:(l+1)*hw], row)
			}
		}
	}
}

// conv2DBackwardFast is Conv2DBackward with caller-owned scratch col and dcol, each
// [cin·k·k·oh·ow].
func conv2DBackwardFast(dx, dw, db, dy, x, w, col, dcol []float32, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(dy, x, w, db, n, cin, h, wd, cout, k)
	hw, kk := oh*ow, cin*k*k
	need("conv2d dw", cout*kk, dw)
	need("conv2d col", kk*hw, col, dcol)
	if dx != nil {
		need("conv2d dx", n*cin*h*wd, dx)
	}
	col, dcol = col[:kk*hw], dcol[:kk*hw]
	for i := 0; i < n; i++ {
		im2col(col, x[i*cin*h*wd:(i+1)*cin*h*wd], cin, h, wd, k)
		dyi := dy[i*cout*hw : (i+1)*cout*hw]
		for co := 0; co < cout; co++ {
			g := dyi[co*hw : (co+1)*hw]
			var s float32
			for _, v := range g {
				s += v
			}
			db[co] += s
			dwr := dw[co*kk : (co+1)*kk]
			for l := range dwr {
				dwr[l] += dot(g, col[l*hw:(l+1)*hw])
			}
		}
		if dx == nil {
			continue
		}
		clear(dcol)
		for co := 0; co < cout; co++ {
			g := dyi[co*hw : (co+1)*hw]
			for l, wv := range w[co*kk : (co+1)*kk] {
				axpy(wv, g, dcol[l*hw:(l+1)*hw])
			}
		}
		col2imAdd(dx[i*cin*h*wd:(i+1)*cin*h*wd], dcol, cin, h, wd, k)
	}
}
