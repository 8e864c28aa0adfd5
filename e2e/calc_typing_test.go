package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/lenetlab/lenetlab/app/calc"
)

// markInput tags the DOM node of the input with the data-testid, so that sameInput can tell
// whether vugu kept it or replaced it with a new element.
func (p *page) markInput(testid string) {
	p.t.Helper()
	if !eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]'); if (!e) return false;
		e.__typingMark = true; e.focus(); e.select(); return true; })()`, testid)) {
		p.t.Fatalf("no %s", testid)
	}
}

// sameInput fails the test unless the input with the data-testid is still the node markInput
// tagged and still has the focus.
func (p *page) sameInput(testid, when string) {
	p.t.Helper()
	got := eval[string](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]');
		if (!e) return "gone"; if (!e.__typingMark) return "re-created"; if (document.activeElement !== e) return "not focused";
		return "ok"; })()`, testid))
	if got != "ok" {
		p.t.Fatalf("%s: %s is %s", when, testid, got)
	}
}

const errorShown = `(document.querySelector('[data-testid="calc-error"]') || {}).textContent?.trim()`

// keys types text into the focused element as real key events, one character at a time,
// without focusing anything (keystrokes that lose their target go missing).
func (p *page) keys(text string) { p.t.Helper(); p.do("type "+text, chromedp.KeyEvent(text)) }

// TestCalculatorTypingSpec types a spec into the custom-stack textarea key by key: the error that
// appears after the first character must not re-create the textarea (vugu matches nodes by
// position, and an error paragraph inserted above it did), or focus and keystrokes are lost.
func TestCalculatorTypingSpec(t *testing.T) {
	p := newPage(t, time.Minute)
	p.open("/#/calculators?model=custom")
	p.waitFor("the spec editor", `document.querySelector('[data-testid="calc-spec"]')`, 10*time.Second)
	before := p.text("calc-total-params")
	p.markInput("calc-spec")

	// The first character replaces the selected spec: "{" alone is invalid.
	p.do("type {", chromedp.SendKeys(sel("calc-spec"), "{"))
	p.waitFor("calc-error after the first key", errorShown, 5*time.Second)
	p.sameInput("calc-spec", "after the first key")

	// A whole spec whose layer has no output (7×7 kernel on 5×5, no padding).
	bad := `{"input":[1,5,5],"layers":[{"type":"conv","name":"big","out":4,"k":7}]}`
	p.keys(bad[1:])
	p.waitFor("calc-error naming the layer", errorShown+`?.includes("big")`, 5*time.Second)
	p.sameInput("calc-spec", "after the invalid spec")
	msg := p.text("calc-error")
	t.Logf("calc-error: %s", msg)
	if !strings.Contains(msg, "kernel 7") {
		t.Errorf("calc-error %q does not give the reason", msg)
	}

	// Delete `}]}` and pad the layer: 7×7 on the padded 7×7 input gives 1×1, 4·(1·7·7)+4 = 200.
	p.keys(kb.Backspace + kb.Backspace + kb.Backspace + `,"p":1}]}`)
	final := bad[:len(bad)-3] + `,"p":1}]}`
	want := calc.NewPage("model=custom&spec=" + url.QueryEscape(final)).TotalParams()
	if want != "200" {
		t.Fatalf("calculator core: total %q, want 200", want)
	}
	p.waitFor("the total of the typed spec", textIs("calc-total-params", want), 5*time.Second)
	p.sameInput("calc-spec", "after the valid spec")
	if got := eval[string](p, `document.querySelector('[data-testid="calc-spec"]').value`); got != final {
		t.Errorf("textarea holds %q, typed %q", got, final)
	}
	if n := eval[int](p, `document.querySelectorAll('[data-testid="calc-error"]').length`); n != 0 {
		t.Errorf("calc-error still shown: %s", p.text("calc-error"))
	}
	if before == want {
		t.Errorf("the total was %s before typing too", before)
	}
	p.noErrors()
}

// TestCalculatorTypingFields does the same for a receptive-field cell and an Inception field:
// emptying them shows the error, typing a number clears it, and the input stays the same node.
func TestCalculatorTypingFields(t *testing.T) {
	p := newPage(t, time.Minute)
	inc := calc.NewPage("model=inception-naive")
	inc.Set("inc.c1", "96")
	for _, tc := range []struct{ hash, testid, typed, out, want, err string }{
		// Rows of 3×3, stride 1: with a 57 in row 2 the field of row 3 is 3 + 56 + 2 = 61.
		{"/#/calculators?view=rf", "calc-rf-k-2", "57", "calc-rf-out-3", "61", "row 2 kernel"},
		{"/#/calculators?model=inception-naive", "calc-inc-c1", "96", "calc-total-params", inc.TotalParams(), "1×1 filters"},
	} {
		p.open(tc.hash)
		p.waitFor(tc.testid, fmt.Sprintf(`document.querySelector('[data-testid=%q]')`, tc.testid), 10*time.Second)
		before := p.text(tc.out)
		p.markInput(tc.testid)
		p.do("empty "+tc.testid, chromedp.SendKeys(sel(tc.testid), kb.Backspace))
		p.waitFor("calc-error for "+tc.testid, errorShown+fmt.Sprintf(`?.includes(%q)`, tc.err), 5*time.Second)
		p.sameInput(tc.testid, "after emptying it")
		p.keys(tc.typed)
		p.waitFor("calc-error gone", `!document.querySelector('[data-testid="calc-error"]')`, 5*time.Second)
		p.sameInput(tc.testid, "after typing "+tc.typed)
		if got := eval[string](p, fmt.Sprintf(`document.querySelector('[data-testid=%q]').value`, tc.testid)); got != tc.typed {
			t.Errorf("%s holds %q, typed %q", tc.testid, got, tc.typed)
		}
		if before == tc.want {
			t.Fatalf("%s: %s is %s before typing too", tc.testid, tc.out, before)
		}
		p.waitFor(tc.out+" = "+tc.want, textIs(tc.out, tc.want), 5*time.Second)
		t.Logf("%s: %s %s → %s", tc.testid, tc.out, before, p.text(tc.out))
	}
	p.noErrors()
}
