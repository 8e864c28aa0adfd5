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
// The fast float32 kernels lower groups of images with im2col to col [cin·k·k, g·oh·ow] and multiply
// w·col row by row with gonum's SSE saxpy/sdot; the naive loops below are their reference.

// Conv2DForward writes y = conv(x, w) + b. It allocates its im2col scratch; the engine reuses one.
func Conv2DForward(y, x, w, b []float32, n, cin, h, wd, cout, k int) {
	conv2DForwardFast(y, x, w, b, make([]float32, 2*convScratch(n, cin, h, wd, cout, k)), n, cin, h, wd, cout, k)
}

// Conv2DBackward adds the gradients of conv(x, w) + b for output gradient dy into dx (if non-nil),
// dw and db.
func Conv2DBackward(dx, dw, db, dy, x, w []float32, n, cin, h, wd, cout, k int) {
	sz := 2 * convScratch(n, cin, h, wd, cout, k)
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

// convGroup returns how many images the fast kernels lower together: enough that the rows of the
// lowered matrices are ~512 long, so each saxpy/sdot call does real work (conv2's output planes are
// only 10×10).
func convGroup(hw, n int) int { return max(1, min(n, 512/hw)) }

// convScratch returns the size of the col (and dcol) scratch the fast kernels need for batches of
// up to n images.
func convScratch(n, cin, h, wd, cout, k int) int {
	oh, ow := h-k+1, wd-k+1
	g := convGroup(oh*ow, n)
	return max(cin*k*k, cout) * g * oh * ow
}

// im2col writes col[(ci·k+ky)·k+kx][off + oy·ow+ox] = x[ci][oy+ky][ox+kx] for one image, rows ld apart.
func im2col(col, x []float32, cin, h, wd, k, ld, off int) {
	oh, ow := h-k+1, wd-k+1
	l := 0
	for ci := 0; ci < cin; ci++ {
		plane := x[ci*h*wd : (ci+1)*h*wd]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				row := col[l*ld+off : l*ld+off+oh*ow]
				for oy := 0; oy < oh; oy++ {
					copy(row[oy*ow:(oy+1)*ow], plane[(oy+ky)*wd+kx:])
				}
				l++
			}
		}
	}
}

// col2imAdd is the adjoint of im2col: dx[ci][oy+ky][ox+kx] += dcol[(ci·k+ky)·k+kx][off + oy·ow+ox].
func col2imAdd(dx, dcol []float32, cin, h, wd, k, ld, off int) {
	oh, ow := h-k+1, wd-k+1
	l := 0
	for ci := 0; ci < cin; ci++ {
		plane := dx[ci*h*wd : (ci+1)*h*wd]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				row := dcol[l*ld+off : l*ld+off+oh*ow]
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

// conv2DForwardFast is Conv2DForward with caller-owned scratch col (convScratch). A group of g
// images is lowered to col [cin·k·k, g·oh·ow]; then t = w·col row by row into dcol's space [cout,
// g·oh·ow] is scattered to NCHW with the bias.
func conv2DForwardFast(y, x, w, b, col []float32, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(y, x, w, b, n, cin, h, wd, cout, k)
	hw, kk := oh*ow, cin*k*k
	g := convGroup(hw, n)
	need("conv2d col", 2*convScratch(n, cin, h, wd, cout, k), col)
	half := convScratch(n, cin, h, wd, cout, k)
	lo, t := col[:half], col[half:2*half]
	for i0 := 0; i0 < n; i0 += g {
		m := min(g, n-i0)
		ld := m * hw
		for j := 0; j < m; j++ {
			i := i0 + j
			im2col(lo, x[i*cin*h*wd:(i+1)*cin*h*wd], cin, h, wd, k, ld, j*hw)
		}
		for co := 0; co < cout; co++ {
			row := t[co*ld : (co+1)*ld]
			clear(row)
			for l, wv := range w[co*kk : (co+1)*kk] {
				axpy(wv, lo[l*ld:(l+1)*ld], row)
			}
		}
		for j := 0; j < m; j++ {
			yi := y[(i0+j)*cout*hw : (i0+j+1)*cout*hw]
			for co := 0; co < cout; co++ {
				src, dst, bv := t[co*ld+j*hw:co*ld+(j+1)*hw], yi[co*hw:(co+1)*hw], b[co]
				for p, v := range src {
					dst[p] = v + bv
				}
			}
		}
	}
}

// conv2DBackwardFast is Conv2DBackward with caller-owned scratch col and dcol (2·convScratch each).
// Per group of g images, dy is gathered to dyT [cout, g·oh·ow]; dw += dyT·colᵀ by sdot,
// dcol = wᵀ·dyT by saxpy, and col2im adds dcol into dx.
func conv2DBackwardFast(dx, dw, db, dy, x, w, col, dcol []float32, n, cin, h, wd, cout, k int) {
	oh, ow := convCheck(dy, x, w, db, n, cin, h, wd, cout, k)
	hw, kk := oh*ow, cin*k*k
	need("conv2d dw", cout*kk, dw)
	half := convScratch(n, cin, h, wd, cout, k)
	need("conv2d col", 2*half, col, dcol)
	if dx != nil {
		need("conv2d dx", n*cin*h*wd, dx)
	}
	g := convGroup(hw, n)
	lo, dyT, dlo := col[:half], col[half:2*half], dcol[:half]
	for i0 := 0; i0 < n; i0 += g {
		m := min(g, n-i0)
		ld := m * hw
		for j := 0; j < m; j++ {
			i := i0 + j
			im2col(lo, x[i*cin*h*wd:(i+1)*cin*h*wd], cin, h, wd, k, ld, j*hw)
			for co := 0; co < cout; co++ {
				copy(dyT[co*ld+j*hw:co*ld+(j+1)*hw], dy[(i*cout+co)*hw:(i*cout+co+1)*hw])
			}
		}
		for co := 0; co < cout; co++ {
			gr := dyT[co*ld : (co+1)*ld]
			var s float32
			for _, v := range gr {
				s += v
			}
			db[co] += s
			dwr := dw[co*kk : (co+1)*kk]
			for l := range dwr {
				dwr[l] += dot(gr, lo[l*ld:(l+1)*ld])
			}
		}
		if dx == nil {
			continue
		}
		dl := dlo[:kk*ld]
		clear(dl)
		for co := 0; co < cout; co++ {
			gr := dyT[co*ld : (co+1)*ld]
			for l, wv := range w[co*kk : (co+1)*kk] {
				axpy(wv, gr, dl[l*ld:(l+1)*ld])
			}
		}
		for j := 0; j < m; j++ {
			i := i0 + j
			col2imAdd(dx[i*cin*h*wd:(i+1)*cin*h*wd], dl, cin, h, wd, k, ld, j*hw)
		}
	}
}
