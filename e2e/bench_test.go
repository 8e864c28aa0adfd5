package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type benchResult struct {
	OK                bool    `json:"ok"`
	Error             string  `json:"error"`
	Engine            string  `json:"engine"`
	Variant           string  `json:"variant"`
	Adapter           string  `json:"adapter"`
	TrainImgPerSec    float64 `json:"train_img_s"`
	InferImgPerSec    float64 `json:"infer_img_s"`
	DispatchesPerStep int     `json:"dispatches_per_step"`
	MsPerStep         float64 `json:"ms_per_step"`
	StateMs           float64 `json:"state_ms"`
	SetupMs           float64 `json:"setup_ms"`
}

// benchPage opens bench.html with query and returns window.__result once it is set.
func benchPage(t *testing.T, p *page, query string) benchResult {
	t.Helper()
	p.do("open bench.html"+query, chromedp.Navigate(serverURL+"/bench.html"+query))
	p.waitFor("window.__result", `window.__result`, 2*time.Minute)
	var r benchResult
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify(window.__result)`)), &r); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %+v", query, r)
	return r
}

func TestBenchPage(t *testing.T) {
	p := newPage(t, 4*time.Minute)
	for _, c := range []struct{ engine, query string }{
		{"webgpu", "?engine=webgpu&batches=2"},
		{"cpu", "?engine=cpu&batches=2&variant=dropout"},
	} {
		r := benchPage(t, p, c.query)
		if !r.OK || r.Engine != c.engine || !(r.TrainImgPerSec > 0 && r.InferImgPerSec > 0 && r.MsPerStep > 0) || r.Adapter == "" {
			t.Errorf("%s: %+v, want ok with positive numbers", c.query, r)
		}
		if c.engine == "webgpu" && r.DispatchesPerStep <= 0 {
			t.Errorf("%s: %d dispatches per step", c.query, r.DispatchesPerStep)
		}
		if s := p.text("bench-status"); s != "done" {
			t.Errorf("%s: status %q", c.query, s)
		}
	}
	r := benchPage(t, p, "?engine=tpu")
	if r.OK || r.Error == "" {
		t.Errorf("engine=tpu: %+v, want ok:false with an error", r)
	}
	p.noErrors()
}

// TestBenchMeasure (LENETLAB_BENCH_BATCHES=N) runs the bench page for both engines on
// standard-bn and dropout at batch 256 and logs a table for docs/results-browser.md, with the
// load average before and after.
func TestBenchMeasure(t *testing.T) {
	n := os.Getenv("LENETLAB_BENCH_BATCHES")
	if n == "" {
		t.Skip("set LENETLAB_BENCH_BATCHES=N to measure")
	}
	p := newPage(t, 9*time.Minute)
	load := func() string {
		b, _ := os.ReadFile("/proc/loadavg")
		return strings.TrimSpace(string(b))
	}
	t.Logf("load average before: %s", load())
	t.Logf("| engine | variant | train img/s | infer img/s | ms/step | dispatches/step | State readback ms | engine setup ms | adapter |")
	for _, v := range []string{"standard-bn", "dropout"} {
		for _, e := range []string{"webgpu", "cpu"} {
			r := benchPage(t, p, "?engine="+e+"&variant="+v+"&batches="+n)
			if !r.OK {
				t.Errorf("%s %s: %s", e, v, r.Error)
				continue
			}
			t.Logf("| %s | %s | %.1f | %.1f | %.1f | %d | %.1f | %.0f | %s |", e, v, r.TrainImgPerSec, r.InferImgPerSec, r.MsPerStep,
				r.DispatchesPerStep, r.StateMs, r.SetupMs, r.Adapter)
		}
	}
	t.Logf("load average after: %s", load())
}
