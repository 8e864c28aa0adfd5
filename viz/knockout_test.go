package viz

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// synthSet is n random "digits": a few random strokes each (rectangles of ink at random places),
// different enough that an untrained model's predictions vary between them.
func synthSet(n int, seed uint64) *mnist.Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
	for i := range n {
		for range 1 + r.IntN(4) {
			x0, y0 := r.IntN(24), r.IntN(24)
			x1, y1 := x0+1+r.IntN(28-x0), y0+1+r.IntN(28-y0)
			ink := byte(128 + r.IntN(128))
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					s.Images[i*784+y*28+x] = ink
				}
			}
		}
	}
	return s
}

// perturbedState is an initial state with random BN γ and β and running statistics measured on
// data (as training would leave them), so that the eval-mode BN of the knockout tail is exercised and
// the model's predictions vary between images.
func perturbedState(cfg nncore.Config, data *mnist.Set) *nncore.State {
	st := nncore.InitState(cfg)
	r := rand.New(rand.NewPCG(9, 9))
	for _, t := range st.Params {
		if strings.HasPrefix(t.Name, "bn") {
			for i := range t.Data {
				if strings.HasSuffix(t.Name, "weight") {
					t.Data[i] = 0.5 + r.Float32()
				} else {
					t.Data[i] = r.Float32() - 0.5
				}
			}
		}
	}
	x := make([]float32, data.N*mnist.Pixels)
	idx := make([]int32, data.N)
	for i := range idx {
		idx[i] = int32(i)
	}
	cfg.Preprocess().Fill(x, data, idx)
	for _, p := range BNPairs(nncore.RunProbe(cfg, st, x, data.N, true).Acts) {
		n, c, h, w, _ := dims(p.In.Shape)
		mean, vr := param(st, p.Name+".running_mean").Data, param(st, p.Name+".running_var").Data
		for ch := range c {
			var v []float32
			for s := range n {
				off := (s*c + ch) * h * w
				v = append(v, p.In.Data[off:off+h*w]...)
			}
			m, sd := MeanStd(v)
			mean[ch], vr[ch] = float32(m), float32(sd*sd)
		}
	}
	return st
}

// predictions runs the whole network (nncore.RunProbe, eval mode) and returns the argmax per image.
func predictions(cfg nncore.Config, st *nncore.State, s *mnist.Set) []int {
	x := make([]float32, s.N*mnist.Pixels)
	idx := make([]int32, s.N)
	for i := range idx {
		idx[i] = int32(i)
	}
	cfg.Preprocess().Fill(x, s, idx)
	p := nncore.RunProbe(cfg, st, x, s.N, false)
	out := make([]int, s.N)
	for i := range out {
		out[i] = Argmax(p.Probs[i*10 : i*10+10])
	}
	return out
}

func cloneState(st *nncore.State) *nncore.State {
	c := &nncore.State{Step: st.Step}
	for _, t := range st.Params {
		c.Params = append(c.Params, nncore.Tensor{Name: t.Name, Shape: t.Shape, Data: slices.Clone(t.Data)})
	}
	c.Buffers = st.Buffers
	return c
}

// TestKnockoutCurveMatchesBruteForce compares the fast knockout with zeroing the unit's outgoing
// weights on a copy of the state and running the whole network again.
func TestKnockoutCurveMatchesBruteForce(t *testing.T) {
	test := synthSet(230, 3) // more than one chunk of 200
	for _, c := range []struct {
		variant nncore.Variant
		layer   string
	}{{nncore.StandardBN, "fc1"}, {nncore.BNDropout, "fc2"}, {nncore.Plain, "fc1"}} {
		cfg := nncore.DefaultConfig()
		cfg.Variant = c.variant
		st := perturbedState(cfg, test)
		// Labels = the model's own predictions: baseline accuracy 100 %, so every changed
		// prediction is a drop.
		base := predictions(cfg, st, test)
		for i, p := range base {
			test.Labels[i] = byte(p)
		}
		drops := KnockoutCurve(cfg, st, test, 0, c.layer)
		next := map[string]string{"fc1": "fc2", "fc2": "fc3"}[c.layer]
		units := map[string]int{"fc1": 120, "fc2": 84}[c.layer]
		if len(drops) != units {
			t.Fatalf("%s %s: %d drops, want %d", c.variant, c.layer, len(drops), units)
		}
		nonzero := 0
		for _, d := range drops {
			if d != 0 {
				nonzero++
			}
		}
		if nonzero == 0 {
			t.Errorf("%s %s: no unit matters; the test would not see a wrong knockout", c.variant, c.layer)
		}
		for _, u := range []int{0, 7, units - 1, slices.Index(drops, slices.Max(drops))} {
			ko := cloneState(st)
			w := param(ko, next+".weight")
			for o := range w.Shape[0] {
				w.Data[o*units+u] = 0
			}
			changed := 0
			for i, p := range predictions(cfg, ko, test) {
				if p != base[i] {
					changed++
				}
			}
			want := float64(changed) / float64(test.N)
			// Float rounding of (z − w·h) vs the full sum may flip an exact tie; allow one image.
			if diff := drops[u] - want; diff > 1.0/float64(test.N)+1e-12 || -diff > 1.0/float64(test.N)+1e-12 {
				t.Errorf("%s %s unit %d: drop %v, brute force %v", c.variant, c.layer, u, drops[u], want)
			}
		}
	}
}

func TestShiftSeriesAndDashboard(t *testing.T) {
	cfg := nncore.DefaultConfig()
	cfg.Variant = nncore.BNDropout
	st0 := nncore.InitState(cfg)
	st1 := perturbedState(cfg, synthSet(16, 4))
	st1.Step = 500
	s := synthSet(8, 5)
	x := make([]float32, 8*mnist.Pixels)
	cfg.Preprocess().Fill(x, s, []int32{0, 1, 2, 3, 4, 5, 6, 7})
	series := ShiftSeries("bn-dropout", cfg, []*nncore.State{st0, st1}, x, 8, "fc1")
	if len(series.Q) != 2 || series.Steps[1] != 500 {
		t.Fatalf("series %+v", series)
	}
	for _, q := range series.Q {
		if !(q[0] < q[2] && q[2] < q[4]) {
			t.Errorf("bands not ordered: %v", q)
		}
	}

	p := nncore.RunProbe(cfg, st1, x, 8, true)
	pairs := BNPairs(p.Acts)
	if len(pairs) != 4 || pairs[0].Name != "bn1" || pairs[0].In.Name != "conv1" || pairs[2].In.Name != "fc1" {
		t.Fatalf("BN pairs: %v", pairs)
	}
	masks := []nncore.MaskSnapshot{
		{Name: "drop1", Shape: []int{6, 28, 28}, P: 0.5, Keep: make([]byte, 6*28*28)},
		{Name: "drop3", Shape: []int{120}, P: 0.5, Keep: make([]byte, 120)},
	}
	img, labels := Dashboard(DashboardInput{Acts: p.Acts, Masks: masks, Sample: 3})
	if img.Rect.Dx() != MapsWidth+colGap+RightWidth || img.Rect.Dy() < 400 {
		t.Errorf("dashboard %v", img.Rect)
	}
	text := ""
	for _, l := range labels {
		text += l.Text + "\n"
		for _, r := range l.Text {
			if r > 126 {
				t.Errorf("label %q is not ASCII", l.Text)
			}
		}
		if l.X < 0 || l.Y < 0 || l.Y > img.Rect.Dy() {
			t.Errorf("label %q at (%d, %d) outside the picture", l.Text, l.X, l.Y)
		}
	}
	for _, want := range []string{"input", "conv1", "drop1", "relu2", "pool2", "fc3", "bn4", "drop3 p=0.50 kept 0.0%"} {
		if !strings.Contains(text, want) {
			t.Errorf("labels lack %q:\n%s", want, text)
		}
	}
}
