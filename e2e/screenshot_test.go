package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestScreenshots saves full-page PNGs of the Lab after a short bn-dropout run and of the
// calculators into $LENETLAB_E2E_SCREENSHOTS (skipped when unset), for people to look at.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LENETLAB_E2E_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LENETLAB_E2E_SCREENSHOTS=DIR to save screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := newPage(t, 5*time.Minute)
	shot := func(name string) {
		b, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.open("/?variant=bn-dropout&epochs=2&train-limit=2048&test-limit=500&batch=128#/lab")
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("the run to finish", textIs("status", "done"), 4*time.Minute)
	shot("lab.png")
	eval[bool](p, `(location.hash = "#/calculators?model=vgg16", true)`)
	p.waitFor("the calculators", `document.querySelector('[data-testid="calc-total-params"]')`, 10*time.Second)
	shot("calculators.png")
	p.noErrors()
}
