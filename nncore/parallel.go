package nncore

import "runtime"

// convSplit runs the conv kernels of a net over two fixed halves of the batch, the second on a
// helper goroutine when more than one CPU is available. The halves, and the order in which their
// weight gradients are summed, do not depend on GOMAXPROCS, so results are bit-identical with one
// CPU (js/wasm) or several.
type convSplit[T Float] struct {
	k          *kernels[T]
	col, dcol  [2][]T
	dw, db     [2][]T
	jobs       chan *convJob[T]
	done       chan struct{}
	concurrent bool
	job        convJob[T] // the helper's job, reused
}

// convJob is one half's kernel call.
type convJob[T Float] struct {
	fwd                      bool
	y, x, w, b, dx, dw, db   []T
	col, dcol                []T
	n, cin, h, wd, cout, ksz int
	k                        *kernels[T]
}

func (j *convJob[T]) run() {
	if j.fwd {
		j.k.convFwd(j.y, j.x, j.w, j.b, j.col, j.n, j.cin, j.h, j.wd, j.cout, j.ksz)
		return
	}
	clear(j.dw)
	clear(j.db)
	j.k.convBwd(j.dx, j.dw, j.db, j.y, j.x, j.w, j.col, j.dcol, j.n, j.cin, j.h, j.wd, j.cout, j.ksz)
}

// newConvSplit allocates per-half scratch for the largest conv of s at batch maxN.
func newConvSplit[T Float](k *kernels[T], s *spec, maxN int) *convSplit[T] {
	p := &convSplit[T]{k: k, concurrent: runtime.GOMAXPROCS(0) > 1}
	half := (maxN + 1) / 2
	colSize, wSize, bSize := 0, 0, 0
	for _, o := range s.ops {
		if o.kind != opConv {
			continue
		}
		a, b := s.acts[o.in], s.acts[o.out]
		colSize = max(colSize, 2*convScratch(half, a.c, a.h, a.w, b.c, o.k))
		wSize = max(wSize, b.c*a.c*o.k*o.k)
		bSize = max(bSize, b.c)
	}
	for i := range 2 {
		p.col[i] = make([]T, colSize)
		p.dcol[i] = make([]T, colSize)
		p.dw[i] = make([]T, wSize)
		p.db[i] = make([]T, bSize)
	}
	if p.concurrent {
		p.jobs = make(chan *convJob[T])
		p.done = make(chan struct{})
		go func() {
			for j := range p.jobs {
				j.run()
				p.done <- struct{}{}
			}
		}()
	}
	return p
}

// close stops the helper goroutine.
func (p *convSplit[T]) close() {
	if p.jobs != nil {
		close(p.jobs)
		p.jobs = nil
	}
}

// split runs j0 here and j1 on the helper (or here, after j0).
func (p *convSplit[T]) split(j0, j1 *convJob[T]) {
	if p.concurrent && p.jobs != nil && j1.n > 0 {
		p.jobs <- j1
		j0.run()
		<-p.done
		return
	}
	j0.run()
	if j1.n > 0 {
		j1.run()
	}
}

func (p *convSplit[T]) halves(n, cin, h, wd, cout, k int) (n0, inSz, outSz int) {
	oh, ow := h-k+1, wd-k+1
	return (n + 1) / 2, cin * h * wd, cout * oh * ow
}

func (p *convSplit[T]) forward(y, x, w, b []T, n, cin, h, wd, cout, k int) {
	n0, in, out := p.halves(n, cin, h, wd, cout, k)
	j0 := convJob[T]{fwd: true, y: y[:n0*out], x: x[:n0*in], w: w, b: b, col: p.col[0], n: n0, cin: cin, h: h, wd: wd, cout: cout, ksz: k, k: p.k}
	p.job = j0
	p.job.y, p.job.x, p.job.col, p.job.n = y[n0*out:n*out], x[n0*in:n*in], p.col[1], n-n0
	p.split(&j0, &p.job)
}

// backward adds the gradients into dx (nil: skipped), dw and db; dw and db get the first half's
// sum, then the second's.
func (p *convSplit[T]) backward(dx, dw, db, dy, x, w []T, n, cin, h, wd, cout, k int) {
	n0, in, out := p.halves(n, cin, h, wd, cout, k)
	nw := cout * cin * k * k
	var dx0, dx1 []T
	if dx != nil {
		dx0, dx1 = dx[:n0*in], dx[n0*in:n*in]
	}
	j0 := convJob[T]{y: dy[:n0*out], x: x[:n0*in], w: w, dx: dx0, dw: p.dw[0][:nw], db: p.db[0][:cout],
		col: p.col[0], dcol: p.dcol[0], n: n0, cin: cin, h: h, wd: wd, cout: cout, ksz: k, k: p.k}
	p.job = j0
	p.job.y, p.job.x, p.job.dx, p.job.dw, p.job.db = dy[n0*out:n*out], x[n0*in:n*in], dx1, p.dw[1][:nw], p.db[1][:cout]
	p.job.col, p.job.dcol, p.job.n = p.col[1], p.dcol[1], n-n0
	p.split(&j0, &p.job)
	for i := range dw[:nw] {
		dw[i] += p.dw[0][i]
		dw[i] += p.dw[1][i]
	}
	for i := range db[:cout] {
		db[i] += p.db[0][i]
		db[i] += p.db[1][i]
	}
}
