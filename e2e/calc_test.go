package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/app/calc"
	"github.com/lenetlab/lenetlab/nncore/arch"
)

// selectValue sets a <select>'s value and fires change, as a user's pick does.
func (p *page) selectValue(testid, value string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=%q]'); if (!e) return false;
		e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return e.value === %q; })()`, testid, value, value))
	if !ok {
		p.t.Fatalf("cannot select %q in %s", value, testid)
	}
}

// textIs is a JavaScript condition: the element's text equals want.
func textIs(testid, want string) string {
	return fmt.Sprintf(`(document.querySelector('[data-testid=%q]') || {}).textContent?.trim() === %q`, testid, want)
}

func TestCalculatorPresets(t *testing.T) {
	p := newPage(t, 2*time.Minute)
	p.open("/#/calculators")
	p.waitFor("the calculators", `document.querySelector('[data-testid="calc-model"]')`, 10*time.Second)
	for _, name := range arch.Presets() {
		// The expected total comes from the calculator core, computed here natively.
		want := calc.NewPage("model=" + name).TotalParams()
		if calc.ViewFor(name) != calc.ViewInception {
			spec, err := arch.Preset(name)
			if err != nil {
				t.Fatal(err)
			}
			res, err := arch.Analyze(spec, arch.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c := arch.Comma(res.Total.Params); c != want {
				t.Fatalf("%s: page logic says %s, arch.Analyze %s", name, want, c)
			}
		}
		if want == "" {
			t.Fatalf("%s: no total to expect", name)
		}
		p.selectValue("calc-model", name)
		p.waitFor(name+" total "+want, textIs("calc-total-params", want), 5*time.Second)
		if !strings.Contains(eval[string](p, `location.hash`), "model="+name) {
			t.Errorf("%s: the hash %q does not hold the model", name, eval[string](p, `location.hash`))
		}
	}
	p.noErrors()
}

func TestCalculatorInvalidLayer(t *testing.T) {
	p := newPage(t, time.Minute)
	p.open("/#/calculators?model=custom")
	p.waitFor("the spec editor", `document.querySelector('[data-testid="calc-spec"]')`, 10*time.Second)
	// A 7×7 kernel on a 5×5 input without padding has no output. The spec is pasted (one input event).
	p.paste("calc-spec", `{"input":[1,5,5],"layers":[{"type":"conv","name":"big","out":4,"k":7}]}`)
	p.waitFor("calc-error naming the layer", `(document.querySelector('[data-testid="calc-error"]') || {}).textContent?.includes('big')`, 10*time.Second)
	t.Logf("calc-error: %s", p.text("calc-error"))
	// Fixing the layer (padding 1, kernel 3) clears the error and shows the total: 4·(1·3·3)+4 = 40.
	p.paste("calc-spec", `{"input":[1,5,5],"layers":[{"type":"conv","name":"big","out":4,"k":3,"p":1}]}`)
	p.waitFor("the total of the fixed spec", textIs("calc-total-params", "40"), 10*time.Second)
	if n := eval[int](p, `document.querySelectorAll('[data-testid="calc-error"]').length`); n != 0 {
		t.Errorf("calc-error still shown: %s", p.text("calc-error"))
	}
	p.noErrors()
}
