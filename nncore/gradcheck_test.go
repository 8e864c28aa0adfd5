package nncore

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference gradient checks (central differences in float64) for every layer. Each check
// builds L = Σ r·y with fixed random r, runs the layer's backward with dy = r into gradient buffers
// that already hold junk (backward must add, not overwrite), and compares with (L(v+ε) − L(v−ε))/2ε
// for every input element.

const (
	fdEps  = 1e-6
	fdAtol = 1e-7
	fdRtol = 1e-5
)

func randVec(r *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = (2*r.Float64() - 1) * scale
	}
	return v
}

// gradCheck compares analytic with finite differences of loss over v.
func gradCheck(t *testing.T, name string, v, analytic []float64, loss func() float64) {
	t.Helper()
	bad := 0
	for i := range v {
		old := v[i]
		v[i] = old + fdEps
		lp := loss()
		v[i] = old - fdEps
		lm := loss()
		v[i] = old
		num := (lp - lm) / (2 * fdEps)
		if d := math.Abs(num - analytic[i]); !(d <= fdAtol+fdRtol*math.Abs(num)) || math.IsNaN(analytic[i]) {
			if bad < 5 {
				t.Errorf("%s[%d]: analytic %.10g, numeric %.10g", name, i, analytic[i], num)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements off", name, bad, len(v))
	}
}

func weighted(y, r []float64) float64 {
	var s float64
	for i := range r {
		s += y[i] * r[i]
	}
	return s
}

// addedGrad runs backward into buffers pre-filled with junk and returns what backward added.
func junkLike(r *rand.Rand, n int) (buf, junk []float64) {
	junk = randVec(r, n, 3)
	return append([]float64(nil), junk...), junk
}

func minus(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func TestGradConv2D(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []struct{ n, cin, h, wd, cout, k int }{
		{2, 2, 7, 6, 3, 3}, {1, 1, 8, 8, 2, 5}, {2, 3, 5, 5, 1, 1},
	} {
		oh, ow := s.h-s.k+1, s.wd-s.k+1
		x := randVec(r, s.n*s.cin*s.h*s.wd, 1)
		w := randVec(r, s.cout*s.cin*s.k*s.k, 1)
		b := randVec(r, s.cout, 1)
		rr := randVec(r, s.n*s.cout*oh*ow, 1)
		y := make([]float64, len(rr))
		loss := func() float64 {
			conv2DForwardRef(y, x, w, b, s.n, s.cin, s.h, s.wd, s.cout, s.k)
			return weighted(y, rr)
		}
		dx, jx := junkLike(r, len(x))
		dw, jw := junkLike(r, len(w))
		db, jb := junkLike(r, len(b))
		conv2DBackwardRef(dx, dw, db, rr, x, w, s.n, s.cin, s.h, s.wd, s.cout, s.k)
		gradCheck(t, "conv dx", x, minus(dx, jx), loss)
		gradCheck(t, "conv dw", w, minus(dw, jw), loss)
		gradCheck(t, "conv db", b, minus(db, jb), loss)
	}
}

func TestGradLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 3))
	n, in, out := 3, 7, 5
	x, w, b := randVec(r, n*in, 1), randVec(r, out*in, 1), randVec(r, out, 1)
	rr := randVec(r, n*out, 1)
	y := make([]float64, n*out)
	loss := func() float64 { linearForwardRef(y, x, w, b, n, in, out); return weighted(y, rr) }
	dx, jx := junkLike(r, len(x))
	dw, jw := junkLike(r, len(w))
	db, jb := junkLike(r, len(b))
	linearBackwardRef(dx, dw, db, rr, x, w, n, in, out)
	gradCheck(t, "linear dx", x, minus(dx, jx), loss)
	gradCheck(t, "linear dw", w, minus(dw, jw), loss)
	gradCheck(t, "linear db", b, minus(db, jb), loss)
}

func TestGradBatchNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 4))
	for _, s := range []struct{ n, c, hw int }{{4, 3, 6}, {5, 4, 1}, {2, 1, 9}} {
		x := randVec(r, s.n*s.c*s.hw, 2)
		for i := range x {
			x[i] += 0.5 // a non-zero mean
		}
		g, be := randVec(r, s.c, 1), randVec(r, s.c, 1)
		rr := randVec(r, len(x), 1)
		y := make([]float64, len(x))
		mu, va := make([]float64, s.c), make([]float64, s.c)
		loss := func() float64 {
			batchNormTrainForward(y, mu, va, x, g, be, s.n, s.c, s.hw)
			return weighted(y, rr)
		}
		loss()
		dx, jx := junkLike(r, len(x))
		dg, jg := junkLike(r, s.c)
		db, jb := junkLike(r, s.c)
		batchNormBackward(dx, dg, db, rr, x, g, mu, va, s.n, s.c, s.hw, true)
		gradCheck(t, "bn dx", x, minus(dx, jx), loss)
		gradCheck(t, "bn dgamma", g, minus(dg, jg), loss)
		gradCheck(t, "bn dbeta", be, minus(db, jb), loss)
	}
}

func TestGradReLU(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 5))
	x := randVec(r, 40, 1)
	for i := range x { // keep away from the kink
		if math.Abs(x[i]) < 0.01 {
			x[i] = 0.5
		}
	}
	rr := randVec(r, len(x), 1)
	y := make([]float64, len(x))
	loss := func() float64 { reluForward(y, x); return weighted(y, rr) }
	loss()
	dx, jx := junkLike(r, len(x))
	reluBackward(dx, rr, y, true)
	gradCheck(t, "relu dx", x, minus(dx, jx), loss)
}

func TestGradMaxPool(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 6))
	n, c, h, w := 2, 3, 5, 7 // odd sizes: the last row and column are dropped
	x := make([]float64, n*c*h*w)
	for i, p := range r.Perm(len(x)) { // distinct values, gaps of 0.01 ≫ ε
		x[i] = float64(p) * 0.01
	}
	oh, ow := h/2, w/2
	rr := randVec(r, n*c*oh*ow, 1)
	y := make([]float64, len(rr))
	arg := make([]int32, len(rr))
	loss := func() float64 { maxPoolForward(y, arg, x, n, c, h, w); return weighted(y, rr) }
	loss()
	dx, jx := junkLike(r, len(x))
	maxPoolBackward(dx, rr, arg)
	gradCheck(t, "maxpool dx", x, minus(dx, jx), loss)
}

func TestGradDropout(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 7))
	for _, p := range []float32{0.2, 0.5} {
		x := randVec(r, 300, 1)
		rr := randVec(r, len(x), 1)
		y := make([]float64, len(x))
		loss := func() float64 { dropoutForward(y, x, 42, 9, 3, p, 100); return weighted(y, rr) }
		dx, jx := junkLike(r, len(x))
		dropoutBackward(dx, rr, 42, 9, 3, p, 100, true)
		gradCheck(t, "dropout dx", x, minus(dx, jx), loss)
	}
}

func TestGradSoftmaxCrossEntropy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 8))
	n, k := 4, 10
	z := randVec(r, n*k, 3)
	labels := []int32{3, 0, 9, 3}
	loss := func() float64 { s, _ := softmaxCrossEntropy[float64](nil, z, labels, n, k); return s / float64(n) }
	dz, jz := junkLike(r, len(z))
	softmaxCrossEntropy(dz, z, labels, n, k)
	gradCheck(t, "softmax-ce dlogits", z, minus(dz, jz), loss)
}
