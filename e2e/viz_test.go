package e2e

import (
	"bytes"
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
// draw pad predicts with the finished model.
func TestNetworkViewDuringRun(t *testing.T) {
	p := newPage(t, 4*time.Minute)
	p.open("/?variant=bn-dropout&epochs=1&train-limit=6144&test-limit=500&batch=64#/lab")
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
	t.Logf("%d live frames drawn", eval[int](p, vizWin+`.__vizFrames`))
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
// page computes its demos from those runs.
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
	p.waitFor("the demos from the lab's runs", `document.querySelector('[data-testid="knockout-chart"]') &&
		document.querySelectorAll('[data-testid="shift-chart"]').length === 2`, 90*time.Second)
	t.Logf("knockout summary: %s", p.text("knockout-summary"))
	p.noErrors()
}

// Throughput with the network view open vs closed (LENETLAB_E2E_MEASURE=1), the same run several
// times: closed; "sink" (the worker has a port and builds and posts every frame, but nothing draws
// them: the worker's own cost); and the real iframe (adds the iframe's decoding, probe and drawing,
// which compete for the same CPU cores).
func TestVizCost(t *testing.T) {
	if os.Getenv("LENETLAB_E2E_MEASURE") == "" {
		t.Skip("measurement: LENETLAB_E2E_MEASURE=1")
	}
	const images = 6144
	p := newPage(t, 9*time.Minute)
	p.open("/?variant=bn-dropout&epochs=1&train-limit=6144&test-limit=100&batch=64#/lab")
	run := func(mode string) float64 {
		switch mode {
		case "iframe":
			p.do("show the network view", chromedp.Click(sel("viz-toggle")))
			p.waitFor("the viz iframe to start", vizWin+`.__vizReady === true`, 60*time.Second)
		case "sink":
			eval[bool](p, `(() => { const ch = new MessageChannel(); window.__sink = 0; ch.port2.onmessage = () => window.__sink++;
				window.__sinkPort = ch.port2; lenetlabWorker.postMessage(JSON.stringify({v: 1, kind: "viz-port"}), [ch.port1]); return true; })()`)
		}
		n0 := eval[int](p, `document.querySelectorAll('[data-testid="result-row"]').length`)
		began := time.Now()
		p.do("start", chromedp.Click(sel("start")))
		p.waitFor("the run to finish", `document.querySelectorAll('[data-testid="result-row"]').length > `+strconv.Itoa(n0), 4*time.Minute)
		wall := time.Since(began).Seconds()
		frames := 0
		switch mode {
		case "iframe":
			frames = eval[int](p, vizWin+`.__vizFrames`)
			p.do("hide the network view", chromedp.Click(sel("viz-toggle")))
		case "sink":
			frames = eval[int](p, `window.__sink`)
			eval[bool](p, `(lenetlabWorker.postMessage(JSON.stringify({v: 1, kind: "viz-port"})), true)`)
		}
		d := eval[map[string]string](p, `({...[...document.querySelectorAll('[data-testid="result-row"]')].pop().dataset})`)
		train, _ := strconv.ParseFloat(d["seconds"], 64)
		vizS, _ := strconv.ParseFloat(d["vizSeconds"], 64)
		gapS, _ := strconv.ParseFloat(d["gapSeconds"], 64)
		t.Logf("%-6s %.2f s wall (%.0f images/s), %d frames drawn; worker: training %.2f s, %s frames built in %.3f s (%.2f %% of training), mode gap %.3f s (%.2f %%)",
			mode, wall, images/wall, frames, train, d["vizFrames"], vizS, 100*vizS/train, gapS, 100*gapS/train)
		return wall
	}
	run("closed") // warm-up: data download and first-touch memory
	c1, s1, c2, s2, f := run("closed"), run("sink"), run("closed"), run("sink"), run("iframe")
	closed := (c1 + c2) / 2
	t.Logf("worker's frames (sink) cost %.1f %% wall time vs closed; with the iframe drawing them %.1f %% (closed %.2f s, %.2f s; sink %.2f s, %.2f s)",
		100*((s1+s2)/2/closed-1), 100*(f/closed-1), c1, c2, s1, s2)
}
