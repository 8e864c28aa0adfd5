package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// quickLab is a tiny run: 512 training images, 256 test images, one epoch of batch 64.
const quickLab = "/?variant=standard-bn&epochs=1&train-limit=512&test-limit=256&batch=64"

// runQuick starts the quick run on the page (already opened) and waits for its epoch row.
func runQuick(t *testing.T, p *page) {
	t.Helper()
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("the run to finish", `document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 2*time.Minute)
	rows := epochRows(p)
	if len(rows) != 1 || rows[0].Epoch != 1 || !(rows[0].TestAcc > 0 && rows[0].TestAcc <= 1 && rows[0].TrainLoss > 0) {
		t.Fatalf("epoch rows %+v, want one plausible epoch", rows)
	}
	t.Logf("backend %s %s; epoch 1: train loss %.4f acc %.4f, test acc %.4f", p.text("backend"), p.text("backend-reason"),
		rows[0].TrainLoss, rows[0].TrainAcc, rows[0].TestAcc)
}

// TestGPULabAuto: with engine=auto in a Chromium with WebGPU (SwiftShader here) the Lab trains on
// the WebGPU engine and says which adapter.
func TestGPULabAuto(t *testing.T) {
	p := newPage(t, 3*time.Minute)
	p.open(quickLab + "&engine=auto#/lab")
	if v := eval[string](p, `document.querySelector('[data-testid="engine"]').value`); v != "auto" {
		t.Errorf("engine selector %q, want auto", v)
	}
	runQuick(t, p)
	if b := p.text("backend"); b != "webgpu" {
		t.Fatalf("backend %q (%s), want webgpu", b, p.text("backend-reason"))
	}
	if r := p.text("backend-reason"); !strings.Contains(r, "WebGPU on ") {
		t.Errorf("backend reason %q, want the adapter", r)
	}
	p.noErrors()
}

// TestGPULabCPUChosen: engine=cpu trains on the CPU engine and says the user chose it; the
// selector changes the URL.
func TestGPULabCPUChosen(t *testing.T) {
	p := newPage(t, 3*time.Minute)
	p.open(quickLab + "#/lab")
	p.do("choose cpu", chromedp.SetValue(sel("engine"), "cpu"))
	eval[bool](p, `document.querySelector('[data-testid="engine"]').dispatchEvent(new Event("change", {bubbles: true}))`)
	p.waitFor("engine=cpu in the URL", `location.search.includes("engine=cpu")`, 5*time.Second)
	runQuick(t, p)
	if b, r := p.text("backend"), p.text("backend-reason"); b != "cpu" || !strings.Contains(r, "chosen by the user") {
		t.Errorf("backend %q %q, want cpu (chosen by the user)", b, r)
	}
	p.noErrors()
}

// TestGPULabNoWebGPU: in a Chromium without WebGPU, auto falls back to the CPU engine and says why;
// engine=webgpu fails with the reason.
func TestGPULabNoWebGPU(t *testing.T) {
	if !enabled {
		t.Skip("browser tests run with LENETLAB_E2E=1 (./build.sh test)")
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	exe := os.Getenv("LENETLAB_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	userDir := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(userDir),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "WebGPU"), chromedp.WindowSize(1280, 1000),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium without WebGPU: %v", err)
	}
	p := &page{t: t}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(p.listen))
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()
	p.ctx = ctx
	p.open(quickLab + "&engine=auto#/lab")
	t.Logf("navigator.gpu on the page: %s", eval[string](p, `String(navigator.gpu)`))
	runQuick(t, p)
	if b, r := p.text("backend"), p.text("backend-reason"); b != "cpu" || !(strings.Contains(r, "navigator.gpu") || strings.Contains(r, "adapter")) {
		t.Errorf("backend %q %q, want cpu with the reason WebGPU is missing", b, r)
	}
	// Asked for WebGPU explicitly, the run fails and says why.
	p.do("choose webgpu", chromedp.SetValue(sel("engine"), "webgpu"))
	eval[bool](p, `document.querySelector('[data-testid="engine"]').dispatchEvent(new Event("change", {bubbles: true}))`)
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("the run error", `(document.querySelector('[data-testid="run-error"]') || {}).textContent`, time.Minute)
	if e := p.text("run-error"); !strings.Contains(e, "cannot run here") {
		t.Errorf("run error %q, want the WebGPU engine's refusal", e)
	}
	t.Logf("engine=webgpu: %s", p.text("run-error"))
}

// TestGPULabDeviceLost: the WebGPU device is destroyed (through the DevTools protocol, in the
// training worker) in the middle of a run; the run continues on the CPU engine, says so, and
// finishes its epoch with plausible numbers.
func TestGPULabDeviceLost(t *testing.T) {
	p := newPage(t, 3*time.Minute)
	p.open("/?variant=standard-bn&epochs=1&train-limit=3072&test-limit=256&batch=64&engine=webgpu#/lab")
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("webgpu training", `(document.querySelector('[data-testid="backend"]') || {}).textContent === "webgpu" &&
		document.querySelector('[data-testid="status"]').textContent.trim() === "training"`, time.Minute)
	// A quarter of the epoch (12 of 48 steps), past a checkpoint or two.
	p.waitFor("a quarter of the epoch", `document.querySelector('[data-testid="train-progress"]').value > 0.25`, time.Minute)
	infos, err := chromedp.Targets(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var worker target.ID
	for _, in := range infos {
		t.Logf("target %s %s", in.Type, in.URL)
		if in.Type == "worker" && strings.HasSuffix(in.URL, "/worker.js") {
			worker = in.TargetID
		}
	}
	if worker == "" {
		t.Fatal("no worker target for worker.js")
	}
	wctx, wcancel := chromedp.NewContext(browser, chromedp.WithTargetID(worker))
	defer wcancel()
	var destroyed string
	if err := chromedp.Do(wctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		proto, err := cdp.Call(ctx, tg, runtime.Evaluate, runtime.EvaluateParams{Expression: "GPUDevice.prototype"})
		if err != nil {
			return err
		}
		objs, err := cdp.Call(ctx, tg, runtime.QueryObjects, runtime.QueryObjectsParams{PrototypeObjectID: proto.Result.ObjectID})
		if err != nil {
			return err
		}
		yes := true
		res, err := cdp.Call(ctx, tg, runtime.CallFunctionOn, runtime.CallFunctionOnParams{ObjectID: objs.Objects.ObjectID,
			FunctionDeclaration: `function() { this.forEach(d => d.destroy()); return String(this.length); }`, ReturnByValue: &yes})
		if err != nil {
			return err
		}
		destroyed = string(res.Result.Value)
		return nil
	})); err != nil {
		t.Fatalf("destroying the worker's GPUDevice: %v", err)
	}
	t.Logf("destroyed %s GPUDevice(s) at %s", destroyed, p.text("train-progress-text"))
	p.waitFor("the run to finish", `document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 2*time.Minute)
	b, r := p.text("backend"), p.text("backend-reason")
	t.Logf("backend %s %s", b, r)
	if b != "cpu" || !strings.Contains(r, "device lost at step") || !strings.Contains(r, "continued on the CPU engine from step") {
		t.Errorf("backend %q %q, want cpu after the device loss", b, r)
	}
	rows := epochRows(p)
	if len(rows) != 1 || !(rows[0].TestAcc > 0.3 && rows[0].TrainLoss > 0) {
		t.Fatalf("epoch rows %+v, want one plausible epoch", rows)
	}
	t.Logf("epoch 1: train loss %.4f acc %.4f, test acc %.4f", rows[0].TrainLoss, rows[0].TrainAcc, rows[0].TestAcc)
}
