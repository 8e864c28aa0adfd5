//go:build js

package gpu

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"
	"unsafe"
)

// Reasons an Error gives for not training on the GPU.
const (
	ReasonNoWebGPU   = "no-webgpu"   // navigator.gpu is missing (browser or context without WebGPU)
	ReasonNoAdapter  = "no-adapter"  // requestAdapter gave null (WebGPU blocklisted or disabled)
	ReasonNoDevice   = "no-device"   // requestDevice failed (limits, out of memory)
	ReasonDeviceLost = "device-lost" // the device was lost (driver reset, tab in background, destroy)
	ReasonGPUError   = "gpu-error"   // a validation or out-of-memory error from the device
)

// Error says why the WebGPU engine cannot run; Reason is one of the Reason constants and Msg says
// what happened in words a user can act on.
type Error struct {
	Reason string
	Msg    string
}

func (e *Error) Error() string { return "gpu: " + e.Reason + ": " + e.Msg }

// AdapterInfo describes the adapter the device came from.
type AdapterInfo struct {
	Vendor, Architecture, Device, Description string
	IsFallbackAdapter                         bool
}

func (a AdapterInfo) String() string {
	parts := []string{}
	for _, s := range []string{a.Vendor, a.Architecture, a.Device, a.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, " ")
	if s == "" {
		s = "unknown adapter"
	}
	if a.IsFallbackAdapter {
		s += " (fallback adapter)"
	}
	return s
}

// Buffer usage flags (GPUBufferUsage).
const (
	UsageMapRead  = 0x0001
	UsageCopySrc  = 0x0004
	UsageCopyDst  = 0x0008
	UsageUniform  = 0x0040
	UsageStorage  = 0x0080
	usageMapReadF = 1 // GPUMapMode.READ
)

// Device is an open WebGPU device with its queue, a pipeline cache and byte scratch space.
// Its methods must not be called from inside a js.FuncOf callback (they await promises).
type Device struct {
	Info   AdapterInfo
	Limits map[string]int

	dev, queue js.Value
	pipelines  map[string]js.Value
	pending    map[string]pendingPipeline // compilations started by Precompile
	// CompileLog, when set, is told each pipeline compiled and how long Pipeline waited for it.
	CompileLog func(label string, ms float64)
	scratch    js.Value // Uint8Array reused by Write
	u8         js.Value // the Uint8Array constructor
	live       int      // buffers created and not destroyed

	mu       sync.Mutex
	lostMsg  string
	firstErr string
	funcs    []js.Func
}

// Await waits for promise p and returns its value or its rejection as an error. It blocks the
// calling goroutine, so it must not run inside a js.FuncOf callback.
func Await(p js.Value) (js.Value, error) {
	type res struct {
		v   js.Value
		err error
	}
	ch := make(chan res, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- res{v: v}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			msg = jsErrorString(args[0])
		}
		ch <- res{err: errors.New(msg)}
		return nil
	})
	p.Call("then", then, catch)
	r := <-ch
	then.Release()
	catch.Release()
	return r.v, r.err
}

func jsErrorString(v js.Value) string {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString {
			return m.String()
		}
	}
	return v.Call("toString").String()
}

// Open requests an adapter (fallback adapters are welcome: a software adapter is all some
// machines have) and a device with the limits the engine needs.
func Open() (*Device, error) {
	gpu := js.Global().Get("navigator").Get("gpu")
	if gpu.IsUndefined() || gpu.IsNull() {
		return nil, &Error{ReasonNoWebGPU, "this browser has no WebGPU (navigator.gpu is missing); use a recent Chrome or Edge, or enable WebGPU"}
	}
	ad, err := Await(gpu.Call("requestAdapter"))
	if err != nil {
		return nil, &Error{ReasonNoAdapter, "requestAdapter failed: " + err.Error()}
	}
	if ad.IsNull() || ad.IsUndefined() {
		return nil, &Error{ReasonNoAdapter, "the browser offers no WebGPU adapter (GPU blocklisted or WebGPU disabled)"}
	}
	d := &Device{pipelines: map[string]js.Value{}, Limits: map[string]int{}, u8: js.Global().Get("Uint8Array")}
	info := ad.Get("info")
	if info.IsUndefined() && ad.Get("requestAdapterInfo").Type() == js.TypeFunction {
		info, _ = Await(ad.Call("requestAdapterInfo"))
	}
	str := func(v js.Value, k string) string {
		if v.Type() != js.TypeObject {
			return ""
		}
		if s := v.Get(k); s.Type() == js.TypeString {
			return s.String()
		}
		return ""
	}
	d.Info = AdapterInfo{Vendor: str(info, "vendor"), Architecture: str(info, "architecture"),
		Device: str(info, "device"), Description: str(info, "description")}
	if info.Type() == js.TypeObject && info.Get("isFallbackAdapter").Truthy() || ad.Get("isFallbackAdapter").Truthy() {
		d.Info.IsFallbackAdapter = true
	}
	// Ask for the adapter's largest buffers (the training set is one 47 MB buffer) and a few more
	// storage buffers per stage than the default 8; never more than the adapter has.
	want := map[string]int{"maxStorageBufferBindingSize": 1 << 30, "maxBufferSize": 1 << 30, "maxStorageBuffersPerShaderStage": 10}
	lim := ad.Get("limits")
	req := js.Global().Get("Object").New()
	for k, v := range want {
		if a := lim.Get(k); a.Type() == js.TypeNumber {
			req.Set(k, min(v, a.Int()))
		}
	}
	desc := js.Global().Get("Object").New()
	desc.Set("requiredLimits", req)
	dev, err := Await(ad.Call("requestDevice", desc))
	if err != nil {
		return nil, &Error{ReasonNoDevice, "requestDevice failed: " + err.Error()}
	}
	d.dev, d.queue = dev, dev.Get("queue")
	for _, k := range []string{"maxStorageBufferBindingSize", "maxBufferSize", "maxStorageBuffersPerShaderStage",
		"maxComputeWorkgroupsPerDimension", "maxComputeInvocationsPerWorkgroup", "minStorageBufferOffsetAlignment",
		"minUniformBufferOffsetAlignment"} {
		if v := dev.Get("limits").Get(k); v.Type() == js.TypeNumber {
			d.Limits[k] = v.Int()
		}
	}
	lost := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "device lost"
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			msg = fmt.Sprintf("device lost (%s): %s", args[0].Get("reason").String(), args[0].Get("message").String())
		}
		d.mu.Lock()
		d.lostMsg = msg
		d.mu.Unlock()
		return nil
	})
	uncaptured := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "uncaptured GPU error"
		if len(args) > 0 {
			if e := args[0].Get("error"); e.Type() == js.TypeObject {
				msg = e.Get("message").String()
			}
		}
		d.mu.Lock()
		if d.firstErr == "" {
			d.firstErr = msg
		}
		d.mu.Unlock()
		return nil
	})
	d.funcs = append(d.funcs, lost, uncaptured)
	dev.Get("lost").Call("then", lost)
	dev.Call("addEventListener", "uncapturederror", uncaptured)
	return d, nil
}

// Err returns an *Error if the device was lost (every later call says so too) or reported a
// validation or out-of-memory error since the previous call (reported once).
func (d *Device) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lostMsg != "" {
		return &Error{ReasonDeviceLost, d.lostMsg}
	}
	if d.firstErr != "" {
		msg := d.firstErr
		d.firstErr = ""
		return &Error{ReasonGPUError, msg}
	}
	return nil
}

// Lost reports whether the device was lost.
func (d *Device) Lost() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lostMsg != ""
}

// Destroy destroys the device; its buffers and pipelines become invalid.
func (d *Device) Destroy() {
	if d.dev.Truthy() {
		d.dev.Call("destroy")
	}
	for _, f := range d.funcs {
		f.Release()
	}
	d.funcs = nil
	d.pipelines = map[string]js.Value{}
}

// LiveBuffers is the number of buffers created on d and not yet destroyed.
func (d *Device) LiveBuffers() int { return d.live }

// Buffer is a GPU buffer of Size bytes.
type Buffer struct {
	v     js.Value
	Size  int
	Label string
	d     *Device
}

// NewBuffer creates a buffer of size bytes (rounded up to 4) with the given usage flags.
func (d *Device) NewBuffer(label string, size, usage int) *Buffer {
	size = max(4, (size+3)&^3)
	desc := js.Global().Get("Object").New()
	desc.Set("label", label)
	desc.Set("size", size)
	desc.Set("usage", usage)
	d.live++
	return &Buffer{v: d.dev.Call("createBuffer", desc), Size: size, Label: label, d: d}
}

// Destroy frees the buffer's memory now. It is safe to call twice.
func (b *Buffer) Destroy() {
	if b == nil || b.v.IsUndefined() {
		return
	}
	b.v.Call("destroy")
	b.v = js.Undefined()
	b.d.live--
}

// Write queues a write of data into b at byte offset off (both multiples of 4).
func (d *Device) Write(b *Buffer, off int, data []byte) {
	if len(data) == 0 {
		return
	}
	if len(data) > 4<<20 {
		// A one-off upload (a data set): a temporary array, so that the device does not keep
		// tens of megabytes of scratch alive.
		tmp := d.u8.New(len(data))
		js.CopyBytesToJS(tmp, data)
		d.queue.Call("writeBuffer", b.v, off, tmp, 0, len(data))
		return
	}
	if d.scratch.IsUndefined() || d.scratch.Get("length").Int() < len(data) {
		d.scratch = d.u8.New(max(len(data), 1<<16))
	}
	js.CopyBytesToJS(d.scratch, data)
	d.queue.Call("writeBuffer", b.v, off, d.scratch, 0, len(data))
}

// WriteF32 queues a write of float32 values into b at byte offset off.
func (d *Device) WriteF32(b *Buffer, off int, v []float32) { d.Write(b, off, f32Bytes(v)) }

// WriteU32 queues a write of uint32 values into b at byte offset off.
func (d *Device) WriteU32(b *Buffer, off int, v []uint32) {
	if len(v) == 0 {
		return
	}
	d.Write(b, off, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
}

func f32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// Read copies size bytes of b from byte offset off back to the CPU, after all queued work.
func (d *Device) Read(b *Buffer, off, size int) ([]byte, error) {
	out := make([]byte, size)
	err := d.ReadMany([]ReadReq{{b, off, out}})
	return out, err
}

// ReadReq asks for len(Dst) bytes of Buf from byte offset Off.
type ReadReq struct {
	Buf *Buffer
	Off int
	Dst []byte
}

// ReadMany reads several ranges with one staging buffer and one wait.
func (d *Device) ReadMany(reqs []ReadReq) error {
	total := 0
	for _, r := range reqs {
		total += (len(r.Dst) + 3) &^ 3
	}
	if total == 0 {
		return d.Err()
	}
	st := d.NewBuffer("readback", total, UsageMapRead|UsageCopyDst)
	defer st.Destroy()
	enc := d.dev.Call("createCommandEncoder")
	o := 0
	for _, r := range reqs {
		n := (len(r.Dst) + 3) &^ 3
		enc.Call("copyBufferToBuffer", r.Buf.v, r.Off, st.v, o, n)
		o += n
	}
	d.queue.Call("submit", []any{enc.Call("finish")})
	if _, err := Await(st.v.Call("mapAsync", usageMapReadF)); err != nil {
		if e := d.Err(); e != nil {
			return e
		}
		return &Error{ReasonGPUError, "mapAsync: " + err.Error()}
	}
	view := d.u8.New(st.v.Call("getMappedRange"))
	o = 0
	for _, r := range reqs {
		js.CopyBytesToGo(r.Dst, view.Call("subarray", o, o+len(r.Dst)))
		o += (len(r.Dst) + 3) &^ 3
	}
	st.v.Call("unmap")
	return d.Err()
}

// ReadF32 reads n float32 values of b from element offset off.
func (d *Device) ReadF32(b *Buffer, off, n int) ([]float32, error) {
	out := make([]float32, n)
	err := d.ReadMany([]ReadReq{{b, 4 * off, f32Bytes(out)}})
	return out, err
}

// Sync waits until the queue has finished all submitted work.
func (d *Device) Sync() error {
	if _, err := Await(d.queue.Call("onSubmittedWorkDone")); err != nil {
		return &Error{ReasonGPUError, err.Error()}
	}
	return d.Err()
}

// Pipeline compiles (once per source text) a compute pipeline with entry point "main" and an
// automatic layout. Compilation errors come back with the shader's messages.
func (d *Device) Pipeline(label, code string) (js.Value, error) {
	if p, ok := d.pipelines[code]; ok {
		return p, nil
	}
	pend, ok := d.pending[code]
	if !ok {
		d.Precompile(label, code)
		pend = d.pending[code]
	}
	delete(d.pending, code)
	t0 := js.Global().Get("performance").Call("now").Float()
	defer func() {
		if d.CompileLog != nil {
			d.CompileLog(label, js.Global().Get("performance").Call("now").Float()-t0)
		}
	}()
	mod := pend.mod
	info, err := Await(mod.Call("getCompilationInfo"))
	if err == nil {
		var msgs []string
		ms := info.Get("messages")
		for i := 0; i < ms.Length(); i++ {
			m := ms.Index(i)
			if m.Get("type").String() == "error" {
				msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s", label, m.Get("lineNum").Int(), m.Get("linePos").Int(), m.Get("message").String()))
			}
		}
		if len(msgs) > 0 {
			return js.Value{}, fmt.Errorf("gpu: compiling %s:\n%s", label, strings.Join(msgs, "\n"))
		}
	}
	p, err := Await(pend.pipe)
	if err != nil {
		return js.Value{}, fmt.Errorf("gpu: pipeline %s: %v", label, err)
	}
	d.pipelines[code] = p
	return p, nil
}

// pendingPipeline is a pipeline whose compilation Precompile started.
type pendingPipeline struct {
	mod  js.Value // the shader module
	pipe js.Value // the promise of createComputePipelineAsync
}

// Precompile starts compiling the pipeline Pipeline(label, code) will return, without waiting:
// the browser compiles pipelines started together on several threads.
func (d *Device) Precompile(label, code string) {
	if _, ok := d.pipelines[code]; ok {
		return
	}
	if _, ok := d.pending[code]; ok {
		return
	}
	if d.pending == nil {
		d.pending = map[string]pendingPipeline{}
	}
	md := js.Global().Get("Object").New()
	md.Set("label", label)
	md.Set("code", code)
	mod := d.dev.Call("createShaderModule", md)
	pd := js.Global().Get("Object").New()
	pd.Set("label", label)
	pd.Set("layout", "auto")
	cs := js.Global().Get("Object").New()
	cs.Set("module", mod)
	cs.Set("entryPoint", "main")
	pd.Set("compute", cs)
	pipe := d.dev.Call("createComputePipelineAsync", pd)
	// Pipeline may return the module's compile errors without awaiting the pipeline: mark its
	// rejection handled, or the page reports an unhandled rejection.
	pipe.Call("catch", ignoreRejection)
	d.pending[code] = pendingPipeline{mod: mod, pipe: pipe}
}

// ignoreRejection is a promise rejection handler that does nothing (see Precompile).
var ignoreRejection = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// Binding is one buffer range bound at the binding index equal to its position.
type Binding struct {
	Buf       *Buffer
	Off, Size int // Size 0 = to the end
}

// Whole binds all of b.
func Whole(b *Buffer) Binding { return Binding{Buf: b} }

// BindGroup creates bind group 0 of pipeline p from bindings numbered 0, 1, ...
func (d *Device) BindGroup(p js.Value, bs ...Binding) js.Value {
	entries := make([]any, 0, len(bs))
	for i, b := range bs {
		if b.Buf == nil {
			continue // a binding the program does not declare (see bakeParams)
		}
		res := js.Global().Get("Object").New()
		res.Set("buffer", b.Buf.v)
		res.Set("offset", b.Off)
		size := b.Size
		if size == 0 {
			size = b.Buf.Size - b.Off
		}
		res.Set("size", size)
		e := js.Global().Get("Object").New()
		e.Set("binding", i)
		e.Set("resource", res)
		entries = append(entries, e)
	}
	desc := js.Global().Get("Object").New()
	desc.Set("layout", p.Call("getBindGroupLayout", 0))
	desc.Set("entries", entries)
	return d.dev.Call("createBindGroup", desc)
}

// Encoder records compute dispatches into one compute pass of one command encoder.
type Encoder struct {
	d          *Device
	enc, pass  js.Value
	Dispatches int
	lastPipe   js.Value
}

// NewEncoder begins recording.
func (d *Device) NewEncoder() *Encoder {
	enc := d.dev.Call("createCommandEncoder")
	return &Encoder{d: d, enc: enc, pass: enc.Call("beginComputePass")}
}

// Dispatch records one dispatch of pipeline p with bind group bg.
func (e *Encoder) Dispatch(p, bg js.Value, x, y, z int) {
	if x == 0 || y == 0 || z == 0 {
		return
	}
	if !p.Equal(e.lastPipe) {
		e.pass.Call("setPipeline", p)
		e.lastPipe = p
	}
	e.pass.Call("setBindGroup", 0, bg)
	e.pass.Call("dispatchWorkgroups", x, y, z)
	e.Dispatches++
}

// Copy ends the compute pass if needed... copies are recorded between passes.
func (e *Encoder) Copy(src *Buffer, srcOff int, dst *Buffer, dstOff, size int) {
	e.pass.Call("end")
	e.enc.Call("copyBufferToBuffer", src.v, srcOff, dst.v, dstOff, size)
	e.pass = e.enc.Call("beginComputePass")
	e.lastPipe = js.Value{}
}

// Submit ends the pass and submits the work.
func (e *Encoder) Submit() {
	e.pass.Call("end")
	e.d.queue.Call("submit", []any{e.enc.Call("finish")})
}
