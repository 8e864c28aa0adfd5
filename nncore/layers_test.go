package nncore

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randVec32(r *rand.Rand, n int, scale float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = (2*r.Float32() - 1) * scale
	}
	return v
}

// withNaNTail returns a copy of v followed by pad NaNs: a kernel that reads past its shape yields NaN.
func withNaNTail(v []float32, pad int) []float32 {
	out := append(append([]float32(nil), v...), make([]float32, pad)...)
	for i := len(v); i < len(out); i++ {
		out[i] = float32(math.NaN())
	}
	return out
}

func nanVec(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.NaN())
	}
	return v
}

func closeAll(t *testing.T, name string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) < len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	bad := 0
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			if bad < 5 {
				t.Errorf("%s[%d] = %.9g, want %.9g", name, i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values off", name, bad, len(want))
	}
}

// The fast conv/linear kernels against their naive references, over the model's shapes and awkward
// ones, with NaN past every input's end and in the outputs before the forward pass, and junk in the
// gradient buffers (backward adds).
func TestConvFastMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 1))
	for _, s := range []struct{ n, cin, h, wd, cout, k int }{
		{3, 1, 32, 32, 6, 5}, {3, 6, 14, 14, 16, 5}, {2, 3, 9, 7, 5, 3}, {1, 2, 4, 4, 1, 4}, {2, 1, 3, 5, 2, 1},
	} {
		oh, ow := s.h-s.k+1, s.wd-s.k+1
		nx, ny, nw := s.n*s.cin*s.h*s.wd, s.n*s.cout*oh*ow, s.cout*s.cin*s.k*s.k
		x, w, b := randVec32(r, nx, 1), randVec32(r, nw, 0.5), randVec32(r, s.cout, 0.5)
		want := make([]float32, ny)
		conv2DForwardRef(want, x, w, b, s.n, s.cin, s.h, s.wd, s.cout, s.k)
		got := nanVec(ny)
		Conv2DForward(got, withNaNTail(x, 7), withNaNTail(w, 3), withNaNTail(b, 2), s.n, s.cin, s.h, s.wd, s.cout, s.k)
		closeAll(t, "conv y", got, want, 1e-5, 1e-5)

		dy := randVec32(r, ny, 1)
		jx, jw, jb := randVec32(r, nx, 1), randVec32(r, nw, 1), randVec32(r, s.cout, 1)
		rdx, rdw, rdb := clone(jx), clone(jw), clone(jb)
		conv2DBackwardRef(rdx, rdw, rdb, dy, x, w, s.n, s.cin, s.h, s.wd, s.cout, s.k)
		fdx, fdw, fdb := clone(jx), clone(jw), clone(jb)
		Conv2DBackward(fdx, fdw, fdb, withNaNTail(dy, 5), withNaNTail(x, 5), withNaNTail(w, 5), s.n, s.cin, s.h, s.wd, s.cout, s.k)
		closeAll(t, "conv dx", fdx, rdx, 1e-4, 1e-4)
		closeAll(t, "conv dw", fdw, rdw, 1e-4, 1e-4)
		closeAll(t, "conv db", fdb, rdb, 1e-4, 1e-4)
	}
}

func TestLinearFastMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, s := range []struct{ n, in, out int }{{5, 400, 120}, {5, 120, 84}, {3, 84, 10}, {1, 3, 7}, {4, 17, 1}} {
		x, w, b := randVec32(r, s.n*s.in, 1), randVec32(r, s.out*s.in, 0.5), randVec32(r, s.out, 0.5)
		want := make([]float32, s.n*s.out)
		linearForwardRef(want, x, w, b, s.n, s.in, s.out)
		got := nanVec(s.n * s.out)
		LinearForward(got, withNaNTail(x, 3), withNaNTail(w, 3), withNaNTail(b, 3), s.n, s.in, s.out)
		closeAll(t, "linear y", got, want, 1e-5, 1e-5)

		dy := randVec32(r, s.n*s.out, 1)
		jx, jw, jb := randVec32(r, s.n*s.in, 1), randVec32(r, s.out*s.in, 1), randVec32(r, s.out, 1)
		rdx, rdw, rdb := clone(jx), clone(jw), clone(jb)
		linearBackwardRef(rdx, rdw, rdb, dy, x, w, s.n, s.in, s.out)
		fdx, fdw, fdb := clone(jx), clone(jw), clone(jb)
		LinearBackward(fdx, fdw, fdb, withNaNTail(dy, 3), withNaNTail(x, 3), withNaNTail(w, 3), s.n, s.in, s.out)
		closeAll(t, "linear dx", fdx, rdx, 1e-5, 1e-5)
		closeAll(t, "linear dw", fdw, rdw, 1e-5, 1e-5)
		closeAll(t, "linear db", fdb, rdb, 1e-5, 1e-5)
	}
}

func TestConvHandComputed(t *testing.T) {
	// x = 1..9 as a 3×3 image, w = [[1,0],[0,-1]], b = 0.5: y[i][j] = x[i][j] − x[i+1][j+1] + 0.5 = −3.5.
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := []float32{1, 0, 0, -1}
	y := nanVec(4)
	Conv2DForward(y, x, w, []float32{0.5}, 1, 1, 3, 3, 1, 2)
	closeAll(t, "y", y, []float32{-3.5, -3.5, -3.5, -3.5}, 0, 0)
	// dy = 1 everywhere: db = 4, dw[0] = 1+2+4+5 = 12, dw[3] = 5+6+8+9 = 28; dx = w scattered.
	dx, dw, db := make([]float32, 9), make([]float32, 4), make([]float32, 1)
	Conv2DBackward(dx, dw, db, []float32{1, 1, 1, 1}, x, w, 1, 1, 3, 3, 1, 2)
	closeAll(t, "db", db, []float32{4}, 0, 0)
	closeAll(t, "dw", dw, []float32{12, 16, 24, 28}, 0, 0)
	closeAll(t, "dx", dx, []float32{1, 1, 0, 1, 0, -1, 0, -1, -1}, 0, 0)
}

func TestLinearHandComputed(t *testing.T) {
	y := nanVec(2)
	LinearForward(y, []float32{1, 2, 3}, []float32{1, 0, -1, 0.5, 0.5, 0.5}, []float32{10, 0}, 1, 3, 2)
	closeAll(t, "y", y, []float32{8, 3}, 0, 0)
}

func TestBatchNormHandComputed(t *testing.T) {
	// One channel of 1,2,3,4: μ = 2.5, σ² = 1.25 (biased), unbiased 5/3.
	x := []float32{1, 2, 3, 4}
	y, mu, va := nanVec(4), nanVec(1), nanVec(1)
	BatchNormTrainForward(y, mu, va, x, []float32{2}, []float32{1}, 4, 1, 1)
	closeAll(t, "mean", mu, []float32{2.5}, 0, 0)
	closeAll(t, "var", va, []float32{1.25}, 0, 0)
	s := 1 / math.Sqrt(1.25+1e-5)
	closeAll(t, "y", y, []float32{float32(1 - 3*s), float32(1 - s), float32(1 + s), float32(1 + 3*s)}, 1e-6, 1e-6)
	rm, rv := []float32{0}, []float32{1}
	BatchNormUpdateRunning(rm, rv, mu, va, 4)
	closeAll(t, "running mean", rm, []float32{0.25}, 1e-7, 1e-6)
	closeAll(t, "running var", rv, []float32{float32(0.9 + 0.1*5.0/3)}, 1e-7, 1e-6)
	BatchNormEvalForward(y, x, []float32{1}, []float32{0}, []float32{2}, []float32{4 - 1e-5}, 4, 1, 1)
	closeAll(t, "eval y", y, []float32{-0.5, 0, 0.5, 1}, 1e-6, 1e-6)
	// A constant upstream gradient has no effect on x through the normalization: dx = 0, dβ = 4.
	dx, dg, db := make([]float32, 4), make([]float32, 1), make([]float32, 1)
	BatchNormBackward(dx, dg, db, []float32{1, 1, 1, 1}, x, []float32{2}, mu, va, 4, 1, 1)
	closeAll(t, "dx", dx, []float32{0, 0, 0, 0}, 1e-6, 0)
	closeAll(t, "dbeta", db, []float32{4}, 0, 0)
	closeAll(t, "dgamma", dg, []float32{0}, 1e-6, 0)
}

func TestMaxPoolHandComputed(t *testing.T) {
	// A 4×4 plane; ties pick the first maximum in row-major order.
	x := []float32{
		1, 5, 2, 2,
		3, 4, 2, 2,
		0, 0, -1, -3,
		0, 7, -2, -1,
	}
	y, arg := nanVec(4), make([]int32, 4)
	MaxPoolForward(y, arg, x, 1, 1, 4, 4)
	closeAll(t, "y", y, []float32{5, 2, 7, -1}, 0, 0)
	for i, want := range []int32{1, 2, 13, 10} {
		if arg[i] != want {
			t.Errorf("arg[%d] = %d, want %d", i, arg[i], want)
		}
	}
	dx := make([]float32, 16)
	dx[1] = 1
	MaxPoolBackward(dx, []float32{1, 2, 3, 4}, arg)
	if dx[1] != 2 || dx[2] != 2 || dx[13] != 3 || dx[10] != 4 || dx[0] != 0 {
		t.Errorf("dx = %v", dx)
	}
}

func TestReLUHandComputed(t *testing.T) {
	y := nanVec(4)
	ReLUForward(y, []float32{-1, 0, 2, -0.5})
	closeAll(t, "y", y, []float32{0, 0, 2, 0}, 0, 0)
	dx := []float32{1, 1, 1, 1}
	ReLUBackward(dx, []float32{5, 5, 5, 5}, y)
	closeAll(t, "dx", dx, []float32{1, 1, 6, 1}, 0, 0)
}

func TestSoftmaxCrossEntropyHandComputed(t *testing.T) {
	// Equal logits: loss ln 10 per sample, gradient (0.1 − onehot)/n, and argmax 0 on ties.
	z := make([]float32, 20)
	d := make([]float32, 20)
	mean, sum, correct := SoftmaxCrossEntropy(d, z, []int32{0, 4}, 2, 10)
	if math.Abs(mean-math.Log(10)) > 1e-12 || math.Abs(sum-2*math.Log(10)) > 1e-12 || correct != 1 {
		t.Errorf("mean %v sum %v correct %d, want ln10, 2ln10, 1", mean, sum, correct)
	}
	if d[0] != float32(-0.45) || d[1] != 0.05 || d[14] != float32(-0.45) {
		t.Errorf("dlogits = %v", d)
	}
	// A confident right answer: logits (0, 20): loss = log(1+e^−20).
	_, s, c := SoftmaxCrossEntropy(nil, []float32{0, 20}, []int32{1}, 1, 2)
	if want := math.Log1p(math.Exp(-20)); math.Abs(s-want) > 1e-15 || c != 1 {
		t.Errorf("loss %v correct %d, want %v 1", s, c, want)
	}
	p := nanVec(2)
	Softmax(p, []float32{0, float32(math.Log(3))}, 1, 2)
	closeAll(t, "softmax", p, []float32{0.25, 0.75}, 1e-7, 0)
}

func TestSGDHandComputed(t *testing.T) {
	w, g := []float32{1, -2}, []float32{0.5, 1}
	SGDStep(w, g, nil, 0.1, 0, 0)
	closeAll(t, "plain", w, []float32{0.95, -2.1}, 1e-7, 0)
	// Momentum 0.9 and weight decay 0.01, two steps as PyTorch does them.
	w, v := []float32{1}, []float32{0}
	SGDStep(w, []float32{0.5}, v, 0.1, 0.9, 0.01) // g' = 0.51, v = 0.51, w = 0.949
	closeAll(t, "step 1", w, []float32{0.949}, 1e-7, 0)
	SGDStep(w, []float32{0.5}, v, 0.1, 0.9, 0.01) // g' = 0.50949, v = 0.459+0.50949 = 0.96849, w = 0.852151
	closeAll(t, "step 2", w, []float32{0.852151}, 1e-6, 0)
	closeAll(t, "v", v, []float32{0.96849}, 1e-6, 0)
}

func TestDropoutHash(t *testing.T) {
	if got := DropoutThreshold(0.5); got != 1<<31 {
		t.Errorf("threshold(0.5) = %d", got)
	}
	if got := DropoutThreshold(0); got != 0 {
		t.Errorf("threshold(0) = %d", got)
	}
	if got := DropoutThreshold(1); got != math.MaxUint32 {
		t.Errorf("threshold(1) = %d", got)
	}
	if got, want := DropoutThreshold(0.2), uint32(math.Floor(float64(float32(0.2))*4294967296)); got != want {
		t.Errorf("threshold(0.2) = %d, want %d", got, want)
	}
	if DropoutScale(0.5) != 2 || DropoutScale(0.2) != 1.25 {
		t.Errorf("scales %v %v", DropoutScale(0.5), DropoutScale(0.2))
	}
	// Bit-exact values of the hash are checked against the independent Python implementation in
	// the golden file (TestGolden).
	// The keep rate is close to 1−p, and different (seed, step, layer) give different masks.
	for _, p := range []float32{0.2, 0.5} {
		kept := 0
		const n = 200000
		for e := uint32(0); e < n; e++ {
			if DropoutKeep(1, 3, 2, e, p) {
				kept++
			}
		}
		if rate := float64(kept) / n; math.Abs(rate-(1-float64(p))) > 0.005 {
			t.Errorf("p=%v: keep rate %v", p, rate)
		}
	}
	same := 0
	for e := uint32(0); e < 1000; e++ {
		a := DropoutKeep(1, 3, 2, e, 0.5)
		if a == DropoutKeep(1, 4, 2, e, 0.5) {
			same++
		}
		if DropoutKeep(1, 3, 2, e, 0.5) != a {
			t.Fatal("not deterministic")
		}
	}
	if same > 600 || same < 400 {
		t.Errorf("steps 3 and 4 agree on %d of 1000 elements", same)
	}
	// Forward/backward use the global element index offset+i.
	x := []float32{1, 1, 1, 1, 1, 1, 1, 1}
	y := nanVec(8)
	DropoutForward(y, x, 7, 1, 1, 0.5, 1000)
	for i := range y {
		want := float32(0)
		if DropoutKeep(7, 1, 1, uint32(1000+i), 0.5) {
			want = 2
		}
		if y[i] != want {
			t.Errorf("y[%d] = %v, want %v", i, y[i], want)
		}
	}
}

// The engine's overwriting max-pool backward equals zeroing then adding, for even and odd planes,
// over a NaN-filled dx.
func TestMaxPoolBackwardSet(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	for _, s := range [][4]int{{2, 3, 6, 8}, {1, 2, 5, 7}} {
		n, c, h, w := s[0], s[1], s[2], s[3]
		x := randVec32(r, n*c*h*w, 1)
		oh, ow := h/2, w/2
		y, arg := make([]float32, n*c*oh*ow), make([]int32, n*c*oh*ow)
		MaxPoolForward(y, arg, x, n, c, h, w)
		dy := randVec32(r, len(y), 1)
		want := make([]float32, len(x))
		MaxPoolBackward(want, dy, arg)
		got := nanVec(len(x))
		maxPoolBackwardSet(got, dy, arg, n, c, h, w)
		closeAll(t, "dx", got, want, 0, 0)
	}
}
