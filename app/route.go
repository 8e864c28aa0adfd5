// Package app is the page of LeNet Lab: the router and the frame that mounts each page's component
// (Lab, Calculators, Concepts). The pages live in sub-packages; wasm/ui wires them to the browser.
package app

import "strings"

// Routes of the site, as they appear in the hash: #/lab, #/calculators?…, #/concepts.
const (
	RouteLab         = "lab"
	RouteCalculators = "calculators"
	RouteConcepts    = "concepts"
)

// ParseHash splits a location hash ("#/calculators?model=vgg16") into its route and query.
// An empty or unknown route is the Lab.
func ParseHash(hash string) (route, query string) {
	h := strings.TrimPrefix(strings.TrimPrefix(hash, "#"), "/")
	route, query, _ = strings.Cut(h, "?")
	switch route {
	case RouteLab, RouteCalculators, RouteConcepts:
		return route, query
	}
	return RouteLab, query
}

// Hash is the inverse of ParseHash.
func Hash(route, query string) string {
	if query == "" {
		return "#/" + route
	}
	return "#/" + route + "?" + query
}
