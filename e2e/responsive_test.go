package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/lenetlab/lenetlab/nncore/arch"
)

// TestCalculatorRespondsWhileTraining types into a calculator while the worker trains and measures,
// in the page, the time from each keydown to the calculator's new answer on screen.
func TestCalculatorRespondsWhileTraining(t *testing.T) {
	p := newPage(t, 3*time.Minute)
	p.open("/?variant=standard-bn&epochs=1&train-limit=60000&test-limit=1000&batch=256#/lab")
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("training", `window.lenetlabTiming.firstStep > 0`, 90*time.Second)
	stepBefore := trainedBatches(p)

	eval[bool](p, `(location.hash = "#/calculators?view=rf", true)`)
	p.waitFor("the receptive-field calculator", `document.querySelector('[data-testid="calc-rf-n"]')`, 10*time.Second)
	// Keydown times and the times the answer changed, both on the page's clock.
	eval[bool](p, `(() => {
		window.__keys = []; window.__answers = [];
		document.addEventListener("keydown", () => window.__keys.push(performance.now()), true);
		let last = null;
		new MutationObserver(() => {
			const e = document.querySelector('[data-testid="calc-rf-identity"]');
			const v = e ? e.textContent.trim() : null;
			if (v !== last) { last = v; window.__answers.push([performance.now(), v]); }
		}).observe(document.body, {subtree: true, childList: true, characterData: true});
		return true; })()`)
	f, err := strconv.Atoi(eval[string](p, `document.querySelector('[data-testid="calc-rf-f"]').value`))
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for _, n := range []int{5, 8, 4, 9, 6} {
		want, _, err := arch.StackedRF(n, f)
		if err != nil {
			t.Fatal(err)
		}
		wantText := arch.Comma(want)
		eval[bool](p, `(() => { const e = document.querySelector('[data-testid="calc-rf-n"]'); e.focus(); e.select(); return true; })()`)
		eval[bool](p, `(window.__keys = [], window.__answers = [], true)`)
		p.do("type N", chromedp.SendKeys(sel("calc-rf-n"), strconv.Itoa(n)))
		p.waitFor(fmt.Sprintf("RF of %d layers of %d×%d = %s", n, f, f, wantText), textIs("calc-rf-identity", wantText), 5*time.Second)
		lat := eval[float64](p, fmt.Sprintf(`(() => { const a = window.__answers.find(a => a[1] === %q); return a[0] - window.__keys[0]; })()`, wantText))
		t.Logf("N=%d: answer %s on screen %.0f ms after the keydown", n, wantText, lat)
		worst = max(worst, lat)
	}
	if worst >= 500 {
		t.Errorf("the calculator took up to %.0f ms to answer while training, want < 500 ms", worst)
	}
	// The worker kept training meanwhile.
	eval[bool](p, `(location.hash = "#/lab", true)`)
	p.waitFor("the lab", `document.querySelector('[data-testid="stop"]')`, 5*time.Second)
	if s := p.text("status"); s != "training" {
		t.Errorf("status %q while the calculator was used, want training", s)
	}
	p.waitFor("training to advance", fmt.Sprintf(`(%s) > %d`, trainedBatchesJS, stepBefore), 60*time.Second)
	// Pause holds training between batches; resume continues it.
	p.do("pause", chromedp.Click(sel("pause")))
	d := p.waitFor("paused", textIs("status", "paused"), 30*time.Second)
	t.Logf("paused %d ms after the click (it takes effect between batches)", d.Milliseconds())
	held := trainedBatches(p)
	time.Sleep(4 * time.Second)
	if now := trainedBatches(p); now != held {
		t.Errorf("training went on while paused: batch %d, then %d", held, now)
	}
	p.do("resume", chromedp.Click(sel("resume")))
	p.waitFor("training again", textIs("status", "training"), 30*time.Second)
	p.waitFor("training to advance after resume", fmt.Sprintf(`(%s) > %d`, trainedBatchesJS, held), 60*time.Second)
	// Stop ends the run promptly and still records a result.
	p.do("stop", chromedp.Click(sel("stop")))
	d = p.waitFor("the stopped run", textIs("status", "done"), 30*time.Second)
	t.Logf("stopped %.0f ms after the click", float64(d.Milliseconds()))
	if n := eval[int](p, `document.querySelectorAll('[data-testid="result-row"]').length`); n != 1 {
		t.Errorf("%d result rows after the stop, want 1", n)
	}
	p.noErrors()
}

// trainedBatches is the number of batches trained so far, from the training progress bar.
func trainedBatches(p *page) int { return eval[int](p, trainedBatchesJS) }

const trainedBatchesJS = `(() => { const m = /batch ([\d,]+) of/.exec(document.querySelector('[data-testid="train-progress-text"]')?.textContent || ""); return m ? +m[1].replace(/,/g, "") : 0; })()`

// TestBenchCPUEngine measures the CPU engine's training throughput in the worker (standard-bn,
// batch 256). It runs with LENETLAB_E2E_BENCH=1; LENETLAB_E2E_BENCH_BATCHES sets the batches (default 40).
func TestBenchCPUEngine(t *testing.T) {
	if os.Getenv("LENETLAB_E2E_BENCH") != "1" {
		t.Skip("set LENETLAB_E2E_BENCH=1 to measure throughput")
	}
	batches := 40
	if s := os.Getenv("LENETLAB_E2E_BENCH_BATCHES"); s != "" {
		batches, _ = strconv.Atoi(s)
	}
	p := newPage(t, 20*time.Minute)
	p.open(fmt.Sprintf("/?variant=standard-bn&epochs=1&train-limit=%d&test-limit=1000&batch=256#/lab", batches*256))
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("the run to finish", textIs("status", "done"), 19*time.Minute)
	ips := eval[string](p, `document.querySelector('[data-testid="epoch-row"]').dataset.imagesPerSec`)
	f, err := strconv.ParseFloat(ips, 64)
	if err != nil || f <= 0 {
		t.Fatalf("images/s %q", ips)
	}
	t.Logf("CPU engine, standard-bn, batch 256, %d batches: %.0f images/s in Chromium", batches, f)
	p.noErrors()
}
