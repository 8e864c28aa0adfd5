//go:build !js

// Package browsertest drives the visualization iframe (wasm/viz, static/viz.html) in headless
// Chromium: it builds viz.wasm, trains a small model natively, posts a VizFrame over a MessagePort
// and a VizModel, draws digits with window.__vizDraw and checks the pad's probabilities against the
// same computation done natively. It runs with LENETLAB_E2E=1 (about a minute):
//
//	LENETLAB_E2E=1 go test ./wasm/viz/browsertest/
package browsertest

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/lenetlab/lenetlab/viz"
)

// site writes viz.html, wasm_exec.js and a freshly built viz.wasm into a temporary folder.
func site(t *testing.T) string {
	dir := t.TempDir()
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec.js"), "wasm_exec.js")
	copyFile(filepath.Join("..", "..", "..", "static", "viz.html"), "viz.html")
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "viz.wasm"), "..")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building viz.wasm: %v\n%s", err, out)
	}
	return dir
}

// trained returns a standard-bn model after 300 SGD steps on MNIST, the dropout masks of one step of
// a bn-dropout model (for the frame's mask views) and the test set.
func trained(t *testing.T) (nncore.Config, *nncore.State, []nncore.MaskSnapshot, *mnist.Set) {
	train, test, err := mnist.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	cfg := nncore.DefaultConfig()
	cfg.Batch = 64
	eng, err := nncore.NewCPUEngine(cfg, nncore.InitState(cfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	perm := rand.New(rand.NewPCG(1, 2)).Perm(train.N)
	idx := make([]int32, cfg.Batch)
	for s := range 300 {
		for i := range idx {
			idx[i] = int32(perm[s*cfg.Batch+i])
		}
		if err := eng.TrainBatch(idx); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := eng.State()
	dcfg := cfg
	dcfg.Variant = nncore.BNDropout
	deng, err := nncore.NewCPUEngine(dcfg, nncore.InitState(dcfg), train, test)
	if err != nil {
		t.Fatal(err)
	}
	if err := deng.TrainBatch(idx); err != nil {
		t.Fatal(err)
	}
	snap, _ := deng.Snapshot()
	if len(snap.Masks) != 5 {
		t.Fatalf("bn-dropout snapshot has %d masks, want 5", len(snap.Masks))
	}
	return cfg, st, snap.Masks, test
}

// nativeProbs draws strokes on a pad and runs the model as the iframe does.
func nativeProbs(cfg nncore.Config, st *nncore.State, strokes [][][2]float64) []float32 {
	p := viz.NewPad(viz.PadSide)
	for _, s := range strokes {
		for i := range s {
			a := s[max(i-1, 0)]
			p.Stroke(a[0], a[1], s[i][0], s[i][1], viz.PadBrush)
		}
	}
	x := make([]float32, mnist.Pixels)
	cfg.Preprocess().Image(x, p.Digit())
	return nncore.RunProbe(cfg, st, x, 1, false).Probs
}

func TestVizIframe(t *testing.T) {
	if os.Getenv("LENETLAB_E2E") != "1" {
		t.Skip("browser tests run with LENETLAB_E2E=1")
	}
	exe := os.Getenv("LENETLAB_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(exe); err != nil {
		t.Fatalf("chromium not found at %s: %v", exe, err)
	}
	dir := site(t)
	cfg, st, masks, test := trained(t)
	probe := make([]float32, 16*mnist.Pixels)
	idx := make([]int32, 16)
	for i := range idx {
		idx[i] = int32(i)
	}
	cfg.Preprocess().Fill(probe, test, idx)
	frame, err := protocol.MarshalViz(protocol.NewVizFrame("standard-bn", 1, cfg, st, masks, probe, test.Labels[:16]))
	if err != nil {
		t.Fatal(err)
	}
	model, _ := protocol.MarshalViz(protocol.NewVizModel("standard-bn #1", cfg, st))
	frameJS, _ := json.Marshal(string(frame))
	modelJS, _ := json.Marshal(string(model))

	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("enable-unsafe-swiftshader", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1300, 950))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	eval := func(expr string, out any) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if out != nil {
			if err := json.Unmarshal(v, out); err != nil {
				t.Fatalf("%s: %v (%s)", expr, err, v)
			}
		}
	}
	poll := func(expr string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(90*time.Second))); err != nil {
			var e string
			eval(`String(window.__vizError || "")`, &e)
			t.Fatalf("waiting for %s: %v (__vizError %q)", expr, err, e)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/viz.html")); err != nil {
		t.Fatal(err)
	}
	poll(`window.__vizReady === true`)

	// The page hands over a MessagePort; frames and models arrive on it.
	// The view acks each frame it has drawn on the port, with the time it took.
	eval(`(() => { const ch = new MessageChannel(); window.postMessage({type: "viz-port"}, "*", [ch.port2]);
		window.__acks = []; ch.port1.onmessage = (e) => window.__acks.push(JSON.parse(e.data));
		window.__testPort = ch.port1; ch.port1.postMessage(`+string(frameJS)+`); return 0; })()`, nil)
	poll(`window.__vizFrames >= 1`)
	poll(`window.__acks.length >= 1`)
	var acks []protocol.VizAck
	eval(`window.__acks`, &acks)
	if a := acks[0]; len(acks) != 1 || a.Type != protocol.VizAckType || a.Step != st.Step || !(a.Millis > 0 && a.Millis < 60000) {
		t.Errorf("acks %+v, want one for step %d with the time it took", acks, st.Step)
	}
	t.Logf("the first frame took the view %.0f ms", float64(acks[0].Millis))
	eval(`window.__testPort.postMessage(`+string(modelJS)+`)`, nil)
	poll(`window.__vizModels.length === 1`)

	for _, c := range []struct {
		digit   int
		strokes [][][2]float64
	}{
		{1, [][][2]float64{{{0.5, 0.15}, {0.5, 0.85}}}},
		{7, [][][2]float64{{{0.25, 0.2}, {0.75, 0.2}, {0.45, 0.85}}}},
	} {
		want := nativeProbs(cfg, st, c.strokes)
		if got := viz.Argmax(want); got != c.digit {
			t.Errorf("the native model reads the drawn %d as %d: %v", c.digit, got, want)
		}
		var before int
		eval(`window.__vizPredictions`, &before)
		s, _ := json.Marshal(c.strokes)
		eval(`window.__vizClear(); 0`, nil)
		poll(`window.__vizProbs === null`)
		eval(`window.__vizDraw(`+string(s)+`); 0`, nil)
		poll(`window.__vizProbs !== null`)
		var got []float64
		eval(`window.__vizProbs`, &got)
		if len(got) != 10 {
			t.Fatalf("__vizProbs = %v", got)
		}
		for i := range got {
			if math.Abs(got[i]-float64(want[i])) > 1e-5 {
				t.Errorf("digit %d: the iframe's probabilities %v differ from the native %v", c.digit, got, want)
				break
			}
		}
	}
	// Idle: with nothing new to show, ebiten's animation-frame loop is parked and nothing is drawn.
	time.Sleep(time.Second)
	var ticks0, draws0, ticks1, draws1 int
	eval(`window.__vizTicks`, &ticks0)
	eval(`window.__vizDraws`, &draws0)
	time.Sleep(2 * time.Second)
	eval(`window.__vizTicks`, &ticks1)
	eval(`window.__vizDraws`, &draws1)
	t.Logf("idle for 2 s: %d animation frames, %d draws (%d draws so far)", ticks1-ticks0, draws1-draws0, draws1)
	if ticks1-ticks0 > 2 || draws1 != draws0 {
		t.Errorf("the idle view ran %d animation frames and drew %d times in 2 s, want about none", ticks1-ticks0, draws1-draws0)
	}
	// A frame posted straight to the window (no port) wakes it and is drawn too.
	eval(`window.postMessage(`+string(frameJS)+`, "*"); 0`, nil)
	poll(`window.__vizFrames >= 2`)
	var draws2 int
	eval(`window.__vizDraws`, &draws2)
	if draws2 <= draws1 {
		t.Errorf("a new frame was counted but the screen was not drawn again (%d draws before, %d after)", draws1, draws2)
	}
	var e string
	eval(`String(window.__vizError || "")`, &e)
	if e != "" {
		t.Errorf("__vizError = %q", e)
	}
}
