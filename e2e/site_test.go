package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestSiteLoads(t *testing.T) {
	p := newPage(t, 60*time.Second)
	p.open("/")
	if s := p.text("status"); s != "idle" {
		t.Errorf("status %q, want idle", s)
	}
	for _, id := range []string{"variant", "epochs", "train-limit", "seed", "start", "stop"} {
		if !eval[bool](p, `!!document.querySelector('[data-testid="`+id+`"]')`) {
			t.Errorf("no control data-testid=%q", id)
		}
	}
	// The worker starts too: its wasm loads without errors.
	p.waitFor("the worker to be ready", `window.lenetlabTiming.workerReady > 0`, 30*time.Second)
	p.do("go to the concepts page", chromedp.Navigate(serverURL+"/#/concepts"))
	p.waitFor("the concepts page", `document.querySelector('[data-testid="concepts"]')`, 5*time.Second)
	p.do("go to the calculators", chromedp.Navigate(serverURL+"/#/calculators"))
	p.waitFor("the calculators page", `document.querySelector('[data-testid="calculators-page"]')`, 5*time.Second)
	p.do("back to the lab", chromedp.Navigate(serverURL+"/#/lab"))
	p.waitFor("the lab", `document.querySelector('[data-testid="start"]')`, 5*time.Second)
	// Resources: nothing may 404 (a console error would show it too, but say which).
	missing := eval[[]string](p, `performance.getEntriesByType("resource").filter(e => e.responseStatus >= 400).map(e => e.name)`)
	if len(missing) > 0 {
		t.Errorf("resources failed to load: %v", missing)
	}
	p.noErrors()
}

func TestURLParamsPrefillLab(t *testing.T) {
	p := newPage(t, 60*time.Second)
	p.open("/?variant=bn-dropout&epochs=4&train-limit=4096&test-limit=500&seed=42&batch=128&lr=0.05&input=pad&input-dropout=conv1#/lab")
	want := map[string]string{"variant": "bn-dropout", "epochs": "4", "train-limit": "4096", "test-limit": "500", "seed": "42",
		"batch": "128", "lr": "0.05", "input": "pad", "input-dropout": "conv1"}
	for id, v := range want {
		got := eval[string](p, `document.querySelector('[data-testid="`+id+`"]').value`)
		if got != v {
			t.Errorf("%s: field holds %q, want %q from the URL", id, got, v)
		}
	}
	// Editing a field puts it into the URL.
	p.typeInto("seed", "7")
	p.waitFor("the seed in the URL", `new URLSearchParams(location.search).get("seed") === "7"`, 5*time.Second)
	if h := eval[string](p, `location.hash`); h != "#/lab" {
		t.Errorf("hash %q after editing, want #/lab", h)
	}
	p.noErrors()
}

// epochRow is one data-testid="epoch-row".
type epochRow struct {
	Epoch                                  int
	TrainLoss, TrainAcc, TestLoss, TestAcc float64
}

func epochRows(p *page) []epochRow {
	raw := eval[[]map[string]string](p, `[...document.querySelectorAll('[data-testid="epoch-row"]')].map(r => ({...r.dataset}))`)
	var out []epochRow
	for _, d := range raw {
		var r epochRow
		var err error
		num := func(k string) float64 {
			f, e := strconv.ParseFloat(d[k], 64)
			if e != nil && err == nil {
				err = e
			}
			return f
		}
		r.Epoch = int(num("epoch"))
		r.TrainLoss, r.TrainAcc, r.TestLoss, r.TestAcc = num("trainLoss"), num("trainAcc"), num("testLoss"), num("testAcc")
		if err != nil {
			p.t.Fatalf("epoch row %v: %v", d, err)
		}
		out = append(out, r)
	}
	return out
}

func TestQuickRunCPU(t *testing.T) {
	p := newPage(t, 4*time.Minute)
	p.open("/?variant=standard-bn&epochs=2&train-limit=2048&test-limit=1000&batch=256&engine=cpu#/lab")
	opened := eval[float64](p, `performance.now()`)
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("the first training step", `window.lenetlabTiming.firstStep > 0`, 90*time.Second)
	first := eval[float64](p, `window.lenetlabTiming.firstStep`)
	t.Logf("first training step %.0f ms after navigation (%.0f ms after the page was ready and Start was pressed); timeline (ms): %s",
		first, first-opened, eval[string](p, `JSON.stringify(window.lenetlabTiming, (k, v) => typeof v === "number" ? Math.round(v) : v)`))
	t.Logf("dataset: %s", p.text("loading-text"))
	if b := p.text("backend"); b != "cpu" {
		t.Errorf("backend %q, want cpu", b)
	}
	p.waitFor("the run to finish", `document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 3*time.Minute)
	rows := epochRows(p)
	if len(rows) != 2 || rows[0].Epoch != 1 || rows[1].Epoch != 2 {
		t.Fatalf("epoch rows %+v, want epochs 1 and 2", rows)
	}
	for _, r := range rows {
		t.Logf("epoch %d: train loss %.4f acc %.4f, test loss %.4f acc %.4f", r.Epoch, r.TrainLoss, r.TrainAcc, r.TestLoss, r.TestAcc)
		if !(r.TrainAcc > 0 && r.TrainAcc <= 1 && r.TestAcc > 0 && r.TestAcc <= 1 && r.TrainLoss > 0 && r.TestLoss > 0) {
			t.Errorf("epoch %d: implausible numbers %+v", r.Epoch, r)
		}
	}
	if rows[1].TestAcc <= 0.5 {
		t.Errorf("test accuracy after 2 epochs %.4f, want > 0.5", rows[1].TestAcc)
	}
	if rows[1].TrainLoss >= rows[0].TrainLoss {
		t.Errorf("train loss did not fall: %.4f then %.4f", rows[0].TrainLoss, rows[1].TrainLoss)
	}
	n := eval[int](p, `document.querySelectorAll('[data-testid="result-row"]').length`)
	if n != 1 {
		t.Errorf("%d result rows, want 1", n)
	}
	acc := eval[string](p, `document.querySelector('[data-testid="result-row"]').dataset.testAcc`)
	if f, _ := strconv.ParseFloat(acc, 64); f != rows[1].TestAcc {
		t.Errorf("result row test accuracy %s, want the last epoch's %v", acc, rows[1].TestAcc)
	}
	// Standard BN: the BN tables show γ and β for bn1..bn4.
	layers := eval[[]string](p, `[...document.querySelectorAll('[data-testid="bn-table"]')].map(t => t.dataset.layer)`)
	if strings.Join(layers, ",") != "bn1,bn2,bn3,bn4" {
		t.Errorf("BN tables for %v, want bn1..bn4", layers)
	}
	// The charts are SVG paths.
	if !eval[bool](p, `document.querySelectorAll('[data-testid="loss-chart"] svg path.line').length >= 1`) {
		t.Error("no loss curve")
	}
	ips := p.text("train-progress-text")
	t.Logf("progress line: %s", ips)
	p.noErrors()
}
