package e2e

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestDebugDump(t *testing.T) {
	if os.Getenv("LENETLAB_DEBUG") == "" {
		t.Skip()
	}
	p := newPage(t, 4*time.Minute)
	p.open("/?variant=standard-bn&epochs=1&train-limit=512&test-limit=100&batch=64#/lab")
	p.do("start", chromedp.Click(sel("start")))
	p.waitFor("done", `document.querySelector('[data-testid="status"]').textContent.trim() === "done"`, 3*time.Minute)
	t.Log(eval[string](p, `JSON.stringify(window.lenetlabTiming) + document.querySelector(".run").outerHTML.slice(0, 1500)`))
	t.Log(p.console())
}
