package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// vizWin is the viz iframe's window, for expressions.
const vizWin = `document.querySelector('[data-testid="viz-frame"]').contentWindow`

// screenshot returns the pixels of the element with the data-testid (scrolled into view) as they
// are on screen, cut out of a viewport screenshot.
func (p *page) screenshot(testid string) *image.RGBA {
	p.t.Helper()
	r := eval[[]float64](p, `(() => { const e = document.querySelector('[data-testid="`+testid+`"]'); e.scrollIntoView();
		const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom].map(v => v * devicePixelRatio); })()`)
	buf, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	rect := image.Rect(int(r[0]), int(r[1]), int(r[2]), int(r[3])).Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, rect.Dx(), rect.Dy()))
	draw.Draw(out, out.Bounds(), img, rect.Min, draw.Src)
	return out
}

// changedPixels is the fraction of pixels that differ between two images of the same size.
func changedPixels(a, b *image.RGBA) float64 {
	if a.Bounds() != b.Bounds() || len(a.Pix) == 0 {
		return 1
	}
	n := 0
	for i := 0; i < len(a.Pix); i += 4 {
		if !bytes.Equal(a.Pix[i:i+4], b.Pix[i:i+4]) {
			n++
		}
	}
	return float64(n) / float64(len(a.Pix)/4)
}

// A run with the network view open: the view changes while training, the BN panels fill, the
// draw pad predicts with the finished model. (The worker paces its frames by what they cost the
// view, a few seconds apart without a GPU: 12,288 images give it time for several.)
func TestNetworkViewDuringRun(t *testing.T) {
	p := newPage(t, 4*time.Minute)
	p.open("/?variant=bn-dropout&epochs=1&train-limit=12288&test-limit=500&batch=64#/lab")
	p.do("show the network view", chromedp.Click(sel("viz-toggle")))
	p.waitFor("the viz iframe to start", vizWin+`.__vizReady === true`, 60*time.Second)
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("a first live frame", vizWin+`.__vizFrames >= 1`, 90*time.Second)
	f1 := eval[int](p, vizWin+`.__vizFrames`)
	shot1 := p.screenshot("viz-frame")
	p.waitFor("later live frames", vizWin+`.__vizFrames >= `+strconv.Itoa(f1+2), 60*time.Second)
	time.Sleep(300 * time.Millisecond) // let the iframe draw the newest frame
	shot2 := p.screenshot("viz-frame")
	changed := changedPixels(shot1, shot2)
	t.Logf("network view %v px: %.2f %% of its pixels changed between frames %d and %d", shot1.Bounds().Size(), 100*changed, f1, eval[int](p, vizWin+`.__vizFrames`))
	if shot1.Bounds().Dx() < 200 || changed == 0 {
		t.Error("the network view's pixels did not change between two snapshots of the training run")
	}
	// BN statistics and the train/eval-mode gap while training.
	p.waitFor("the live BN table", `document.querySelector('[data-testid="bnstats-table"]')`, 30*time.Second)
	p.waitFor("the mode-gap readout", `document.querySelector('[data-testid="mode-gap"]')`, 30*time.Second)
	t.Logf("mode gap: %s", p.text("mode-gap"))
	p.waitFor("the run to finish", `document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 3*time.Minute)
	t.Logf("%d live frames drawn; the view's time on the last ones: %v ms", eval[int](p, vizWin+`.__vizFrames`), eval[[]float64](p, `Array.from(`+vizWin+`.__vizAcks)`))
	layers := eval[[]string](p, `[...document.querySelectorAll('[data-testid="violin"]')].map(v => v.dataset.layer)`)
	if strings.Join(layers, ",") != "bn1,bn2,bn3,bn4" {
		t.Errorf("violins for %v, want one per BN layer bn1..bn4", layers)
	}
	// The draw pad predicts with the finished run's model.
	p.waitFor("the run's model on the pad", vizWin+`.__vizModels.includes("run 1 · bn-dropout")`, 20*time.Second)
	eval[bool](p, vizWin+`.__vizSelectModel("run 1 · bn-dropout")`)
	eval[any](p, vizWin+`.__vizDraw([[[0.5,0.15],[0.5,0.5],[0.5,0.85]]])`) // a "1"
	p.waitFor("the pad's probabilities", vizWin+`.__vizProbs !== null && `+vizWin+`.__vizProbs.length === 10`, 20*time.Second)
	probs := eval[[]float64](p, `Array.from(`+vizWin+`.__vizProbs)`)
	sum := 0.0
	for _, v := range probs {
		if v < 0 || v > 1 {
			t.Errorf("probability %v out of [0,1]", v)
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-4 {
		t.Errorf("the pad's ten probabilities sum to %v, want 1 (%v)", sum, probs)
	}
	t.Logf("pad probabilities for a drawn 1: %v", probs)
	if e := eval[string](p, `String(`+vizWin+`.__vizError || "")`); e != "" {
		t.Errorf("viz error: %s", e)
	}
	// Hiding the view removes the iframe.
	p.do("hide the network view", chromedp.Click(sel("viz-toggle")))
	p.waitFor("the iframe to go", `!document.querySelector('[data-testid="viz-frame"]')`, 5*time.Second)
	p.noErrors()
}

type compareRow struct {
	Variant                                string
	TrainLoss, TrainAcc, TestLoss, TestAcc float64
}

// "Run the lab", tiny: four variants one after the other fill the comparison; then the Concepts
// page computes its demos from those runs. The lab has no plain run, which the knock-out demo
// compares the dropout run with: the page offers to train that one run only, then shows the demo
// with the runs it used and offers nothing more.
func TestRunTheLabAndConcepts(t *testing.T) {
	p := newPage(t, 5*time.Minute)
	p.open("/?epochs=1&train-limit=1024&test-limit=500&batch=32#/lab")
	// The quick-mode switch changes the plan and goes into the URL.
	p.do("quick mode on", chromedp.Click(sel("lab-quick")))
	p.waitFor("quick=1 in the URL", `new URLSearchParams(location.search).get("quick") === "1"`, 5*time.Second)
	if s := p.text("lab-plan"); !strings.Contains(s, "2 epochs on 4,096 training and 1,000 test images") {
		t.Errorf("plan in quick mode: %q", s)
	}
	p.do("quick mode off", chromedp.Click(sel("lab-quick")))
	p.waitFor("quick gone from the URL", `!new URLSearchParams(location.search).has("quick")`, 5*time.Second)
	if s := p.text("lab-plan"); s != "4 variants × 1 seed = 4 runs, each 1 epochs on 1024 training and 500 test images" {
		t.Errorf("plan: %q", s)
	}
	began := time.Now()
	p.do("run the lab", chromedp.Click(sel("run-lab")))
	p.waitFor("four compare rows", `document.querySelectorAll('[data-testid="compare-row"]').length === 4 &&
		document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 4*time.Minute)
	t.Logf("the lab's four runs took %.1f s", time.Since(began).Seconds())
	raw := eval[[]map[string]string](p, `[...document.querySelectorAll('[data-testid="compare-row"]')].map(r => ({...r.dataset}))`)
	var variants []string
	for _, d := range raw {
		var r compareRow
		r.Variant = d["variant"]
		variants = append(variants, r.Variant)
		for k, dst := range map[string]*float64{"trainLoss": &r.TrainLoss, "trainAcc": &r.TrainAcc, "testLoss": &r.TestLoss, "testAcc": &r.TestAcc} {
			f, err := strconv.ParseFloat(d[k], 64)
			if err != nil {
				t.Fatalf("%s: %s = %q", r.Variant, k, d[k])
			}
			*dst = f
		}
		t.Logf("%-11s train loss %.4f acc %.4f · test loss %.4f acc %.4f", r.Variant, r.TrainLoss, r.TrainAcc, r.TestLoss, r.TestAcc)
		// (1,024 images, one epoch: dropout has barely started to learn; chance is 10 % and ln 10 ≈ 2.303.)
		if !(r.TestAcc > 0.15 && r.TestAcc <= 1 && r.TrainAcc > 0.1 && r.TrainAcc <= 1 && r.TestLoss > 0 && r.TestLoss < 2.3 && r.TrainLoss > 0) {
			t.Errorf("%s: implausible numbers %+v", r.Variant, r)
		}
	}
	if strings.Join(variants, ",") != "standard-bn,bn-input,dropout,bn-dropout" {
		t.Errorf("compare rows %v", variants)
	}
	if n := eval[int](p, `document.querySelectorAll('[data-testid="lab-answer"]').length`); n != 3 {
		t.Errorf("%d answers, want 3", n)
	}
	t.Logf("answers: %s", p.text("lab-answers"))
	if n := eval[int](p, `document.querySelectorAll('[data-testid="compare-acc-chart"] path.line').length`); n < 4 {
		t.Errorf("%d lines in the overlaid accuracy chart, want one per variant (and legend)", n)
	}

	eval[string](p, `location.hash = "#/concepts"`) // (same document: the worker keeps its runs)
	p.waitFor("the concepts page", `document.querySelector('[data-testid="concepts"]')`, 5*time.Second)
	p.waitFor("the shift demo from the lab's runs", `document.querySelectorAll('[data-testid="shift-chart"]').length === 2`, 90*time.Second)
	if s := p.text("shift-runs"); !strings.Contains(s, "run 3 · dropout (without BN") || !strings.Contains(s, "run 1 · standard-bn (with BN") {
		t.Errorf("shift demo runs: %q", s)
	}
	// The knock-out demo lacks a plain run: the page offers that run alone, not all the demo runs.
	p.waitFor("the offer to train the missing run", `document.querySelector('[data-testid="run-demos"]')`, 10*time.Second)
	if n := eval[int](p, `document.querySelectorAll('[data-testid="knockout-chart"]').length`); n != 0 {
		t.Errorf("a knock-out chart without a plain run")
	}
	missing := eval[string](p, `document.querySelector('[data-testid="run-demos"]').dataset.missing`)
	t.Logf("offered: %q (%s); status: %s", p.text("run-demos"), missing, p.text("demo-status"))
	if missing != "plain" || p.text("run-demos") != "Train the missing run: plain" {
		t.Fatalf("the page offers %q (%s), want the plain run alone", p.text("run-demos"), missing)
	}
	p.do("train the missing run", chromedp.Click(sel("run-demos")))
	p.waitFor("the button to go while it trains", `!document.querySelector('[data-testid="run-demos"]')`, 5*time.Second)
	p.waitFor("the knock-out demo", `document.querySelector('[data-testid="knockout-chart"]')`, 3*time.Minute)
	models := eval[[]string](p, `[...document.querySelectorAll('[data-testid="knockout-summary"] tr[data-model]')].map(r => r.dataset.model)`)
	if strings.Join(models, ",") != "run 3 · dropout,run 5 · plain" {
		t.Errorf("knock-out models %v, want the lab's dropout run 3 and the plain run 5", models)
	}
	runs := p.text("knockout-runs")
	t.Logf("knock-out: %s; %s", runs, p.text("knockout-summary"))
	if !strings.Contains(runs, "run 3 · dropout (with dropout;") || !strings.Contains(runs, "run 5 · plain (plain: no dropout, no BN;") {
		t.Errorf("the page does not say which runs the knock-out demo used: %q", runs)
	}
	if s := p.text("shift-runs"); !strings.Contains(s, "run 5 · plain (without BN") {
		t.Errorf("shift demo runs after the plain run: %q", s)
	}
	// Every run is there now: nothing more is offered, now or on coming back.
	eval[string](p, `location.hash = "#/lab"`)
	p.waitFor("the lab page", `document.querySelector('[data-testid="start"]')`, 5*time.Second)
	eval[string](p, `location.hash = "#/concepts"`)
	p.waitFor("the demos again", `document.querySelector('[data-testid="knockout-chart"]')`, 30*time.Second)
	time.Sleep(time.Second)
	if n := eval[int](p, `document.querySelectorAll('[data-testid="run-demos"]').length`); n != 0 {
		t.Errorf("the page offers demo runs (%q) although every run the demos need exists", p.text("run-demos"))
	}
	p.noErrors()
}

// Throughput with the network view open vs closed (LENETLAB_E2E_MEASURE=1): the same run several
// times, after a warm-up run (data download, first touch of memory):
//   - closed: no view;
//   - sink: the worker has a port and builds and posts every frame, but nothing draws them (the
//     worker's own cost);
//   - iframe: the view is opened and the run starts as soon as the view listens: includes its
//     one-time start (V8 compiling the 16 MB viz.wasm, ebiten's shaders) next to its drawing;
//   - open: the view has been open and idle for a few seconds (the steady state the aim is about);
//   - shown: the view is open as in "open" but the worker sends it nothing (the cost of its presence).
//
// After the runs, the sink's last frame is posted to the idle view a few times: what one frame
// costs the browser, thread by thread. LENETLAB_E2E_VIZCOST="closed,open,..." picks the runs after
// the warm-up. Each run logs the load
// average before and after, the CPU time of the browser's threads and what the rest of the machine
// used meanwhile. Each run with the view or the sink is compared with the closed runs just before
// and after it (the machine's speed drifts); runs during which another program used the CPU are
// left out.
func TestVizCost(t *testing.T) {
	if os.Getenv("LENETLAB_E2E_MEASURE") == "" {
		t.Skip("measurement: LENETLAB_E2E_MEASURE=1")
	}
	modes := strings.Split("iframe,closed,open,closed,sink,closed,open,closed,sink,closed,open,closed", ",")
	if m := os.Getenv("LENETLAB_E2E_VIZCOST"); m != "" {
		modes = strings.Split(m, ",")
	}
	const images = 6144
	p := newPage(t, 9*time.Minute)
	p.open("/?variant=bn-dropout&epochs=1&train-limit=6144&test-limit=100&batch=64#/lab")
	viewOpen := false
	show := func(on bool) {
		if on != viewOpen {
			p.do("toggle the network view", chromedp.Click(sel("viz-toggle")))
			viewOpen = on
		}
		if on {
			p.waitFor("the viz iframe to start", vizWin+`.__vizReady === true`, 60*time.Second)
		} else {
			p.waitFor("the iframe to go", `!document.querySelector('[data-testid="viz-frame"]')`, 5*time.Second)
		}
	}
	// idle measures the machine for d with nothing training.
	idle := func(what string, d time.Duration) {
		m0, c0, w0 := machineBusy(), readCPU(), time.Now()
		time.Sleep(d)
		c := readCPU().sub(c0)
		t.Logf("%s, no training: browser CPU %.2f s in %.1f s (machine %.2f s; load %s): %s",
			what, c.total(), time.Since(w0).Seconds(), machineBusy()-m0, loadavg(), c.top(6))
	}
	type result struct {
		mode               string
		wall, train, other float64
	}
	var results []result
	// A run during which the rest of the machine used more than this many CPU seconds (another
	// program) is logged but left out of the comparison.
	const quiet = 1.0
	run := func(mode string) {
		switch mode {
		case "closed", "warm-up":
			show(false)
		case "sink":
			show(false)
			// (It acks each frame at once, as a view that draws in no time would.)
			eval[bool](p, `(() => { const ch = new MessageChannel(); window.__sink = 0;
				ch.port2.onmessage = (e) => { window.__sink++; const m = /^{"type":"viz-frame","v":1,.*?"step":(\d+)/.exec(e.data.slice(0, 200));
					if (m) { window.__sinkFrame = e.data; ch.port2.postMessage(JSON.stringify({type: "viz-ack", v: 1, step: +m[1], ms: 0})); } };
				window.__sinkPort = ch.port2; lenetlabWorker.postMessage(JSON.stringify({v: 1, kind: "viz-port"}), [ch.port1]); return true; })()`)
		case "iframe":
			show(false)
			opened, c0 := time.Now(), readCPU()
			show(true)
			c := readCPU().sub(c0)
			t.Logf("the view listens %.2f s after the click (browser CPU %.2f s: %s)", time.Since(opened).Seconds(), c.total(), c.top(4))
		case "open", "shown":
			if !viewOpen {
				show(true)
				idle("view open, just started", 4*time.Second)
			}
			if mode == "shown" { // the worker's end of the view's port closes
				eval[bool](p, `(lenetlabWorker.postMessage(JSON.stringify({v: 1, kind: "viz-port"})), true)`)
			}
			idle("view open and idle", 4*time.Second)
		default:
			t.Fatalf("unknown mode %q", mode)
		}
		n0 := eval[int](p, `document.querySelectorAll('[data-testid="result-row"]').length`)
		load0, cpu0, busy0, self0 := loadavg(), readCPU(), machineBusy(), selfCPU()
		began := time.Now()
		p.do("start", chromedp.Click(sel("start")))
		p.waitFor("the run to finish", `document.querySelectorAll('[data-testid="result-row"]').length > `+strconv.Itoa(n0), 4*time.Minute)
		wall := time.Since(began).Seconds()
		cpu := readCPU().sub(cpu0)
		other := machineBusy() - busy0 - cpu.total() - (selfCPU() - self0)
		frames, view := 0, ""
		switch mode {
		case "iframe", "open", "shown":
			frames = eval[int](p, vizWin+`.__vizFrames`)
			v := eval[[]float64](p, `(w => [w.__vizFrameMs, w.__vizDraws, w.__vizDrawMs, w.__vizTicks])(`+vizWin+`)`)
			view = fmt.Sprintf("; the view so far: %.0f ms on %d frames, %.0f draws in %.0f ms, %.0f animation frames", v[0], frames, v[1], v[2], v[3])
		case "sink":
			frames = eval[int](p, `window.__sink`)
			view = fmt.Sprintf("; %d messages reached the sink", frames)
			eval[bool](p, `(lenetlabWorker.postMessage(JSON.stringify({v: 1, kind: "viz-port"})), true)`)
		}
		d := eval[map[string]string](p, `({...[...document.querySelectorAll('[data-testid="result-row"]')].pop().dataset})`)
		train, _ := strconv.ParseFloat(d["seconds"], 64)
		vizS, _ := strconv.ParseFloat(d["vizSeconds"], 64)
		gapS, _ := strconv.ParseFloat(d["gapSeconds"], 64)
		t.Logf("%-7s %.2f s wall (%.0f images/s); worker: training %.2f s, %s frames built in %.3f s (%.2f %%), mode gap %.3f s (%.2f %%); load %s -> %s; browser CPU %.2f s, rest of the machine %.2f s; %s%s",
			mode, wall, images/wall, train, d["vizFrames"], vizS, 100*vizS/train, gapS, 100*gapS/train, load0, loadavg(), cpu.total(), other, cpu.top(6), view)
		if mode != "warm-up" {
			results = append(results, result{mode, wall, train, other})
		}
	}
	run("warm-up")
	idle("view closed", 4*time.Second)
	for _, m := range modes {
		run(m)
	}
	// What a frame costs the machine, thread by thread: the last frame the sink got, posted to the
	// open view once a second with nothing training, against the idle view; twice, as the view's
	// code is still being optimised (V8 tiers up hot functions in background threads) the first time.
	if eval[bool](p, `typeof window.__sinkFrame === "string"`) {
		show(true)
		time.Sleep(4 * time.Second)
		for round := range 2 {
			const n = 8
			c0, w0 := readCPU(), time.Now()
			time.Sleep(4 * time.Second)
			idleCPU, idleWall := readCPU().sub(c0), time.Since(w0).Seconds()
			view := func() []float64 {
				return eval[[]float64](p, `(w => [w.__vizFrames, w.__vizFrameMs + w.__vizDrawMs, w.__vizDraws])(`+vizWin+`)`)
			}
			v0 := view()
			c0, w0 = readCPU(), time.Now()
			for range n {
				eval[bool](p, `(`+vizWin+`.postMessage(window.__sinkFrame, "*"), true)`)
				time.Sleep(time.Second)
			}
			c, wall := readCPU().sub(c0), time.Since(w0).Seconds()
			v := view()
			frames := max(v[0]-v0[0], 1)
			per := cpuTimes{}
			for k, x := range c {
				if d := (x - idleCPU[k]*wall/idleWall) / frames; d > 0.0005 {
					per[k] = d
				}
			}
			t.Logf("round %d: a frame costs the browser %.0f ms of CPU (%.0f frames, %.0f draws; the view measures %.0f ms of its own a frame): %s",
				round+1, 1000*per.total(), frames, v[2]-v0[2], (v[1]-v0[1])/frames, per.top(8))
		}
	}
	show(false)
	// Each quiet run with the view or the sink against the mean of the quiet closed runs next to it.
	type cmp struct{ wall, train float64 }
	byMode := map[string][]cmp{}
	for i, r := range results {
		if r.mode == "closed" {
			continue
		}
		if r.other > quiet {
			t.Logf("%-6s run %d left out: the rest of the machine used %.1f CPU s", r.mode, i+1, r.other)
			continue
		}
		var cw, ct float64
		n := 0
		for _, dir := range []int{-1, 1} {
			for k := i + dir; k >= 0 && k < len(results); k += dir {
				if c := results[k]; c.mode == "closed" && c.other <= quiet {
					cw, ct, n = cw+c.wall, ct+c.train, n+1
					break
				}
			}
		}
		if n == 0 {
			t.Logf("%-6s run %d: no quiet closed run to compare with", r.mode, i+1)
			continue
		}
		c := cmp{100 * (r.wall/(cw/float64(n)) - 1), 100 * (r.train/(ct/float64(n)) - 1)}
		byMode[r.mode] = append(byMode[r.mode], c)
		t.Logf("%-6s run %d: %.2f s wall, %.2f s training vs %.2f s, %.2f s closed next to it: %+.1f %% wall, %+.1f %% training",
			r.mode, i+1, r.wall, r.train, cw/float64(n), ct/float64(n), c.wall, c.train)
	}
	for _, m := range []string{"sink", "iframe", "open", "shown"} {
		cs := byMode[m]
		if len(cs) == 0 {
			continue
		}
		var w, tr float64
		for _, c := range cs {
			w, tr = w+c.wall/float64(len(cs)), tr+c.train/float64(len(cs))
		}
		t.Logf("%-6s vs closed: %+.1f %% wall time, %+.1f %% the worker's training time (mean of %d quiet runs)", m, w, tr, len(cs))
	}
}

// selfCPU is the CPU time of this test process in seconds.
func selfCPU() float64 {
	st := statFields("/proc/self/stat")
	if len(st) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(st[11], 64)
	s, _ := strconv.ParseFloat(st[12], 64)
	return (u + s) / 100
}
