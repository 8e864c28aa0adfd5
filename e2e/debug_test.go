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
	p.open("/?variant=standard-bn&epochs=1&train-limit=60000&test-limit=100&batch=256#/lab")
	p.do("start", chromedp.Click(sel("start")))
	for i := 0; i < 10; i++ {
		t.Log(p.text("status"), " | ", p.text("train-progress-text"))
		time.Sleep(time.Second)
	}
}
