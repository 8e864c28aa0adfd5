package e2e

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestFullRunTheLab runs "Run the lab" at the lab's defaults (10 epochs, all of MNIST, batch 256,
// seed 1) on the engine named by LENETLAB_E2E_FULL_LAB and logs the comparison as it fills. It takes
// most of an hour on a CPU, so it runs only when asked.
func TestFullRunTheLab(t *testing.T) {
	engine := os.Getenv("LENETLAB_E2E_FULL_LAB")
	if engine == "" {
		t.Skip("set LENETLAB_E2E_FULL_LAB=cpu or webgpu to run the whole lab in the page")
	}
	p := newPage(t, 4*time.Hour)
	p.open("/?epochs=10&train-limit=60000&test-limit=10000&batch=256&seed=1&engine=" + engine + "#/lab")
	began := time.Now()
	p.do("run the lab", chromedp.Click(sel("run-lab")))
	logged := 0
	for {
		rows := eval[[]map[string]string](p, `[...document.querySelectorAll('[data-testid="compare-row"]')].map(r => ({...r.dataset, text: r.textContent.replace(/\s+/g, " ")}))`)
		for _, r := range rows[logged:] {
			t.Logf("%.0f min: %s train loss %s acc %s · test loss %s acc %s · %s", time.Since(began).Minutes(),
				r["variant"], r["trainLoss"], r["trainAcc"], r["testLoss"], r["testAcc"], r["text"])
		}
		logged = len(rows)
		if logged == 4 && p.text("status") == "done" {
			break
		}
		if s := p.text("status"); s == "error" {
			t.Fatalf("the lab stopped with an error: %s", p.console())
		}
		time.Sleep(30 * time.Second)
	}
	t.Logf("answers: %v", eval[[]string](p, `[...document.querySelectorAll('[data-testid="lab-answer"]')].map(e => e.textContent.replace(/\s+/g, " "))`))
	t.Logf("results: %v", eval[[]string](p, `[...document.querySelectorAll('[data-testid="result-row"]')].map(e => e.textContent.replace(/\s+/g, " "))`))
	t.Logf("the whole lab took %.1f min", time.Since(began).Minutes())
}
