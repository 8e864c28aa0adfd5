//go:build js

package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// synthSet returns n random 28×28 "digits": blobs of ink with random labels, deterministic in seed.
func synthSet(n int, seed uint64) *mnist.Set {
	r := rand.New(rand.NewPCG(seed, 99))
	s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
	for i := 0; i < n; i++ {
		s.Labels[i] = byte(r.IntN(10))
		cx, cy := 8+r.IntN(12), 8+r.IntN(12)
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
				v := 255 - 12*d + r.IntN(60) + int(s.Labels[i])*7
				if v > 0 {
					s.Images[i*784+y*28+x] = byte(min(v, 255))
				}
			}
		}
	}
	return s
}

func openDevice(t testing.TB) *Device {
	t.Helper()
	d, err := SharedDevice()
	if err != nil {
		t.Fatalf("no WebGPU device: %v", err)
	}
	return d
}

type tol struct{ atol, rtol float64 }

// closeTo reports the first element where got and want differ by more than atol + rtol·|want|.
func closeTo(got, want []float32, tl tol) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range got {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(g) || math.Abs(g-w) > tl.atol+tl.rtol*math.Abs(w) {
			return i, false
		}
	}
	return 0, true
}

// checkNorm compares tensors by relative L2 error ‖got − want‖/‖want‖ (for results of several
// steps, where a ReLU or max-pool decision at a value within rounding of a tie may flip).
func checkNorm(t *testing.T, what string, got, want []float32, rel float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	var d, w float64
	for i := range got {
		d += (float64(got[i]) - float64(want[i])) * (float64(got[i]) - float64(want[i]))
		w += float64(want[i]) * float64(want[i])
	}
	if math.IsNaN(d) || math.Sqrt(d) > rel*math.Sqrt(w)+1e-6 {
		t.Errorf("%s: relative L2 error %.3g > %.3g", what, math.Sqrt(d/w), rel)
	}
}

func checkClose(t *testing.T, what string, got, want []float32, tl tol) {
	t.Helper()
	if i, ok := closeTo(got, want, tl); !ok {
		if i < 0 {
			t.Errorf("%s: %d values, want %d", what, len(got), len(want))
			return
		}
		t.Errorf("%s[%d] = %g, want %g (±%g+%g·|ref|)", what, i, got[i], want[i], tl.atol, tl.rtol)
	}
}

// TestEngineParity trains every variant for a few steps (the last batch partial) on the CPU engine
// and on the GPU engine from the same state and compares losses, parameters, running statistics,
// snapshots (dropout masks exactly), evaluation and prediction.
func TestEngineParity(t *testing.T) {
	openDevice(t)
	train, test := synthSet(96, 1), synthSet(40, 2)
	for _, v := range nncore.Variants {
		for _, mode := range []mnist.Mode{mnist.Resize, mnist.Pad} {
			if mode == mnist.Pad && v != nncore.BNDropout {
				continue
			}
			name := fmt.Sprintf("%s/%d", v, mode)
			t.Run(name, func(t *testing.T) {
				cfg := nncore.DefaultConfig()
				// lr 0.02: at the default 0.1 a batch of 16 makes the steps chaotic enough that the
				// float32 rounding differences between the engines (1e-4 in activations after one
				// step) flip a few ReLU and max-pool decisions and grow by percents within 3 steps.
				cfg.Variant, cfg.Batch, cfg.Seed, cfg.Input, cfg.LR = v, 16, 5, mode, 0.02
				if v == nncore.Dropout {
					cfg.Momentum, cfg.WeightDecay = 0.9, 5e-4
				}
				if v == nncore.BNDropout && mode == mnist.Pad {
					cfg.InputDropout = nncore.InputDropoutConv1
				}
				st := nncore.InitState(cfg)
				cpu, err := nncore.NewCPUEngine(cfg, st, train, test)
				if err != nil {
					t.Fatal(err)
				}
				defer cpu.Close()
				g, err := NewEngine(cfg, st, train, test)
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				// Before the first step: BN parameters and running statistics, no batch statistics or masks.
				cs0, _ := cpu.Snapshot()
				gs0, err := g.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if len(gs0.BN) != len(cs0.BN) || len(gs0.Masks) != 0 || len(cs0.Masks) != 0 {
					t.Errorf("snapshot before training: %d BN, %d masks; CPU %d, %d", len(gs0.BN), len(gs0.Masks), len(cs0.BN), len(cs0.Masks))
				}
				for i, b := range cs0.BN {
					if gs0.BN[i].BatchMean != nil || gs0.BN[i].Name != b.Name {
						t.Errorf("snapshot before training: %s has batch statistics", gs0.BN[i].Name)
					}
					checkClose(t, b.Name+" initial running var", gs0.BN[i].RunningVar, b.RunningVar, tol{})
				}
				perm := rand.New(rand.NewPCG(3, 4)).Perm(train.N)
				batches := [][]int{perm[0:16], perm[16:32], perm[32:43]}
				for s, bi := range batches {
					idx := make([]int32, len(bi))
					for i, x := range bi {
						idx[i] = int32(x)
					}
					if err := cpu.TrainBatch(idx); err != nil {
						t.Fatal(err)
					}
					if err := g.TrainBatch(idx); err != nil {
						t.Fatal(err)
					}
					cs, _ := cpu.TakeTrainStats()
					gs, err := g.TakeTrainStats()
					if err != nil {
						t.Fatal(err)
					}
					if gs.N != cs.N || gs.Correct != cs.Correct || math.Abs(gs.LossSum-cs.LossSum) > 1e-3+1e-4*math.Abs(cs.LossSum) {
						t.Errorf("step %d stats: gpu %+v, cpu %+v", s, gs, cs)
					}
					if s == 0 {
						// One step: every parameter elementwise.
						cst, _ := cpu.State()
						gst, err := g.State()
						if err != nil {
							t.Fatal(err)
						}
						for i := range cst.Params {
							checkClose(t, "step 0 "+cst.Params[i].Name, gst.Params[i].Data, cst.Params[i].Data, tol{1e-5, 1e-3})
						}
					}
				}
				if g.LastDispatches == 0 {
					t.Error("no dispatches recorded")
				}
				cst, _ := cpu.State()
				gst, err := g.State()
				if err != nil {
					t.Fatal(err)
				}
				if gst.Step != cst.Step {
					t.Errorf("step %d, want %d", gst.Step, cst.Step)
				}
				const rel = 3e-3
				for i := range cst.Params {
					checkNorm(t, cst.Params[i].Name, gst.Params[i].Data, cst.Params[i].Data, rel)
				}
				for i := range cst.Buffers {
					checkNorm(t, cst.Buffers[i].Name, gst.Buffers[i].Data, cst.Buffers[i].Data, rel)
				}
				if len(gst.Velocity) != len(cst.Velocity) {
					t.Errorf("%d velocity tensors, want %d", len(gst.Velocity), len(cst.Velocity))
				}
				for i := range cst.Velocity {
					checkNorm(t, "velocity "+cst.Velocity[i].Name, gst.Velocity[i].Data, cst.Velocity[i].Data, rel)
				}
				csn, _ := cpu.Snapshot()
				gsn, err := g.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				if len(gsn.BN) != len(csn.BN) || len(gsn.Masks) != len(csn.Masks) {
					t.Fatalf("snapshot has %d BN, %d masks; want %d, %d", len(gsn.BN), len(gsn.Masks), len(csn.BN), len(csn.Masks))
				}
				for i, b := range csn.BN {
					gb := gsn.BN[i]
					checkNorm(t, b.Name+" batch mean", gb.BatchMean, b.BatchMean, rel)
					checkNorm(t, b.Name+" batch var", gb.BatchVar, b.BatchVar, rel)
					checkNorm(t, b.Name+" running var", gb.RunningVar, b.RunningVar, rel)
					checkNorm(t, b.Name+" gamma", gb.Gamma, b.Gamma, rel)
				}
				for i, m := range csn.Masks {
					gm := gsn.Masks[i]
					if gm.Name != m.Name || gm.P != m.P || fmt.Sprint(gm.Shape) != fmt.Sprint(m.Shape) || string(gm.Keep) != string(m.Keep) {
						t.Errorf("mask %s (p=%v, %v) differs from the CPU's %s (p=%v, %v)", gm.Name, gm.P, gm.Shape, m.Name, m.P, m.Shape)
					}
				}
				ce, _ := cpu.Evaluate(0)
				ge, err := g.Evaluate(0)
				if err != nil {
					t.Fatal(err)
				}
				if ge.N != ce.N || ge.Correct < ce.Correct-1 || ge.Correct > ce.Correct+1 || math.Abs(ge.LossSum-ce.LossSum) > 1e-3+3e-3*math.Abs(ce.LossSum) {
					t.Errorf("evaluate: gpu %+v, cpu %+v", ge, ce)
				}
				x := make([]float32, 19*1024)
				idx := make([]int32, 19)
				for i := range idx {
					idx[i] = int32(i)
				}
				cfg.Preprocess().Fill(x, test, idx)
				cp, _ := cpu.Predict(x, 19)
				gp, err := g.Predict(x, 19)
				if err != nil {
					t.Fatal(err)
				}
				checkNorm(t, "predict", gp, cp, rel)
			})
		}
	}
}
