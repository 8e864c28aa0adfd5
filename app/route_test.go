package app

import "testing"

func TestParseHash(t *testing.T) {
	cases := []struct{ hash, route, query string }{
		{"", RouteLab, ""}, {"#", RouteLab, ""}, {"#/lab", RouteLab, ""}, {"#/concepts", RouteConcepts, ""},
		{"#/calculators?model=vgg16&x=1", RouteCalculators, "model=vgg16&x=1"}, {"#/calculators", RouteCalculators, ""},
		{"#/nowhere?a=b", RouteLab, "a=b"}, {"#calculators", RouteCalculators, ""},
	}
	for _, c := range cases {
		r, q := ParseHash(c.hash)
		if r != c.route || q != c.query {
			t.Errorf("ParseHash(%q) = %q, %q; want %q, %q", c.hash, r, q, c.route, c.query)
		}
		if c.hash == "#/"+c.route || c.query != "" && c.route != RouteLab {
			if h := Hash(r, q); h != c.hash {
				t.Errorf("Hash(%q, %q) = %q, want %q", r, q, h, c.hash)
			}
		}
	}
}
