package calc

import (
	"regexp"
	"strings"
	"testing"
)

var tagRE = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^>]*)>`)
var testidRE = regexp.MustCompile(`data-testid="([^"]*)"`)

// inputPaths maps each input, textarea and select with a data-testid to the tag names (start
// and end) before it. vugu matches DOM nodes by position: when this prefix differs between two
// renders, the browser's element is replaced (and an input being typed into loses its focus).
func inputPaths(html string) map[string]string {
	out := map[string]string{}
	var prefix []string
	for _, m := range tagRE.FindAllStringSubmatch(html, -1) {
		name := strings.ToLower(m[2])
		if m[1] == "" && (name == "input" || name == "textarea" || name == "select") {
			if id := testidRE.FindStringSubmatch(m[3]); id != nil {
				out[id[1]] = strings.Join(prefix, " ")
			}
		}
		prefix = append(prefix, m[1]+name)
	}
	return out
}

// TestInputsStayPut renders each view before and after an input that makes an error (and back),
// and checks that no input moves in the tree: an error must not insert elements before them.
func TestInputsStayPut(t *testing.T) {
	for _, tc := range []struct{ query, key, bad, good string }{
		{"model=custom", "spec", `{"input":[1,5,5],"layers":[{"type":"conv","name":"big","out":4,"k":7}]}`,
			`{"input":[1,5,5],"layers":[{"type":"conv","name":"big","out":4,"k":3,"p":1}]}`},
		{"model=custom", "spec", `{`, `{"input":[1,5,5],"layers":[{"type":"fc","out":2}]}`},
		{"view=rf", "rf.1.k", "", "5"},
		{"view=rf", "rf.0.s", "x", "2"},
		{"view=rf", "n", "", "4"},
		{"view=inception", "inc.c1", "", "32"},
		{"view=inception", "inc.h", "0", "14"},
	} {
		c := &Calculators{Query: tc.query}
		before := render(t, c)
		if _, ok := testidText(t, before, "calc-error"); ok {
			t.Fatalf("%s: calc-error before the edit", tc.query)
		}
		c.apply(tc.key, tc.bad)
		bad := render(t, c)
		if _, ok := testidText(t, bad, "calc-error"); !ok {
			t.Errorf("%s %s=%q: no calc-error", tc.query, tc.key, tc.bad)
		}
		c.apply(tc.key, tc.good)
		good := render(t, c)
		if msg, ok := testidText(t, good, "calc-error"); ok {
			t.Errorf("%s %s=%q: calc-error %q", tc.query, tc.key, tc.good, msg)
		}
		p0 := inputPaths(before)
		if len(p0) == 0 {
			t.Fatalf("%s: no inputs found", tc.query)
		}
		for _, after := range []string{bad, good} {
			p1 := inputPaths(after)
			for id, path := range p0 {
				if p1[id] != path {
					t.Errorf("%s %s: input %s moved in the tree", tc.query, tc.key, id)
				}
			}
		}
	}
}
