package nncore

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
)

func testEngine(t *testing.T, c Config, train, test *mnist.Set) *CPUEngine {
	t.Helper()
	e, err := NewCPUEngine(c, InitState(c), train, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	poisonNet(e.m)
	return e
}

func steps(t *testing.T, e *CPUEngine, from, count, batch int) {
	t.Helper()
	for s := from; s < from+count; s++ {
		idx := make([]int32, batch)
		for k := range idx {
			idx[k] = int32((s*batch + k*7) % e.train.N)
		}
		if err := e.TrainBatch(idx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDeterminism(t *testing.T) {
	train, test := synthSets(200, 50, 2)
	for _, c := range variantConfigs() {
		c.Batch = 16
		c.Momentum = 0.9
		c.WeightDecay = 1e-3
		a, b := testEngine(t, c, train, test), testEngine(t, c, train, test)
		b.m.split.concurrent = false // as with GOMAXPROCS=1 (js/wasm): the same bits
		steps(t, a, 0, 4, 13)
		steps(t, b, 0, 4, 13)
		sa, _ := a.State()
		sb, _ := b.State()
		if !reflect.DeepEqual(bitsOf(sa), bitsOf(sb)) {
			t.Errorf("%s: same seed, different states", name(c))
		}
		c2 := c
		c2.Seed = 2
		d := testEngine(t, c2, train, test)
		steps(t, d, 0, 4, 13)
		sd, _ := d.State()
		if reflect.DeepEqual(bitsOf(sa), bitsOf(sd)) {
			t.Errorf("%s: seeds 1 and 2 give the same state", name(c))
		}
	}
}

func bitsOf(s *State) [][]uint32 {
	var out [][]uint32
	for _, ts := range [][]Tensor{s.Params, s.Buffers, s.Velocity} {
		for _, t := range ts {
			b := make([]uint32, len(t.Data))
			for i, v := range t.Data {
				b[i] = math.Float32bits(v)
			}
			out = append(out, b)
		}
	}
	return append(out, []uint32{uint32(s.Step)})
}

// Resuming from State() continues bit for bit as if never stopped (momentum and step included).
func TestStateRoundTrip(t *testing.T) {
	train, test := synthSets(100, 20, 3)
	c := DefaultConfig()
	c.Variant = BNDropout
	c.Batch = 10
	c.Momentum = 0.5
	a := testEngine(t, c, train, test)
	steps(t, a, 0, 3, 10)
	mid, _ := a.State()
	b, err := NewCPUEngine(c, mid, train, test)
	if err != nil {
		t.Fatal(err)
	}
	steps(t, a, 3, 2, 10)
	steps(t, b, 3, 2, 10)
	sa, _ := a.State()
	sb, _ := b.State()
	if sa.Step != 5 || !reflect.DeepEqual(bitsOf(sa), bitsOf(sb)) {
		t.Errorf("resumed engine diverged (steps %d, %d)", sa.Step, sb.Step)
	}
	// A state of another variant is refused with an error.
	other := DefaultConfig()
	other.Variant = Plain
	if _, err := NewCPUEngine(c, InitState(other), train, test); err == nil {
		t.Error("plain state accepted by bn-dropout engine")
	}
}

func TestTrainBatchDoesNotAllocate(t *testing.T) {
	train, test := synthSets(64, 16, 4)
	for _, c := range variantConfigs() {
		c.Batch = 32
		c.Momentum = 0.9
		e := testEngine(t, c, train, test)
		idx := make([]int32, 32)
		for i := range idx {
			idx[i] = int32(i * 2)
		}
		if n := testing.AllocsPerRun(3, func() {
			if err := e.TrainBatch(idx); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: TrainBatch allocates %v times", name(c), n)
		}
		if n := testing.AllocsPerRun(2, func() { e.Evaluate(0) }); n != 0 {
			t.Errorf("%s: Evaluate allocates %v times", name(c), n)
		}
	}
}

func TestTrainBatchErrors(t *testing.T) {
	train, test := synthSets(20, 5, 5)
	c := DefaultConfig()
	c.Batch = 8
	e := testEngine(t, c, train, test)
	for _, idx := range [][]int32{nil, {1}, make([]int32, 9), {0, 20}, {-1, 2}} {
		if err := e.TrainBatch(idx); err == nil {
			t.Errorf("TrainBatch(%v) accepted", idx)
		}
	}
	c.Variant = Dropout
	e = testEngine(t, c, train, test)
	if err := e.TrainBatch([]int32{3}); err != nil {
		t.Errorf("a batch of 1 without BN: %v", err)
	}
}

// Evaluate equals a direct computation with the probe over the same images, and it averages by
// sample, not by chunk (the last chunk is partial).
func TestEvaluateMatchesProbe(t *testing.T) {
	train, test := synthSets(64, 37, 6)
	c := DefaultConfig()
	c.Variant = BNDropout
	c.Batch = 16
	e := testEngine(t, c, train, test)
	steps(t, e, 0, 3, 16)
	ev, err := e.Evaluate(0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.State()
	x := make([]float32, 37*1024)
	idx := make([]int32, 37)
	labels := make([]int32, 37)
	for i := range idx {
		idx[i] = int32(i)
		labels[i] = int32(test.Labels[i])
	}
	c.Preprocess().Fill(x, test, idx)
	p := RunProbe(c, st, x, 37, false)
	_, sum, correct := SoftmaxCrossEntropy(nil, p.Act("fc3").Data, labels, 37, 10)
	if ev.N != 37 || ev.Correct != correct || math.Abs(ev.LossSum-sum) > 1e-9*sum {
		t.Errorf("Evaluate %+v, probe sum %v correct %d", ev, sum, correct)
	}
	ev10, _ := e.Evaluate(10)
	if ev10.N != 10 {
		t.Errorf("Evaluate(10).N = %d", ev10.N)
	}
	probs, err := e.Predict(x[:5*1024], 5)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(t, "predict", probs, p.Probs[:50], 1e-7, 1e-6)
	if _, err := e.Predict(x[:100], 1); err == nil {
		t.Error("Predict with short input accepted")
	}
}

func TestProbeNames(t *testing.T) {
	c := DefaultConfig()
	c.Variant = BNInput
	st := InitState(c)
	x := make([]float32, 2*1024)
	got := func(p *Probe) string {
		var s []string
		for _, a := range p.Acts {
			s = append(s, a.Name)
		}
		return strings.Join(s, ",")
	}
	p := RunProbe(c, st, x, 2, false)
	if want := "input,bn0,conv1,bn1,relu1,pool1,conv2,bn2,relu2,pool2,fc1,bn3,relu3,fc2,bn4,relu4,fc3"; got(p) != want {
		t.Errorf("bn-input acts %s", got(p))
	}
	if s := p.Act("pool2").Shape; !reflect.DeepEqual(s, []int{2, 16, 5, 5}) {
		t.Errorf("pool2 shape %v", s)
	}
	if s := p.Act("fc1").Shape; !reflect.DeepEqual(s, []int{2, 120}) {
		t.Errorf("fc1 shape %v", s)
	}
	c.Variant = BNDropout
	st = InitState(c)
	p = RunProbe(c, st, x, 2, true)
	if want := "input,drop0,conv1,bn1,drop1,relu1,pool1,conv2,bn2,drop2,relu2,pool2,fc1,bn3,drop3,relu3,fc2,bn4,drop4,relu4,fc3"; got(p) != want {
		t.Errorf("bn-dropout train acts %s", got(p))
	}
	p = RunProbe(c, st, x, 2, false)
	if strings.Contains(got(p), "drop") {
		t.Errorf("eval probe has dropout: %s", got(p))
	}
	var s float32
	for _, v := range p.Probs[:10] {
		s += v
	}
	if math.Abs(float64(s-1)) > 1e-6 {
		t.Errorf("probs sum to %v", s)
	}
}

func TestSnapshot(t *testing.T) {
	train, test := synthSets(64, 16, 7)
	c := DefaultConfig()
	c.Variant = BNDropout
	c.Batch = 8
	e := testEngine(t, c, train, test)
	s0, _ := e.Snapshot()
	if len(s0.BN) != 4 || len(s0.Masks) != 0 || s0.BN[0].BatchMean != nil {
		t.Errorf("snapshot before training: %d BN, %d masks", len(s0.BN), len(s0.Masks))
	}
	steps(t, e, 0, 3, 8)
	s, _ := e.Snapshot()
	if s.Step != 3 || len(s.Masks) != 5 || s.BN[1].Name != "bn2" || len(s.BN[1].BatchVar) != 16 {
		t.Fatalf("snapshot: step %d, %d masks", s.Step, len(s.Masks))
	}
	m := s.Masks[2]
	if m.Name != "drop2" || !reflect.DeepEqual(m.Shape, []int{16, 10, 10}) || m.P != 0.5 {
		t.Errorf("mask %s %v %v", m.Name, m.Shape, m.P)
	}
	for i, k := range m.Keep {
		if (k == 1) != DropoutKeep(c.Seed, 2, 2, uint32(i), 0.5) {
			t.Fatalf("keep[%d] = %d disagrees with the hash at step 2", i, k)
		}
	}
	if s.Masks[0].Name != "drop0" || !reflect.DeepEqual(s.Masks[0].Shape, []int{1, 32, 32}) || s.Masks[0].P != 0.2 {
		t.Errorf("drop0 mask %v %v", s.Masks[0].Shape, s.Masks[0].P)
	}
	if !reflect.DeepEqual(s.Masks[4].Shape, []int{84}) {
		t.Errorf("drop4 shape %v", s.Masks[4].Shape)
	}
}

func TestTrainer(t *testing.T) {
	train, test := synthSets(90, 30, 8)
	c := DefaultConfig()
	c.Batch = 16
	c.Epochs = 2
	c.TrainLimit = 81 // 5 batches of 16 and a singleton, skipped with BN
	e := testEngine(t, c, train, test)
	var batches []BatchInfo
	var lossSum float64
	ms, err := Train(context.Background(), e, c, train, Hooks{OnBatch: func(b BatchInfo) error {
		batches = append(batches, b)
		lossSum += b.Loss * float64(min(16, 80-16*b.Batch))
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || len(batches) != 10 || batches[9].Step != 10 || batches[4].Seen != 80 || batches[5].Epoch != 2 {
		t.Fatalf("%d epochs, %d batches: %+v", len(ms), len(batches), batches)
	}
	// The epoch's train loss is the per-sample mean of what the batches reported.
	var first float64
	for _, b := range batches[:5] {
		first += b.Loss * 16
	}
	if got := ms[0].TrainLoss; math.Abs(got-first/80) > 1e-12 {
		t.Errorf("train loss %v, batches say %v", got, first/80)
	}
	ev, _ := e.Evaluate(0)
	if ms[1].TestLoss != ev.LossSum/30 || ms[1].TestAcc != float64(ev.Correct)/30 {
		t.Errorf("test metrics %+v, evaluate %+v", ms[1], ev)
	}
	if ms[0].ImagesPerSec <= 0 || ms[0].Seconds <= 0 {
		t.Errorf("speed %+v", ms[0])
	}
	// Without hooks the same run gives the same metrics (and no singleton batch with BN).
	e2 := testEngine(t, c, train, test)
	ms2, err := Train(context.Background(), e2, c, train, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if ms2[1].TrainLoss != ms[1].TrainLoss || ms2[1].TestAcc != ms[1].TestAcc {
		t.Errorf("hooks changed the run: %+v vs %+v", ms2[1], ms[1])
	}
	// A hook's error and a cancelled context stop training.
	stop := errors.New("stop")
	e3 := testEngine(t, c, train, test)
	if _, err := Train(context.Background(), e3, c, train, Hooks{OnEpoch: func(EpochMetrics) error { return stop }}); err != stop {
		t.Errorf("hook error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, e3, c, train, Hooks{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestConfig(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Variant != StandardBN || c.Batch != 256 || c.LR != 0.1 || c.Seed != 1 || c.Epochs != 10 || c.Input != mnist.Resize {
		t.Errorf("defaults %+v", c)
	}
	for _, v := range Variants {
		if got, err := ParseVariant(" " + strings.ToUpper(string(v))); err != nil || got != v {
			t.Errorf("ParseVariant(%s) = %v, %v", v, got, err)
		}
	}
	if _, err := ParseVariant("lenet"); err == nil || !strings.Contains(err.Error(), "standard-bn") {
		t.Errorf("ParseVariant(lenet): %v", err)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.Variant = "x" },
		func(c *Config) { c.InputDropout = "conv2" },
		func(c *Config) { c.Input = 7 },
		func(c *Config) { c.Epochs = 0 },
		func(c *Config) { c.Batch = 1 },
		func(c *Config) { c.LR = 0 },
		func(c *Config) { c.LR = float32(math.NaN()) },
		func(c *Config) { c.Momentum = 1 },
		func(c *Config) { c.WeightDecay = -1 },
		func(c *Config) { c.TrainLimit = -1 },
	} {
		c := DefaultConfig()
		bad(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("Validate accepted %+v", c)
		}
	}
	c.Variant = BNInput
	if c.Preprocess().Normalize {
		t.Error("bn-input normalizes")
	}
	c.Variant = Dropout
	if !c.Preprocess().Normalize {
		t.Error("dropout does not normalize")
	}
}

// InitState follows the contract: parameter names and shapes in order, bounds 1/sqrt(fan_in),
// and the first value from the contract's generator.
func TestInitState(t *testing.T) {
	c := DefaultConfig()
	c.Variant = BNInput
	st := InitState(c)
	var names []string
	for _, p := range st.Params {
		names = append(names, p.Name)
	}
	want := "bn0.weight,bn0.bias,conv1.weight,conv1.bias,bn1.weight,bn1.bias,conv2.weight,conv2.bias,bn2.weight,bn2.bias," +
		"fc1.weight,fc1.bias,bn3.weight,bn3.bias,fc2.weight,fc2.bias,bn4.weight,bn4.bias,fc3.weight,fc3.bias"
	if strings.Join(names, ",") != want {
		t.Errorf("params %s", strings.Join(names, ","))
	}
	if len(st.Buffers) != 10 || st.Buffers[1].Name != "bn0.running_var" || st.Buffers[1].Data[0] != 1 {
		t.Errorf("buffers %+v", st.Buffers[:2])
	}
	for _, p := range st.Params {
		bound := map[string]float64{"conv1": 1 / 5.0, "conv2": 1 / math.Sqrt(150), "fc1": 1 / 20.0, "fc2": 1 / math.Sqrt(120), "fc3": 1 / math.Sqrt(84)}[strings.Split(p.Name, ".")[0]]
		if bound == 0 || len(p.Data) < 100 { // too few draws to come near the bound
			continue
		}
		var mx float64
		for _, v := range p.Data {
			mx = max(mx, math.Abs(float64(v)))
		}
		if mx > bound || mx < 0.9*bound {
			t.Errorf("%s: max |w| %v, bound %v", p.Name, mx, bound)
		}
	}
	// The standard-bn state's convolution and linear weights equal bn-input's: BN layers draw nothing.
	c.Variant = StandardBN
	s2 := InitState(c)
	if !reflect.DeepEqual(s2.Params[0].Data, st.Params[2].Data) {
		t.Error("conv1 weights depend on the variant")
	}
}

// The engine's split convolutions give what the plain net gives, to rounding: two steps with 29
// images (odd, so the halves differ in size).
func TestSplitMatchesSerial(t *testing.T) {
	train, test := synthSets(64, 8, 9)
	for _, c := range variantConfigs() {
		c.Batch = 29
		e := testEngine(t, c, train, test)
		m := newNet(newSpec(c), fastKernels, 29)
		if err := m.load(InitState(c)); err != nil {
			t.Fatal(err)
		}
		idx := make([]int32, 29)
		for s := range 2 {
			for k := range idx {
				idx[k] = int32(s*29 + k)
				m.labels[k] = int32(train.Labels[idx[k]])
			}
			if err := e.TrainBatch(idx); err != nil {
				t.Fatal(err)
			}
			c.Preprocess().Fill(m.acts[0][:29*1024], train, idx)
			m.trainStep(29, c.Seed, uint32(s), nil, c)
		}
		for i, p := range m.s.params {
			closeAll(t, name(c)+" "+p.name, e.m.params[i], m.params[i], 1e-6, 1e-4)
		}
	}
}

// countingEngine counts TakeTrainStats calls, the reads that synchronise a GPU engine.
type countingEngine struct {
	Engine
	reads int
}

func (c *countingEngine) TakeTrainStats() (TrainStats, error) {
	c.reads++
	return c.Engine.TakeTrainStats()
}

func TestTrainerReadsStatsAtMostEvery(t *testing.T) {
	train, test := synthSets(90, 30, 8)
	c := DefaultConfig()
	c.Batch, c.Epochs, c.TrainLimit = 16, 2, 80
	every := &countingEngine{Engine: testEngine(t, c, train, test)}
	var fresh []int
	msEvery, err := Train(context.Background(), every, c, train, Hooks{OnBatch: func(b BatchInfo) error {
		fresh = append(fresh, b.LossBatches)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	// One read before training, one per batch, one per epoch end.
	if every.reads != 1+10+2 {
		t.Errorf("%d reads with StatsEvery 0, want 13", every.reads)
	}
	for i, n := range fresh {
		if n != 1 {
			t.Errorf("batch %d: loss of %d batches, want 1", i, n)
		}
	}
	rare := &countingEngine{Engine: testEngine(t, c, train, test)}
	fresh = fresh[:0]
	msRare, err := Train(context.Background(), rare, c, train, Hooks{StatsEvery: time.Hour, OnBatch: func(b BatchInfo) error {
		fresh = append(fresh, b.LossBatches)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rare.reads != 1+2 {
		t.Errorf("%d reads with StatsEvery 1h, want 3 (start and each epoch end)", rare.reads)
	}
	for i, n := range fresh {
		if n != 0 {
			t.Errorf("batch %d: loss of %d batches read, want none", i, n)
		}
	}
	// Reading less often changes nothing in the epoch metrics.
	for i := range msEvery {
		a, b := msEvery[i], msRare[i]
		if a.TrainLoss != b.TrainLoss || a.TrainAcc != b.TrainAcc || a.TestLoss != b.TestLoss || a.TestAcc != b.TestAcc {
			t.Errorf("epoch %d: %+v vs %+v", i+1, a, b)
		}
	}
}

// stepCounter counts training steps and evaluated images.
type stepCounter struct {
	Engine
	steps, evaluated int
}

func (s *stepCounter) TrainBatch(idx []int32) error { s.steps++; return s.Engine.TrainBatch(idx) }
func (s *stepCounter) Evaluate(limit int) (EvalStats, error) {
	ev, err := s.Engine.Evaluate(limit)
	s.evaluated += ev.N
	return ev, err
}

func TestTimeEngine(t *testing.T) {
	train, test := synthSets(50, 30, 9)
	c := DefaultConfig()
	c.Batch = 16
	e := &stepCounter{Engine: testEngine(t, c, train, test)}
	clock := 0.0
	now := func() float64 { clock += 2; return clock }
	tm, err := TimeEngine(e, c, train.N, test.N, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	// One warm-up step and 3 timed ones; a 16-image warm-up evaluation and min(3·16, 30) timed.
	if e.steps != 4 || e.evaluated != 16+30 || tm.Inferred != 30 || tm.Batches != 3 || tm.Batch != 16 {
		t.Errorf("steps %d, evaluated %d, times %+v", e.steps, e.evaluated, tm)
	}
	if tm.TrainMs != 2 || tm.InferMs != 2 || tm.StateMs != 2 || tm.TrainImgPerSec() != 48/0.002 || tm.MsPerStep() != 2.0/3 {
		t.Errorf("times %+v", tm)
	}
	if _, err := TimeEngine(e, c, train.N, test.N, 0, now); err == nil {
		t.Error("0 batches accepted")
	}
}
