//go:build js

package gpu

import (
	"errors"
	"fmt"
	"syscall/js"
	"unsafe"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// op is one recorded dispatch: a pipeline, its bind group and its thread count for batch n.
type op struct {
	name    string
	pipe    js.Value
	bg      js.Value
	wg      int
	threads func(n int) int // nil: fixed groups
	groups  int
}

func (o *op) encode(e *Encoder, n int) {
	g := o.groups
	if o.threads != nil {
		g = ceilDiv(o.threads(n), o.wg)
	}
	x, y := grid(g)
	e.Dispatch(o.pipe, o.bg, x, y, 1)
}

// builder creates ops and remembers every buffer for Close.
type builder struct {
	d      *Device
	bufs   []*Buffer
	err    error
	noBake bool // bind Params as uniforms instead of baking them into the code (see bakeParams)
}

func (b *builder) buffer(label string, bytes, usage int) *Buffer {
	if lim := b.d.Limits["maxStorageBufferBindingSize"]; lim > 0 && bytes > lim && b.err == nil {
		b.err = &Error{ReasonNoDevice, fmt.Sprintf("%s needs %d MB, more than this GPU binds (%d MB): use a smaller batch", label, bytes>>20, lim>>20)}
	}
	if b.err != nil {
		bytes = 4 // the engine will not be built: do not ask the device for what it cannot give
	}
	buf := b.d.NewBuffer(label, bytes, usage)
	b.bufs = append(b.bufs, buf)
	return buf
}

func (b *builder) storage(label string, floats int) *Buffer {
	return b.buffer(label, 4*max(floats, 1), UsageStorage|UsageCopySrc|UsageCopyDst)
}

// op builds a dispatch of prog over bindings [step, uniform(params), rest...] (no step when step
// is nil; no uniform when params is nil).
func (b *builder) op(prog *program, step *Buffer, params any, threads func(int) int, rest ...Binding) *op {
	if b.err != nil {
		return &op{}
	}
	code := prog.code()
	bakedAt := -1
	if params != nil && !b.noBake {
		if c, at, ok := bakeParams(code, params); ok {
			code, bakedAt = c, at
		}
	}
	pipe, err := b.d.Pipeline(prog.name, code)
	if err != nil {
		b.err = err
		return &op{}
	}
	var bs []Binding
	if step != nil && !prog.noStep {
		bs = append(bs, Whole(step))
	}
	if bakedAt >= 0 {
		bs = append(bs, Binding{}) // the Params are constants in the code: nothing is bound there
	} else if params != nil {
		data := uniformBytes(params)
		u := b.buffer(prog.name+" params", len(data), UsageUniform|UsageCopyDst)
		b.d.Write(u, 0, data)
		bs = append(bs, Whole(u))
	}
	bs = append(bs, rest...)
	return &op{name: prog.name, pipe: pipe, bg: b.d.BindGroup(pipe, bs...), wg: prog.wg, threads: threads}
}

// matmul builds a dispatch of C = A·B (bindings a, b, bias source, c): the generated tile program
// (tilematmul.go) for products of at least tileMatmulMACs multiply-adds per image, where its
// speed pays for its compile time (~1 s on SwiftShader), matmul.wgsl for the others.
func (b *builder) matmul(mp matmulParams, step *Buffer, a, bm, bias, c Binding) *op {
	if mp.BatchDim == 1 && int(mp.N*mp.K) >= tileMatmulMACs {
		if mp.HasBias == 0 {
			bias = Binding{}
		}
		return b.op(mp.tileProgram(), step, nil, mp.tileThreads, b.offsets(mp.tileOffsets()), a, bm, bias, c)
	}
	return b.op(matmulProgram, step, mp, mp.threads, a, bm, bias, c)
}

// tileMatmulMACs is the size from which a batch-major product uses the generated tile matmul
// (fc1's forward pass and input gradient: 48,000 multiply-adds per image).
const tileMatmulMACs = 40000

// fixed builds an op with a fixed number of workgroups.
func (b *builder) fixed(prog *program, step *Buffer, params any, groups int, rest ...Binding) *op {
	o := b.op(prog, step, params, nil, rest...)
	o.groups = groups
	return o
}

// Engine trains LeNet-5 on a WebGPU device. It implements nncore.Engine. It is not safe for
// concurrent use, and its methods must not be called from inside a js.FuncOf callback.
type Engine struct {
	cfg         nncore.Config
	d           *Device
	ownDevice   bool
	train, test *mnist.Set
	B           int // the batch size buffers are made for
	step        int64
	trained     bool
	closed      bool

	spec     *modelSpec
	names    []nncore.Tensor // params in State order (shapes; Data nil)
	bufNames []nncore.Tensor
	poff     map[string]int // element offset of each parameter in the packed buffers
	boff     map[string]int // element offset of each running statistic in bufs
	nparams  int

	params, grads, vel, bufs *Buffer
	x0, labels, dlogits      *Buffer
	idx, stepTrain, stepEval *Buffer
	trainAcc, evalAcc        *Buffer
	bnStats                  map[int]*Buffer // by BN layer K: mean [C], var [C]
	masks                    map[int]*Buffer // by dropout layer K: sample 0's keep bits
	trainImg, trainLab       *Buffer
	testImg, testLab         *Buffer

	trainOps, evalOps, predictOps []*op
	all                           []*Buffer // destroyed by Close
	sets                          []setKey  // cached data sets in use

	// LastDispatches is the number of dispatches of the last training step.
	LastDispatches int
	inflight       int // training steps submitted since the last wait
}

// maxInflight bounds the training steps queued on the GPU: TrainBatch waits for the queue after
// this many, so that a trainer calling it in a loop neither piles up work (and memory) in the
// browser nor sees pause/stop take effect seconds late.
const maxInflight = 3

var _ nncore.Engine = (*Engine)(nil)

// modelSpec says which optional layers a variant has.
type modelSpec struct {
	bn   [5]bool
	drop [5]float32 // 0: no dropK
	norm bool
}

func specOf(c nncore.Config) *modelSpec {
	s := &modelSpec{norm: c.Variant != nncore.BNInput}
	if c.Variant == nncore.BNInput {
		s.bn[0] = true
	}
	if c.HasBN() {
		for k := 1; k <= 4; k++ {
			s.bn[k] = true
		}
	}
	if c.HasDropout() {
		if c.InputDropout == nncore.InputDropoutConv1 {
			s.drop[1] = 0.2
		} else {
			s.drop[0], s.drop[1] = 0.2, 0.5
		}
		s.drop[2], s.drop[3], s.drop[4] = 0.5, 0.5, 0.5
	}
	return s
}

var (
	sharedDev *Device
)

// SharedDevice opens (once) the device that engines share, so that pipelines are compiled once per
// page. A lost device is replaced on the next call.
func SharedDevice() (*Device, error) {
	if sharedDev != nil && !sharedDev.Lost() {
		return sharedDev, nil
	}
	d, err := Open()
	if err != nil {
		return nil, err
	}
	sharedDev = d
	return d, nil
}

// NewEngine builds a WebGPU engine for cfg from st (copied) on the shared device. train and test
// are uploaded once; either may be nil if the engine is not used to train or evaluate.
func NewEngine(cfg nncore.Config, st *nncore.State, train, test *mnist.Set) (*Engine, error) {
	d, err := SharedDevice()
	if err != nil {
		return nil, err
	}
	return NewEngineOn(d, cfg, st, train, test)
}

// NewEngineOn is NewEngine on a given device.
func NewEngineOn(d *Device, cfg nncore.Config, st *nncore.State, train, test *mnist.Set) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errors.New("gpu: NewEngine: nil state (use nncore.InitState)")
	}
	e := &Engine{cfg: cfg, d: d, train: train, test: test, B: cfg.Batch, step: st.Step, spec: specOf(cfg),
		poff: map[string]int{}, boff: map[string]int{}, bnStats: map[int]*Buffer{}, masks: map[int]*Buffer{}}
	for _, t := range st.Params {
		e.poff[t.Name] = e.nparams
		e.names = append(e.names, nncore.Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...)})
		e.nparams += len(t.Data)
	}
	nb := 0
	for _, t := range st.Buffers {
		e.boff[t.Name] = nb
		e.bufNames = append(e.bufNames, nncore.Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...)})
		nb += len(t.Data)
	}
	if err := e.checkNames(); err != nil {
		return nil, err
	}
	b := &builder{d: d}
	if err := e.build(b, st, nb); err != nil {
		for _, buf := range b.bufs {
			buf.Destroy()
		}
		e.releaseSets()
		d.Err() // clear what a failed build may have left for the next engine
		return nil, err
	}
	e.all = b.bufs
	if err := d.Err(); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Engine) checkNames() error {
	need := []string{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
		"fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"}
	for k := 0; k < 5; k++ {
		if e.spec.bn[k] {
			need = append(need, fmt.Sprintf("bn%d.weight", k), fmt.Sprintf("bn%d.bias", k))
		}
	}
	for _, n := range need {
		if _, ok := e.poff[n]; !ok {
			return fmt.Errorf("gpu: the state has no parameter %s for variant %s", n, e.cfg.Variant)
		}
	}
	for k := 0; k < 5; k++ {
		if e.spec.bn[k] {
			for _, s := range []string{"running_mean", "running_var"} {
				if _, ok := e.boff[fmt.Sprintf("bn%d.%s", k, s)]; !ok {
					return fmt.Errorf("gpu: the state has no buffer bn%d.%s", k, s)
				}
			}
		}
	}
	return nil
}

func packBytes(b []byte) []byte {
	if len(b)%4 == 0 {
		return b
	}
	return append(append([]byte(nil), b...), make([]byte, 4-len(b)%4)...)
}

func labelsU32(s *mnist.Set) []uint32 {
	out := make([]uint32, s.N)
	for i := range out {
		out[i] = uint32(s.Labels[i])
	}
	return out
}

// setBuffers is a data set uploaded to a device, shared by the engines that train on it: uploading
// the 47 MB training set takes seconds on SwiftShader, and the lab trains four models in a row.
type setBuffers struct {
	img, lab *Buffer
	users    int
}

type setKey struct {
	d *Device
	s *mnist.Set
}

// setCache holds the uploaded sets; entries no engine uses are dropped once more than
// maxCachedSets sets are cached (mnist.Set bytes never change after loading).
var setCache = map[setKey]*setBuffers{}

const maxCachedSets = 2

func (e *Engine) uploadSet(b *builder, s *mnist.Set, name string) (img, lab *Buffer) {
	if s == nil {
		return b.storage(name+" images (none)", 1), b.storage(name+" labels (none)", 1)
	}
	k := setKey{e.d, s}
	c := setCache[k]
	if c == nil {
		raw := packBytes(s.Images[:s.N*784])
		c = &setBuffers{img: e.d.NewBuffer(name+" images", len(raw), UsageStorage|UsageCopyDst),
			lab: e.d.NewBuffer(name+" labels", 4*s.N, UsageStorage|UsageCopyDst)}
		e.d.Write(c.img, 0, raw)
		e.d.WriteU32(c.lab, 0, labelsU32(s))
		setCache[k] = c
	}
	c.users++
	e.sets = append(e.sets, k)
	return c.img, c.lab
}

// releaseSets drops the engine's claim on its cached sets and frees unused ones beyond the limit.
func (e *Engine) releaseSets() {
	for _, k := range e.sets {
		if c := setCache[k]; c != nil {
			c.users--
		}
	}
	e.sets = nil
	for k, c := range setCache {
		if len(setCache) <= maxCachedSets {
			break
		}
		if c.users == 0 || k.d.Lost() {
			c.img.Destroy()
			c.lab.Destroy()
			delete(setCache, k)
		}
	}
}

// ReleaseCachedSets frees every uploaded data set no engine uses (for a page that is done training).
func ReleaseCachedSets() {
	for k, c := range setCache {
		if c.users == 0 {
			c.img.Destroy()
			c.lab.Destroy()
			delete(setCache, k)
		}
	}
}

// build allocates every buffer and records the ops of a training step, an evaluation chunk and a
// prediction chunk.
func (e *Engine) build(b *builder, st *nncore.State, nb int) error {
	d, B, sp := e.d, e.B, e.spec
	// The largest activation is conv1's output; check it before allocating anything.
	if lim := d.Limits["maxStorageBufferBindingSize"]; lim > 0 && 4*B*6*28*28 > lim {
		return &Error{ReasonNoDevice, fmt.Sprintf("a batch of %d needs %d MB buffers, more than this GPU binds (%d MB): use a smaller batch",
			B, 4*B*6*28*28>>20, lim>>20)}
	}
	if e.train != nil && (e.train.Rows != 28 || e.train.Cols != 28) || e.test != nil && (e.test.Rows != 28 || e.test.Cols != 28) {
		return errors.New("gpu: the data sets must hold 28×28 images")
	}
	// Parameters, gradients, velocity, running statistics.
	flat := make([]float32, 0, e.nparams)
	for _, t := range st.Params {
		flat = append(flat, t.Data...)
	}
	e.params = b.storage("params", e.nparams)
	d.WriteF32(e.params, 0, flat)
	e.grads = b.storage("grads", e.nparams)
	e.vel = b.storage("velocity", e.nparams)
	vflat := make([]float32, e.nparams)
	if len(st.Velocity) == len(st.Params) {
		o := 0
		for _, t := range st.Velocity {
			copy(vflat[o:], t.Data)
			o += len(t.Data)
		}
	}
	d.WriteF32(e.vel, 0, vflat)
	e.bufs = b.storage("running stats", nb)
	bflat := make([]float32, 0, nb)
	for _, t := range st.Buffers {
		bflat = append(bflat, t.Data...)
	}
	d.WriteF32(e.bufs, 0, bflat)

	e.trainImg, e.trainLab = e.uploadSet(b, e.train, "train")
	e.testImg, e.testLab = e.uploadSet(b, e.test, "test")
	e.idx = b.buffer("batch idx", 4*B, UsageStorage|UsageCopyDst)
	e.stepTrain = b.buffer("step (train)", 16, UsageUniform|UsageCopyDst)
	e.stepEval = b.buffer("step (eval)", 16, UsageUniform|UsageCopyDst)
	e.trainAcc = b.storage("train sums", 4)
	e.evalAcc = b.storage("eval sums", 4)
	// Placeholders for bindings a variant does not use; distinct buffers, since one buffer may not
	// be bound writable twice, or writable and read-only, in one dispatch.
	dummyA, dummyB, dummyR := b.storage("unused A", 1), b.storage("unused B", 1), b.storage("unused R", 1)
	mask := func(k, size int) *Buffer {
		if sp.drop[k] == 0 {
			return dummyB
		}
		m := b.storage(fmt.Sprintf("drop%d mask0", k), size)
		e.masks[k] = m
		return m
	}
	seed32 := uint32(e.cfg.Seed) ^ uint32(e.cfg.Seed>>32)
	dropParams := func(k int) (on, thr uint32, scale float32) {
		if sp.drop[k] == 0 {
			return 0, 0, 1
		}
		return 1, nncore.DropoutThreshold(sp.drop[k]), nncore.DropoutScale(sp.drop[k])
	}

	// Activations.
	e.x0 = b.storage("x0", B*1024)
	e.labels = b.buffer("batch labels", 4*B, UsageStorage|UsageCopyDst)
	lc := b.storage("loss/correct", 2*B)
	e.dlogits = b.storage("dlogits", B*10)

	type fwd struct{ train, eval, predict []*op }
	var F fwd
	add := func(o *op, train, eval, predict bool) {
		if train {
			F.train = append(F.train, o)
		}
		if eval {
			F.eval = append(F.eval, o)
		}
		if predict {
			F.predict = append(F.predict, o)
		}
	}
	var back []*op

	// Input: gather (+ drop0), or gather then bn0.
	on0, thr0, sc0 := dropParams(0)
	norm := uint32(0)
	if sp.norm {
		norm = 1
	}
	mode := uint32(0)
	if e.cfg.Input == mnist.Pad {
		mode = 1
	}
	m0 := mask(0, 1024)
	tg := tileGather{Train: true, Pad: mode == 1, Normalize: norm == 1, Drop: on0 != 0, Threshold: thr0, Scale: sc0, Seed: seed32}
	bs := map[int]Binding{2: Whole(e.trainImg), 3: Whole(e.trainLab), 4: Whole(e.idx), 6: Whole(e.x0), 7: Whole(e.labels)}
	if tg.Drop {
		bs[1], bs[8] = b.offsets(offsets{Seed: seed32}), Whole(m0)
	}
	add(b.op(tg.program(), e.stepTrain, nil, tileGatherThreads, bindAt(9, bs)...), true, false, false)
	tg.Train = false
	add(b.op(tg.program(), e.stepEval, nil, tileGatherThreads, bindAt(9, map[int]Binding{2: Whole(e.testImg), 3: Whole(e.testLab),
		6: Whole(e.x0), 7: Whole(e.labels)})...), false, true, false)

	// bnLayer records BN statistics (training) and the fused BN/dropout/ReLU/pool tail of layer k
	// over z [B,c,h,w], returning its output buffer and argmax.
	type tail struct {
		out, argmax, z *Buffer
		c, h, w        int
		act            bnActParams
		k              int
		tile           *tileTail // the generated tail of a conv layer
	}
	// With conv != nil, layer k's batch statistics come from the partial sums its convolution's
	// forward pass left in parts (see tileConv.forward) instead of a pass over z.
	addTail := func(k int, z *Buffer, c, h, w int, relu, pool bool, conv *tileConv, parts *Buffer) *tail {
		t := &tail{z: z, c: c, h: h, w: w, k: k}
		stats := dummyR
		if sp.bn[k] {
			stats = b.storage(fmt.Sprintf("bn%d stats", k), 2*c)
			e.bnStats[k] = stats
			sprm := bnStatsParams{C: uint32(c), HW: uint32(h * w), Moff: uint32(e.boff[fmt.Sprintf("bn%d.running_mean", k)]),
				Voff: uint32(e.boff[fmt.Sprintf("bn%d.running_var", k)])}
			if conv != nil {
				pp := bnStatsPartsParams{C: uint32(c), SPI: uint32(conv.statSlices(1)), Tile: uint32(conv.fwdRows() * conv.ow()),
					Moff: sprm.Moff, Voff: sprm.Voff}
				add(b.fixed(bnStatsPartsProgram, e.stepTrain, pp, c, Whole(parts), Whole(stats), Whole(e.bufs)), true, false, false)
			} else if h*w == 1 {
				add(b.op(bnStats1dProgram, e.stepTrain, sprm, func(int) int { return c }, Whole(z), Whole(stats), Whole(e.bufs)), true, false, false)
			} else {
				add(b.fixed(bnStatsProgram, e.stepTrain, sprm, c, Whole(z), Whole(stats), Whole(e.bufs)), true, false, false)
			}
		}
		on, thr, sc := dropParams(k)
		if k == 0 {
			on = 0 // drop0 is applied by gather
		}
		ap := bnActParams{C: uint32(c), H: uint32(h), W: uint32(w), Drop: on, Threshold: thr, Scale: sc, Seed: seed32, Layer: uint32(k)}
		if sp.bn[k] {
			ap.HasBN = 1
			ap.GammaOff = uint32(e.poff[fmt.Sprintf("bn%d.weight", k)])
			ap.BetaOff = uint32(e.poff[fmt.Sprintf("bn%d.bias", k)])
			ap.Moff = uint32(e.boff[fmt.Sprintf("bn%d.running_mean", k)])
			ap.Voff = uint32(e.boff[fmt.Sprintf("bn%d.running_var", k)])
		}
		if relu {
			ap.Relu = 1
		}
		outSize := B * c * h * w
		t.argmax = dummyA
		if pool {
			ap.Pool = 1
			outSize = B * c * (h / 2) * (w / 2)
			t.argmax = b.storage(fmt.Sprintf("layer %d argmax", k), outSize)
		}
		t.act = ap
		t.out = b.storage(fmt.Sprintf("layer %d out", k), outSize)
		m := dummyB
		if on != 0 {
			m = mask(k, c*h*w)
		}
		if conv != nil {
			// The generated tail (tiletail.go); the model's conv maps are even.
			tt := &tileTail{C: c, H: h, W: w, BN: sp.bn[k], GammaOff: int(ap.GammaOff), BetaOff: int(ap.BetaOff), Moff: int(ap.Moff),
				Voff: int(ap.Voff), Drop: on != 0, Threshold: thr, Scale: sc, Seed: seed32, Layer: uint32(k)}
			t.tile = tt
			bs := map[int]Binding{2: Whole(z), 6: Whole(t.out)}
			if tt.BN {
				bs[1], bs[3], bs[4] = b.offsets(tt.offsets()), Whole(e.params), Whole(e.bufs)
			}
			add(b.op(tt.act(false), e.stepEval, nil, tt.threads, bindAt(9, bs)...), false, true, true)
			delete(bs, 4)
			bs[7] = Whole(t.argmax)
			if tt.BN {
				bs[5] = Whole(stats)
			}
			if tt.Drop {
				bs[1], bs[8] = b.offsets(tt.offsets()), Whole(m)
			}
			add(b.op(tt.act(true), e.stepTrain, nil, tt.threads, bindAt(9, bs)...), true, false, false)
			return t
		}
		train := b.op(bnActProgram, e.stepTrain, ap, ap.threads, Whole(z), Whole(e.params), Whole(e.bufs), Whole(stats),
			Whole(t.out), Whole(t.argmax), Whole(m))
		evalOp := b.op(bnActProgram, e.stepEval, ap, ap.threads, Whole(z), Whole(e.params), Whole(e.bufs), Whole(stats),
			Whole(t.out), Whole(t.argmax), Whole(m))
		add(train, true, false, false)
		add(evalOp, false, true, true)
		return t
	}
	// backTail records the backward pass of a tail: dout → dz = ∂L/∂z. With BN the two BN
	// programs recompute the ReLU/dropout/pool gradient themselves (modes 1 and 2).
	backTail := func(t *tail, dout *Buffer) *Buffer {
		g := b.storage(fmt.Sprintf("layer %d dz", t.k), B*t.c*t.h*t.w)
		on, _, sc := dropParams(t.k)
		if t.k == 0 {
			on = 0
		}
		if on == 0 {
			sc = 1
		}
		if tt := t.tile; tt != nil {
			bs := map[int]Binding{2: Whole(dout), 3: Whole(t.out), 4: Whole(t.argmax), 9: Whole(g)}
			if tt.BN {
				parts := b.storage(fmt.Sprintf("bn%d backward parts", t.k), 2*tt.C*tt.slices(B))
				sums := b.storage(fmt.Sprintf("bn%d sums", t.k), 2*tt.C)
				back = append(back, b.op(tt.backSums(), e.stepTrain, nil, tt.threads, bindAt(8, map[int]Binding{2: Whole(dout),
					3: Whole(t.out), 4: Whole(t.argmax), 5: Whole(t.z), 6: Whole(e.bnStats[t.k]), 7: Whole(parts)})...))
				pp := bnBackwardPartsParams{C: uint32(tt.C), SPI: uint32(tt.slices(1)), GammaOff: uint32(tt.GammaOff), BetaOff: uint32(tt.BetaOff)}
				back = append(back, b.fixed(bnBackwardPartsProgram, e.stepTrain, pp, tt.C, Whole(parts), Whole(sums), Whole(e.grads)))
				bs[1], bs[5], bs[6], bs[7], bs[8] = b.offsets(tt.offsets()), Whole(t.z), Whole(e.bnStats[t.k]), Whole(sums), Whole(e.params)
			}
			back = append(back, b.op(tt.back(), e.stepTrain, nil, tt.threads, bindAt(10, bs)...))
			return g
		}
		if sp.bn[t.k] {
			mode := uint32(2)
			if t.act.Pool != 0 {
				mode = 1
			}
			e.backBN(b, &back, t.k, t.c, t.h, t.w, mode, sc, dout, t.out, t.argmax, t.z, g, dummyR)
			return g
		}
		bp := bnActBackParams{C: uint32(t.c), H: uint32(t.h), W: uint32(t.w), Relu: t.act.Relu, Pool: t.act.Pool, Drop: on, Scale: sc}
		back = append(back, b.op(bnActBackProgram, e.stepTrain, bp, bp.threads, Whole(dout), Whole(t.out), Whole(t.argmax), Whole(g)))
		return g
	}

	xin := e.x0
	if sp.bn[0] {
		xin = addTail(0, e.x0, 1, 32, 32, false, false, nil, nil).out
	}
	// predict writes x0 directly; bn0's eval op already reads x0.

	// conv1 → tail1 (pool), conv2 → tail2 (pool).
	z1 := b.storage("z1", B*6*28*28)
	// convLayer records conv tc (x → z) and its tail, layer k.
	convLayer := func(k int, tc tileConv, x, z *Buffer) *tail {
		parts := b.storage(fmt.Sprintf("conv%d stats parts", k), 2*tc.Cout*tc.statSlices(B))
		bs := []Binding{b.offsets(tc.forwardOffsets()), Whole(x), Whole(e.params), Whole(z), Whole(parts)}
		add(b.op(tc.forward(), e.stepTrain, nil, tc.forwardThreads, bs...), true, false, false)
		add(b.op(tc.forward(), e.stepEval, nil, tc.forwardThreads, bs...), false, true, true)
		return addTail(k, z, tc.Cout, tc.oh(), tc.ow(), true, true, &tc, parts)
	}
	c1 := tileConv{Cin: 1, H: 32, W: 32, Cout: 6, K: 5, Woff: e.poff["conv1.weight"]}
	t1 := convLayer(1, c1, xin, z1)
	z2 := b.storage("z2", B*16*10*10)
	c2 := tileConv{Cin: 6, H: 14, W: 14, Cout: 16, K: 5, Woff: e.poff["conv2.weight"]}
	t2 := convLayer(2, c2, t1.out, z2)

	// fc1..fc3.
	linear := func(name string, x *Buffer, in, out int) *Buffer {
		z := b.storage(name+" z", B*out)
		mp := matmulParams{M: uint32(B), N: uint32(out), K: uint32(in), Sam: uint32(in), Sak: 1, Sbk: 1, Sbn: uint32(in),
			Boff: uint32(e.poff[name+".weight"]), BiasOff: uint32(e.poff[name+".bias"]), HasBias: 1, BatchDim: 1}
		add(b.matmul(mp, e.stepTrain, Whole(x), Whole(e.params), Whole(e.params), Whole(z)), true, false, false)
		add(b.matmul(mp, e.stepEval, Whole(x), Whole(e.params), Whole(e.params), Whole(z)), false, true, true)
		return z
	}
	z3 := linear("fc1", t2.out, 400, 120)
	t3 := addTail(3, z3, 120, 1, 1, true, false, nil, nil)
	z4 := linear("fc2", t3.out, 120, 84)
	t4 := addTail(4, z4, 84, 1, 1, true, false, nil, nil)
	logits := linear("fc3", t4.out, 84, 10)

	// Loss.
	sm := softmaxParams{Classes: 10, Grad: 1}
	add(b.op(softmaxProgram, e.stepTrain, sm, func(n int) int { return n }, Whole(logits), Whole(e.labels), Whole(e.dlogits), Whole(lc)), true, false, false)
	sm.Grad = 0
	add(b.op(softmaxProgram, e.stepEval, sm, func(n int) int { return n }, Whole(logits), Whole(e.labels), Whole(e.dlogits), Whole(lc)), false, true, true)
	add(b.fixed(statsAccumProgram, e.stepTrain, nil, 1, Whole(lc), Whole(e.trainAcc)), true, false, false)
	add(b.fixed(statsAccumProgram, e.stepEval, nil, 1, Whole(lc), Whole(e.evalAcc)), false, true, false)

	// Backward: linear layers.
	linearBack := func(name string, dz, x *Buffer, in, out int, needDX bool) *Buffer {
		// dW = dzᵀ·x: A(i,kk) = dz[kk,i], B(kk,j) = x[kk,j].
		w := matmulParams{M: uint32(out), N: uint32(in), K: uint32(B), Sam: 1, Sak: uint32(out), Sbk: uint32(in), Sbn: 1,
			Coff: uint32(e.poff[name+".weight"]), BatchDim: 2}
		back = append(back, b.op(matmulProgram, e.stepTrain, w, w.threads, Whole(dz), Whole(x), Whole(e.params), Whole(e.grads)))
		bg := biasGradParams{C: uint32(out), Off: uint32(e.poff[name+".bias"])}
		back = append(back, b.op(biasGradProgram, e.stepTrain, bg, func(int) int { return out }, Whole(dz), Whole(e.grads)))
		if !needDX {
			return nil
		}
		dx := b.storage(name+" dx", B*in)
		// dx = dz·W: A = dz [n,out], B(kk,j) = W[kk,j].
		xp := matmulParams{M: uint32(B), N: uint32(in), K: uint32(out), Sam: uint32(out), Sak: 1, Sbk: uint32(in), Sbn: 1,
			Boff: uint32(e.poff[name+".weight"]), BatchDim: 1}
		back = append(back, b.matmul(xp, e.stepTrain, Whole(dz), Whole(e.params), Whole(e.params), Whole(dx)))
		return dx
	}
	da4 := linearBack("fc3", e.dlogits, t4.out, 84, 10, true)
	g4 := backTail(t4, da4)
	da3 := linearBack("fc2", g4, t3.out, 120, 84, true)
	g3 := backTail(t3, da3)
	dp2 := linearBack("fc1", g3, t2.out, 400, 120, true)
	g2 := backTail(t2, dp2)

	// weightGrads records tc's weight-gradient sums of dz against x, reduced into g at off.
	weightGrads := func(name string, tc tileConv, dz, x, g *Buffer, off int) {
		part := b.storage(name+" dw slices", tc.wgSlices(B)*tc.total())
		back = append(back, b.op(tc.weightGrad(), e.stepTrain, nil, tc.weightGradThreads, Binding{}, Whole(dz), Whole(x), Whole(part)))
		rp := reduceChunksParams{Total: uint32(tc.total()), Off: uint32(off), Chunk: tileChunk, Per: uint32(tc.oh() / tc.wgRows())}
		back = append(back, b.op(reduceChunksProgram, e.stepTrain, rp, func(int) int { return tc.total() }, Whole(part), Whole(g)))
	}
	weightGrads("conv2", c2, g2, t1.out, e.grads, c2.Woff)
	dp1 := b.storage("conv2 dx", B*6*14*14)
	back = append(back, b.op(c2.inputGrad(), e.stepTrain, nil, c2.inputGradThreads, b.offsets(c2.forwardOffsets()), Whole(g2), Whole(e.params), Whole(dp1)))
	g1 := backTail(t1, dp1)
	weightGrads("conv1", c1, g1, xin, e.grads, c1.Woff)
	if sp.bn[0] {
		// bn0 from conv1's weight-gradient sums against the raw input (see bn0_grad.wgsl).
		raw := b.storage("bn0 raw sums", c1.total())
		weightGrads("bn0 raw", c1, g1, e.x0, raw, 0)
		gp := bn0GradParams{Woff: uint32(e.poff["conv1.weight"]), Cout: 6, KK: 25,
			GammaOff: uint32(e.poff["bn0.weight"]), BetaOff: uint32(e.poff["bn0.bias"])}
		back = append(back, b.fixed(bn0GradProgram, nil, gp, 1, Whole(e.params), Whole(e.bnStats[0]), Whole(raw), Whole(e.grads)))
	}
	sg := sgdParams{Count: uint32(e.nparams), LR: e.cfg.LR, Momentum: e.cfg.Momentum, WD: e.cfg.WeightDecay}
	back = append(back, b.op(sgdProgram, nil, sg, func(int) int { return e.nparams }, Whole(e.params), Whole(e.grads), Whole(e.vel)))

	e.trainOps = append(F.train, back...)
	e.evalOps = F.eval
	e.predictOps = F.predict
	return b.err
}

// backBN records BN layer k's backward pass: from the tail's output gradient gin (mode 1: through
// pool, ReLU and dropout; 2: through ReLU and dropout) to dz, given the BN input z.
func (e *Engine) backBN(b *builder, back *[]*op, k, c, h, w int, mode uint32, scale float32, gin, out, argmax, z, dz, unused *Buffer) {
	if argmax == nil || mode != 1 {
		argmax = unused
	}
	sums := b.storage(fmt.Sprintf("bn%d sums", k), 2*c)
	bp := bnBackwardParams{C: uint32(c), H: uint32(h), W: uint32(w), GammaOff: uint32(e.poff[fmt.Sprintf("bn%d.weight", k)]),
		BetaOff: uint32(e.poff[fmt.Sprintf("bn%d.bias", k)]), Mode: mode, Scale: scale}
	if h*w == 1 {
		*back = append(*back, b.op(bnBackward1dProgram, e.stepTrain, bp, func(int) int { return c }, Whole(gin), Whole(out), Binding{}, Whole(z),
			Whole(e.bnStats[k]), Whole(sums), Whole(e.grads)))
	} else {
		*back = append(*back, b.fixed(bnBackwardProgram, e.stepTrain, bp, c, Whole(gin), Whole(out), Whole(argmax), Whole(z),
			Whole(e.bnStats[k]), Whole(sums), Whole(e.grads)))
	}
	ap := bnBackwardApplyParams{C: uint32(c), H: uint32(h), W: uint32(w), GammaOff: bp.GammaOff, Mode: mode, Scale: scale}
	*back = append(*back, b.op(bnBackwardApplyProgram, e.stepTrain, ap, ap.threads, Whole(gin), Whole(out), Whole(argmax), Whole(z),
		Whole(e.bnStats[k]), Whole(sums), Whole(e.params), Whole(dz)))
}

// Backend returns "webgpu".
func (e *Engine) Backend() string { return "webgpu" }

// Device returns the engine's device (adapter information, limits).
func (e *Engine) Device() *Device { return e.d }

func (e *Engine) writeStep(buf *Buffer, s stepUniform) {
	e.d.WriteU32(buf, 0, []uint32{s.Step, s.N, s.Base, s.Train})
}

// TrainBatch records and submits one SGD step on training images idx; it does not wait for it.
func (e *Engine) TrainBatch(idx []int32) error {
	if e.closed {
		return errors.New("gpu: engine is closed")
	}
	if e.train == nil {
		return errors.New("gpu: engine has no training set")
	}
	n := len(idx)
	if n < 1 || n > e.B {
		return fmt.Errorf("gpu: TrainBatch: %d images, want 1..%d", n, e.B)
	}
	if n < 2 && e.cfg.HasBN() {
		return errors.New("gpu: TrainBatch: BatchNorm needs at least 2 images per batch")
	}
	for _, i := range idx {
		if i < 0 || int(i) >= e.train.N {
			return fmt.Errorf("gpu: TrainBatch: image %d out of range [0, %d)", i, e.train.N)
		}
	}
	if err := e.d.Err(); err != nil {
		return err
	}
	e.d.Write(e.idx, 0, unsafe.Slice((*byte)(unsafe.Pointer(&idx[0])), 4*n))
	e.writeStep(e.stepTrain, stepUniform{Step: uint32(e.step), N: uint32(n), Train: 1})
	enc := e.d.NewEncoder()
	for _, o := range e.trainOps {
		o.encode(enc, n)
	}
	enc.Submit()
	e.LastDispatches = enc.Dispatches
	e.step++
	e.trained = true
	if e.inflight++; e.inflight >= maxInflight {
		e.inflight = 0
		return e.d.Sync()
	}
	return nil
}

func (e *Engine) readAcc(acc *Buffer) (loss float64, correct, n int, err error) {
	v, err := e.d.ReadF32(acc, 0, 4)
	if err != nil {
		return 0, 0, 0, err
	}
	e.d.WriteF32(acc, 0, []float32{0, 0, 0, 0})
	return float64(v[0]) - float64(v[1]), int(v[2]), int(v[3]), nil
}

// TakeTrainStats waits for the submitted steps and returns (and clears) their loss and accuracy sums.
func (e *Engine) TakeTrainStats() (nncore.TrainStats, error) {
	if e.closed {
		return nncore.TrainStats{}, errors.New("gpu: engine is closed")
	}
	l, c, n, err := e.readAcc(e.trainAcc)
	return nncore.TrainStats{LossSum: l, Correct: c, N: n}, err
}

// Evaluate runs eval mode over the first limit test images (0: all).
func (e *Engine) Evaluate(limit int) (nncore.EvalStats, error) {
	if e.closed {
		return nncore.EvalStats{}, errors.New("gpu: engine is closed")
	}
	if e.test == nil {
		return nncore.EvalStats{}, errors.New("gpu: engine has no test set")
	}
	total := e.test.N
	if limit > 0 && limit < total {
		total = limit
	}
	e.d.WriteF32(e.evalAcc, 0, []float32{0, 0, 0, 0})
	for lo := 0; lo < total; lo += e.B {
		n := min(e.B, total-lo)
		e.writeStep(e.stepEval, stepUniform{Step: uint32(e.step), N: uint32(n), Base: uint32(lo)})
		enc := e.d.NewEncoder()
		for _, o := range e.evalOps {
			o.encode(enc, n)
		}
		enc.Submit()
	}
	l, c, n, err := e.readAcc(e.evalAcc)
	return nncore.EvalStats{LossSum: l, Correct: c, N: n}, err
}

// Predict returns softmax probabilities [n,10] in eval mode for preprocessed input x [n,1,32,32].
func (e *Engine) Predict(x []float32, n int) ([]float32, error) {
	if e.closed {
		return nil, errors.New("gpu: engine is closed")
	}
	if n < 0 || len(x) != n*1024 {
		return nil, fmt.Errorf("gpu: Predict: %d floats for %d images, want %d", len(x), n, n*1024)
	}
	probs := make([]float32, n*10)
	zeros := make([]uint32, e.B)
	for lo := 0; lo < n; lo += e.B {
		k := min(e.B, n-lo)
		e.d.WriteF32(e.x0, 0, x[lo*1024:(lo+k)*1024])
		e.d.WriteU32(e.labels, 0, zeros[:k])
		e.writeStep(e.stepEval, stepUniform{Step: uint32(e.step), N: uint32(k)})
		enc := e.d.NewEncoder()
		for _, o := range e.predictOps {
			o.encode(enc, k)
		}
		enc.Submit()
		p, err := e.d.ReadF32(e.dlogits, 0, k*10)
		if err != nil {
			return nil, err
		}
		copy(probs[lo*10:], p)
	}
	return probs, nil
}

// Snapshot reads back the BN parameters and statistics and the first sample's dropout masks of the
// last training step (batch statistics and masks are empty before the first step), with one wait.
func (e *Engine) Snapshot() (*nncore.Snapshot, error) {
	if e.closed {
		return nil, errors.New("gpu: engine is closed")
	}
	var reqs []ReadReq
	f32 := func(b *Buffer, off, n int) []float32 {
		v := make([]float32, n)
		reqs = append(reqs, ReadReq{b, 4 * off, f32Bytes(v)})
		return v
	}
	s := &nncore.Snapshot{Step: e.step}
	for k := 0; k < 5; k++ {
		if !e.spec.bn[k] {
			continue
		}
		c := bnChannels[k]
		bs := nncore.BNSnapshot{Name: fmt.Sprintf("bn%d", k),
			Gamma:       f32(e.params, e.poff[fmt.Sprintf("bn%d.weight", k)], c),
			Beta:        f32(e.params, e.poff[fmt.Sprintf("bn%d.bias", k)], c),
			RunningMean: f32(e.bufs, e.boff[fmt.Sprintf("bn%d.running_mean", k)], c),
			RunningVar:  f32(e.bufs, e.boff[fmt.Sprintf("bn%d.running_var", k)], c)}
		if e.trained {
			bs.BatchMean = f32(e.bnStats[k], 0, c)
			bs.BatchVar = f32(e.bnStats[k], c, c)
		}
		s.BN = append(s.BN, bs)
	}
	var raws [][]byte
	if e.trained {
		for k := 0; k < 5; k++ {
			if e.spec.drop[k] == 0 {
				continue
			}
			raw := make([]byte, 4*size(dropShapes[k]))
			reqs = append(reqs, ReadReq{e.masks[k], 0, raw})
			raws = append(raws, raw)
			s.Masks = append(s.Masks, nncore.MaskSnapshot{Name: fmt.Sprintf("drop%d", k), Shape: clone(dropShapes[k]), P: e.spec.drop[k]})
		}
	}
	if err := e.d.ReadMany(reqs); err != nil {
		return nil, err
	}
	for i, raw := range raws {
		keep := make([]byte, len(raw)/4)
		for j := range keep {
			keep[j] = raw[4*j]
		}
		s.Masks[i].Keep = keep
	}
	return s, nil
}

var (
	bnChannels = [5]int{1, 6, 16, 120, 84}
	dropShapes = [5][]int{{1, 32, 32}, {6, 28, 28}, {16, 10, 10}, {120}, {84}}
)

func clone[S ~[]E, E any](s S) S { return append(S(nil), s...) }

// State reads back the parameters, running statistics and velocity, with one wait.
func (e *Engine) State() (*nncore.State, error) {
	if e.closed {
		return nil, errors.New("gpu: engine is closed")
	}
	p := make([]float32, e.nparams)
	reqs := []ReadReq{{e.params, 0, f32Bytes(p)}}
	var v []float32
	if e.cfg.Momentum > 0 {
		v = make([]float32, e.nparams)
		reqs = append(reqs, ReadReq{e.vel, 0, f32Bytes(v)})
	}
	bv := make([]float32, e.bufs.Size/4)
	if len(e.bufNames) > 0 {
		reqs = append(reqs, ReadReq{e.bufs, 0, f32Bytes(bv)})
	}
	if err := e.d.ReadMany(reqs); err != nil {
		return nil, err
	}
	st := &nncore.State{Step: e.step}
	o := 0
	for _, t := range e.names {
		n := size(t.Shape)
		st.Params = append(st.Params, nncore.Tensor{Name: t.Name, Shape: clone(t.Shape), Data: p[o : o+n : o+n]})
		if v != nil {
			st.Velocity = append(st.Velocity, nncore.Tensor{Name: t.Name, Shape: clone(t.Shape), Data: v[o : o+n : o+n]})
		}
		o += n
	}
	o = 0
	for _, t := range e.bufNames {
		n := size(t.Shape)
		st.Buffers = append(st.Buffers, nncore.Tensor{Name: t.Name, Shape: clone(t.Shape), Data: bv[o : o+n : o+n]})
		o += n
	}
	return st, nil
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Close destroys the engine's buffers (the shared device, its pipelines and the uploaded data sets
// stay for the next engine; see ReleaseCachedSets).
// Sync waits until the GPU has finished the steps submitted so far. The trainer calls it before a
// readback it times as something else (a live-view frame): the wait is training, not the frame.
func (e *Engine) Sync() error { return e.d.Sync() }

func (e *Engine) Close() {
	if e.closed {
		return
	}
	e.closed = true
	for _, b := range e.all {
		b.Destroy()
	}
	e.all = nil
	e.releaseSets()
	e.trainOps, e.evalOps, e.predictOps = nil, nil, nil
}
