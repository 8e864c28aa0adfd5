package calc

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore/arch"
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"
)

// render builds the component natively and renders it to HTML, as the browser would get it.
func render(t *testing.T, c *Calculators) string {
	t.Helper()
	env, err := vugu.NewBuildEnv()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := staticrender.New(&buf).Render(env.RunBuild(c)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func testidText(t *testing.T, html, id string) (string, bool) {
	t.Helper()
	re := regexp.MustCompile(`data-testid="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`)
	m := re.FindAllStringSubmatch(html, -1)
	if len(m) > 1 {
		t.Errorf("%d elements with data-testid %q", len(m), id)
	}
	if len(m) == 0 {
		return "", false
	}
	return m[0][1], true
}

func TestRenderHooks(t *testing.T) {
	for _, tc := range []struct{ query, total string }{
		{"model=vgg19", "143,667,240"},
		{"model=alexnet-torchvision", "61,100,840"},
		{"model=lenet5_bn", "62,158"},
		{"model=inception-naive", "1,089,952"},
		{"model=googlenet-3a", "163,696"},
		{"", "62,378,344"},
	} {
		html := render(t, &Calculators{Query: tc.query})
		if got, ok := testidText(t, html, "calc-total-params"); !ok || got != tc.total {
			t.Errorf("%q: calc-total-params %q, want %q", tc.query, got, tc.total)
		}
		if _, ok := testidText(t, html, "calc-error"); ok {
			t.Errorf("%q: calc-error present without an error", tc.query)
		}
		for _, name := range append(arch.Presets(), CustomModel) {
			if !regexp.MustCompile(`<option [^>]*value="` + regexp.QuoteMeta(name) + `"`).MatchString(html) {
				t.Errorf("calc-model lacks option %q", name)
			}
		}
		if !strings.Contains(html, `data-testid="calc-model"`) {
			t.Error("no calc-model select")
		}
		if m := regexp.MustCompile(`<option selected="selected" value="([^"]*)"`).FindAllStringSubmatch(html, -1); tc.query != "" && (len(m) < 1 || "model="+m[0][1] != tc.query) {
			t.Errorf("%q: selected options %q", tc.query, m)
		}
	}
	// vg-html must get vugu.HTML: a plain string is escaped and the page shows markup as text.
	for _, q := range []string{"model=vgg16", "model=inception-naive", "model=lenet5"} {
		html := render(t, &Calculators{Query: q})
		if !strings.Contains(html, `<table class="num calc-layers"`) || strings.Contains(html, "&lt;table") || strings.Contains(html, "&lt;td") {
			t.Errorf("%q: the tables are not rendered as HTML", q)
		}
	}
	html := render(t, &Calculators{Query: "model=custom"})
	if !strings.Contains(html, `data-testid="calc-spec"`) {
		t.Error("custom view has no calc-spec textarea")
	}
	html = render(t, &Calculators{Query: "view=rf"})
	if got, _ := testidText(t, html, "calc-rf-identity"); got != "7" {
		t.Errorf("rf identity %q", got)
	}
	if got, _ := testidText(t, html, "calc-rf-out-3"); got != "7" {
		t.Errorf("rf row 3 %q", got)
	}
}

func TestRenderErrorAndOnQuery(t *testing.T) {
	var got []string
	c := &Calculators{Query: "model=custom", OnQuery: func(q string) { got = append(got, q) }}
	render(t, c)
	c.apply("spec", `{"input":[1,8,8],"layers":[{"type":"conv","name":"big","out":2,"k":9}]}`)
	html := render(t, c)
	msg, ok := testidText(t, html, "calc-error")
	if !ok || !strings.Contains(msg, `layer 1 &#34;big&#34;: kernel 9 is larger than the padded input 8`) {
		t.Errorf("calc-error %q (present %v)", msg, ok)
	}
	if total, _ := testidText(t, html, "calc-total-params"); total != "61,706" {
		t.Errorf("last valid total not kept: %q", total)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "model=custom&spec=") {
		t.Errorf("OnQuery calls %q", got)
	}
	// The shell echoes the query back: the state stays. A new hash from outside is followed.
	c.Query = got[0]
	render(t, c)
	if _, ok := testidText(t, render(t, c), "calc-error"); !ok {
		t.Error("echoed query reset the state")
	}
	c.Query = "model=vgg11"
	html = render(t, c)
	if total, _ := testidText(t, html, "calc-total-params"); total != "132,863,336" {
		t.Errorf("new hash not followed: %q", total)
	}
	c.apply("dtype", "fp16")
	if got[len(got)-1] != "model=vgg11&dtype=fp16" {
		t.Errorf("query %q", got[len(got)-1])
	}
	c.apply("view", ViewInception)
	c.apply("inc.c1", "")
	html = render(t, c)
	if msg, _ := testidText(t, html, "calc-error"); msg != "Inception 1×1 filters: empty; type a whole number" {
		t.Errorf("inception error %q", msg)
	}
	// Stale Query (shell did not echo): the component keeps its own state.
	c.Query = "model=vgg11"
	html = render(t, c)
	if !strings.Contains(html, `data-testid="calc-section-inception"`) {
		t.Error("stale query reset the view")
	}
}
