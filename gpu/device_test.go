//go:build js

package gpu

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
)

// TestDevice opens the device where the test runs (cmd/wasmtest runs it on the page and in a
// dedicated worker, where the trainer runs) and checks what it reports.
func TestDevice(t *testing.T) {
	d := openDevice(t)
	t.Logf("context %q: adapter %s; limits %v", os.Getenv("WASMTEST"), d.Info, d.Limits)
	if d.Info.String() == "" {
		t.Error("empty adapter description")
	}
	if d.Limits["maxStorageBufferBindingSize"] < 60000*784 {
		t.Errorf("maxStorageBufferBindingSize %d cannot hold the training set", d.Limits["maxStorageBufferBindingSize"])
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	// A shader error comes back as an error with the compiler's message.
	_, err := d.Pipeline("broken", commonWGSL+"@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }")
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("compiling a broken shader: err = %v, want a compile error naming it", err)
	}
	d.Err() // clear the validation error the broken pipeline left
}

func TestErrorReason(t *testing.T) {
	var err error = &Error{Reason: ReasonNoAdapter, Msg: "x"}
	var ge *Error
	if !errors.As(err, &ge) || ge.Reason != ReasonNoAdapter || err.Error() != "gpu: no-adapter: x" {
		t.Errorf("Error = %v", err)
	}
	a := AdapterInfo{Vendor: "google", Architecture: "swiftshader", IsFallbackAdapter: true}
	if a.String() != "google swiftshader (fallback adapter)" {
		t.Errorf("AdapterInfo.String() = %q", a.String())
	}
}

var structRE = regexp.MustCompile(`(?s)struct Params \{(.*?)\n\}`)
var fieldRE = regexp.MustCompile(`(\w+)\s*:\s*(\w+)\s*,`)

// TestUniformLayout checks every program's Go Params struct against its WGSL struct: same fields in
// the same order with the same 32-bit types, and a size that is a multiple of 16 bytes.
func TestUniformLayout(t *testing.T) {
	progs := []*program{reduceChunksProgram, bn0GradProgram, bnStatsPartsProgram, bnStats1dProgram, bnBackward1dProgram,
		matmulProgram, biasGradProgram, bnStatsProgram, bnActProgram, bnActBackProgram, bnBackwardProgram,
		bnBackwardApplyProgram, softmaxProgram, sgdProgram, statsAccumProgram}
	goType := map[string]reflect.Kind{"u32": reflect.Uint32, "f32": reflect.Float32, "i32": reflect.Int32}
	for _, p := range progs {
		m := structRE.FindStringSubmatch(p.src)
		if p.params == nil {
			if m != nil {
				t.Errorf("%s: WGSL has Params but Go has none", p.name)
			}
			continue
		}
		if m == nil {
			t.Errorf("%s: no struct Params in the WGSL", p.name)
			continue
		}
		fields := fieldRE.FindAllStringSubmatch(m[1], -1)
		rt := reflect.TypeOf(p.params)
		if rt.NumField() != len(fields) {
			t.Errorf("%s: Go has %d fields, WGSL %d", p.name, rt.NumField(), len(fields))
			continue
		}
		for i, f := range fields {
			gf := rt.Field(i)
			if strings.ToLower(gf.Name) != strings.ReplaceAll(f[1], "_", "") || gf.Type.Kind() != goType[f[2]] || gf.Offset != uintptr(4*i) {
				t.Errorf("%s: field %d is Go %s %s at %d, WGSL %s: %s at %d", p.name, i, gf.Name, gf.Type, gf.Offset, f[1], f[2], 4*i)
			}
		}
		if rt.Size()%16 != 0 || len(uniformBytes(p.params)) != int(rt.Size()) {
			t.Errorf("%s: Params is %d bytes, not a multiple of 16", p.name, rt.Size())
		}
	}
}

// TestEngineCloseReleases builds, uses and closes 20 engines in a row: every GPU buffer but the
// shared data sets must be destroyed, and the Go heap must not grow with the number of runs.
func TestEngineCloseReleases(t *testing.T) {
	d := openDevice(t)
	train, test := synthSet(64, 1), synthSet(32, 2)
	cfg := nncore.DefaultConfig()
	cfg.Variant, cfg.Batch = nncore.BNDropout, 8
	base := -1 // after the first run: the data sets stay uploaded for the next engines
	idx := make([]int32, 8)
	for i := range idx {
		idx[i] = int32(i)
	}
	var heap [2]uint64
	for run := 0; run < 20; run++ {
		e, err := NewEngine(cfg, nncore.InitState(cfg), train, test)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.TrainBatch(idx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.TakeTrainStats(); err != nil {
			t.Fatal(err)
		}
		e.Close()
		e.Close()
		if err := e.TrainBatch(idx); err == nil {
			t.Fatal("TrainBatch after Close did not fail")
		}
		if base < 0 {
			base = d.LiveBuffers()
		}
		if got := d.LiveBuffers(); got != base {
			t.Fatalf("run %d: %d live buffers after Close, want %d", run, got, base)
		}
		if run == 4 || run == 19 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap[run/19] = ms.HeapAlloc
		}
	}
	if heap[1] > heap[0]+4<<20 {
		t.Errorf("Go heap grew from %d to %d bytes over 15 runs", heap[0], heap[1])
	}
	t.Logf("heap after run 5: %d KiB, after run 20: %d KiB", heap[0]>>10, heap[1]>>10)
}

// TestEngineTooLarge asks for a batch whose buffers exceed the device's binding limit: NewEngine
// must fail with a reason, and the next engine must build.
func TestEngineTooLarge(t *testing.T) {
	d := openDevice(t)
	cfg := nncore.DefaultConfig()
	cfg.Batch = d.Limits["maxStorageBufferBindingSize"]/(4*6*28*28) + 1
	if cfg.Batch > 65536 {
		t.Skipf("the device binds %d bytes: no valid batch exceeds it", d.Limits["maxStorageBufferBindingSize"])
	}
	_, err := NewEngine(cfg, nncore.InitState(cfg), nil, nil)
	var ge *Error
	if !errors.As(err, &ge) || ge.Reason != ReasonNoDevice {
		t.Fatalf("batch %d: err = %v, want a no-device Error", cfg.Batch, err)
	}
	cfg.Batch = 8
	e, err := NewEngine(cfg, nncore.InitState(cfg), nil, nil)
	if err != nil {
		t.Fatalf("after a failed build: %v", err)
	}
	e.Close()
}

// TestSetCache checks that engines share an uploaded data set and that unused sets are freed.
func TestSetCache(t *testing.T) {
	d := openDevice(t)
	ReleaseCachedSets()
	base := d.LiveBuffers()
	cfg := nncore.DefaultConfig()
	cfg.Batch = 8
	train := synthSet(16, 3)
	a, err := NewEngine(cfg, nncore.InitState(cfg), train, nil)
	if err != nil {
		t.Fatal(err)
	}
	n1 := d.LiveBuffers()
	b, err := NewEngine(cfg, nncore.InitState(cfg), train, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.LiveBuffers() - n1; got != n1-base-2 {
		t.Errorf("second engine on the same set made %d buffers, want %d (no second upload)", got, n1-base-2)
	}
	a.Close()
	ReleaseCachedSets() // b still trains on the set: it must stay
	if err := b.TrainBatch([]int32{0, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.TakeTrainStats(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	ReleaseCachedSets()
	if got := d.LiveBuffers(); got != base {
		t.Errorf("%d live buffers after closing both engines and releasing the sets, want %d", got, base)
	}
}
