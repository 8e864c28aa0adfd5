package app

import "github.com/lenetlab/lenetlab/app/lab"

// Root is the page frame: navigation and the component of the current route.
type Root struct {
	Route string
	Query string // the hash's query, for the calculators
	Lab   *lab.Controller
	// OnCalcQuery stores the calculators' state in the hash (wasm/ui replaces the history entry).
	OnCalcQuery func(q string)
}

// SetHash takes a new location hash.
func (c *Root) SetHash(hash string) { c.Route, c.Query = ParseHash(hash) }

func (c *Root) navClass(route string) string {
	if c.Route == route {
		return "active"
	}
	return ""
}
