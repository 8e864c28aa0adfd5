package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/lenetlab/lenetlab/cmd/serve/site"
)

var (
	enabled   = os.Getenv("LENETLAB_E2E") == "1"
	browser   context.Context // one Chromium for the package; each test opens a tab
	serverURL string
	setupErr  error
)

func TestMain(m *testing.M) {
	if !enabled {
		os.Exit(m.Run()) // every test skips
	}
	cancel, err := setup()
	if err != nil {
		setupErr = err
	}
	code := m.Run()
	if cancel != nil {
		cancel()
	}
	os.Exit(code)
}

func setup() (func(), error) {
	dist := os.Getenv("LENETLAB_DIST")
	if dist == "" {
		dist = filepath.Join("..", "dist")
	}
	for _, f := range []string{"index.html", "ui.wasm", "trainer.wasm", "worker.js", "wasm_exec.js", "data/train-images-idx3-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(dist, f)); err != nil {
			return nil, fmt.Errorf("the built site is incomplete (%v): run ./build.sh first, or set LENETLAB_DIST", err)
		}
	}
	exe := os.Getenv("LENETLAB_CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(exe); err != nil {
		return nil, fmt.Errorf("chromium not found at %s (%v): apt-get install chromium, or set LENETLAB_CHROMIUM", exe, err)
	}
	srv := httptest.NewServer(site.Handler(dist))
	serverURL = srv.URL
	userDir, err := os.MkdirTemp("", "lenetlab-e2e-chrome-")
	if err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Headless, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(userDir),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("enable-unsafe-webgpu", true), chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		bcancel()
		acancel()
		srv.Close()
		return nil, fmt.Errorf("starting chromium: %w", err)
	}
	browser = bctx
	if c := chromedp.FromContext(bctx); c != nil && c.Browser != nil && c.Browser.Process() != nil {
		chromeRoot = c.Browser.Process().Pid
	}
	return func() {
		bcancel()
		acancel()
		srv.Close()
		os.RemoveAll(userDir)
	}, nil
}

// page is one browser tab with the console errors and exceptions it saw.
type page struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	errs []string
	logs []string
}

// newPage opens a tab (skipping the test without LENETLAB_E2E=1, failing it when setup failed).
func newPage(t *testing.T, timeout time.Duration) *page {
	t.Helper()
	if !enabled {
		t.Skip("browser tests run with LENETLAB_E2E=1 (./build.sh test)")
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	p := &page{t: t}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(p.listen))
	if err := chromedp.Do(ctx); err != nil { // opens the tab (no timeout on the first Run)
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelT(); cancel() })
	p.ctx = ctx
	return p
}

func (p *page) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line := string(e.Type) + ": " + strings.Join(parts, " ")
		p.mu.Lock()
		p.logs = append(p.logs, line)
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			p.errs = append(p.errs, line)
		}
		p.mu.Unlock()
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.mu.Lock()
		p.errs = append(p.errs, "exception: "+msg)
		p.mu.Unlock()
	}
}

// do runs chromedp actions, failing the test on error.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\nconsole:\n%s", what, err, p.console())
	}
}

func (p *page) console() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := append(append([]string{}, p.logs...), p.errs...)
	if len(all) > 60 {
		all = all[len(all)-60:]
	}
	return strings.Join(all, "\n")
}

// noErrors fails the test if the page logged a console error or threw.
func (p *page) noErrors() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) > 0 {
		p.t.Errorf("the page reported %d console errors or exceptions:\n%s", len(p.errs), strings.Join(p.errs, "\n"))
	}
}

// open navigates to path (e.g. "/?epochs=2#/lab") and waits until ui.wasm rendered.
func (p *page) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(serverURL+path),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ui-ready="1"]`)))
}

// eval evaluates a JavaScript expression.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("eval %s: %v\nconsole:\n%s", expr, err, p.console())
	}
	return v
}

// text returns the text of the first element with the data-testid, "" when there is none.
func (p *page) text(testid string) string {
	return eval[string](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]'); return e ? e.textContent.trim() : ""; })()`, testid))
}

// waitFor polls a JavaScript boolean expression until it holds or the timeout passes.
func (p *page) waitFor(what, expr string, timeout time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	for {
		if eval[bool](p, "!!("+expr+")") {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			p.t.Fatalf("timed out after %v waiting for %s (%s)\nstatus %q, error %q\nconsole:\n%s", timeout, what, expr,
				p.text("status"), p.text("run-error")+p.text("form-error"), p.console())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sel is a CSS selector for a data-testid.
func sel(testid string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, testid)) }

// typeInto clears the input with the data-testid and types text into it as keystrokes.
func (p *page) typeInto(testid, text string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]'); e.focus(); e.select(); return true; })()`, testid))
	p.do("type into "+testid, chromedp.SendKeys(sel(testid), text))
}

// paste replaces the value of the input or textarea with the data-testid in one input event.
func (p *page) paste(testid, text string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]'); e.value = %q;
		e.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, testid, text))
}
