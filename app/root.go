package app

import (
	"github.com/lenetlab/lenetlab/app/lab"
	"github.com/lenetlab/lenetlab/app/vizui"
)

// Root is the page frame: navigation and the component of the current route.
type Root struct {
	Route string
	Query string // the hash's query, for the calculators
	Lab   *lab.Controller
	// OnCalcQuery stores the calculators' state in the hash (wasm/ui replaces the history entry).
	OnCalcQuery func(q string)
}

// SetHash takes a new location hash.
// On the Concepts page it asks the worker for the demos of the runs done so far.
func (c *Root) SetHash(hash string) {
	c.Route, c.Query = ParseHash(hash)
	if c.Route == RouteConcepts && c.Lab != nil {
		c.Lab.EnterConcepts()
	}
}

func (c *Root) demo() *vizui.Demo {
	if c.Lab == nil {
		return nil
	}
	return c.Lab.Demo
}

func (c *Root) navClass(route string) string {
	if c.Route == route {
		return "active"
	}
	return ""
}
