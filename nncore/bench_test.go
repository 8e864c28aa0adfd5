package nncore

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// conv2DForwardGemm is the im2col + gonum blas32.Gemm alternative measured against the kernels in
// use (BenchmarkConv): gonum's Sgemm splits larger products over goroutines, which allocates on every
// call, and is no faster at these sizes.
func conv2DForwardGemm(y, x, w, b, col []float32, n, cin, h, wd, cout, k int) {
	oh, ow := h-k+1, wd-k+1
	hw, kk := oh*ow, cin*k*k
	for i := 0; i < n; i++ {
		im2col(col, x[i*cin*h*wd:(i+1)*cin*h*wd], cin, h, wd, k, hw, 0)
		yi := y[i*cout*hw : (i+1)*cout*hw]
		for co := 0; co < cout; co++ {
			for j := range hw {
				yi[co*hw+j] = b[co]
			}
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: cout, Cols: kk, Stride: kk, Data: w},
			blas32.General{Rows: kk, Cols: hw, Stride: hw, Data: col[:kk*hw]},
			1, blas32.General{Rows: cout, Cols: hw, Stride: hw, Data: yi})
	}
}

func BenchmarkConv(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n = 32
	for _, s := range []struct {
		name                string
		cin, h, wd, cout, k int
	}{{"conv1", 1, 32, 32, 6, 5}, {"conv2", 6, 14, 14, 16, 5}} {
		oh, ow := s.h-s.k+1, s.wd-s.k+1
		x := randVec32(r, n*s.cin*s.h*s.wd, 1)
		w := randVec32(r, s.cout*s.cin*s.k*s.k, 1)
		bias := randVec32(r, s.cout, 1)
		y := make([]float32, n*s.cout*oh*ow)
		col := make([]float32, 2*convScratch(n, s.cin, s.h, s.wd, s.cout, s.k))
		dcol := make([]float32, len(col))
		dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, s.cout)
		run := func(name string, f func()) {
			b.Run(fmt.Sprintf("%s/%s", s.name, name), func(b *testing.B) {
				for b.Loop() {
					f()
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
		run("fwd-naive", func() { conv2DForwardRef(y, x, w, bias, n, s.cin, s.h, s.wd, s.cout, s.k) })
		run("fwd-im2col-axpy", func() { conv2DForwardFast(y, x, w, bias, col, n, s.cin, s.h, s.wd, s.cout, s.k) })
		run("fwd-im2col-sgemm", func() { conv2DForwardGemm(y, x, w, bias, col, n, s.cin, s.h, s.wd, s.cout, s.k) })
		run("bwd-naive", func() { conv2DBackwardRef(dx, dw, db, y, x, w, n, s.cin, s.h, s.wd, s.cout, s.k) })
		run("bwd-im2col", func() { conv2DBackwardFast(dx, dw, db, y, x, w, col, dcol, n, s.cin, s.h, s.wd, s.cout, s.k) })
	}
}

func BenchmarkTrainBatch(b *testing.B) {
	train, test := synthSets(512, 16, 1)
	for _, v := range Variants {
		b.Run(string(v), func(b *testing.B) {
			c := DefaultConfig()
			c.Variant = v
			e, err := NewCPUEngine(c, InitState(c), train, test)
			if err != nil {
				b.Fatal(err)
			}
			idx := make([]int32, c.Batch)
			for i := range idx {
				idx[i] = int32(i)
			}
			e.TrainBatch(idx) // first touch of the buffers
			b.ResetTimer()
			for b.Loop() {
				e.TrainBatch(idx)
			}
			b.ReportMetric(float64(c.Batch*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// Element-wise layers at conv1's output size for a batch of 64 (for comparing platforms).
func BenchmarkElementwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n, c, hw = 64, 6, 28 * 28
	x := randVec32(r, n*c*hw, 1)
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	mu, va, g, be := make([]float32, c), make([]float32, c), make([]float32, c), make([]float32, c)
	for i := range g {
		g[i] = 1
	}
	arg := make([]int32, len(x)/4)
	p := make([]float32, len(x)/4)
	bench := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
	bench("bn-fwd", func() { batchNormTrainForward(y, mu, va, x, g, be, n, c, hw) })
	bench("bn-bwd", func() { batchNormBackward(dx, mu, va, y, x, g, mu, va, n, c, hw, false) })
	bench("relu-fwd", func() { reluForward(y, x) })
	bench("relu-bwd", func() { reluBackward(dx, y, x, false) })
	bench("pool-fwd", func() { maxPoolForward(p, arg, x, n, c, 28, 28) })
	bench("pool-bwd", func() { maxPoolBackwardSet(dx, p, arg, n, c, 28, 28) })
	bench("dropout-fwd", func() { dropoutForward(y, x, 1, 2, 1, 0.5, 0) })
}
