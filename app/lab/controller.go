package lab

import (
	"net/url"

	"github.com/lenetlab/lenetlab/protocol"
)

// Controller connects the Lab page's Model to the training worker and to the page URL. The page's
// event handlers call its methods with the render lock held; worker events reach Model.Apply the
// same way (see app/bridge).
type Controller struct {
	Model *Model
	// Send posts a command to the worker.
	Send func(protocol.Message)
	// OnSettings is called with the form as URL query parameters whenever a field changes, so the
	// address bar always holds a link that reproduces the form.
	OnSettings func(url.Values)
	// DataURL is where the worker fetches the MNIST files (relative to the worker script).
	DataURL string
}

// SetField sets one form field (named by its URL parameter) and updates the URL.
func (c *Controller) SetField(param, value string) {
	if c.Model.Form.Get(param) == value {
		return
	}
	c.Model.Form.Set(param, value)
	c.Model.FormErr = ""
	if c.OnSettings != nil {
		c.OnSettings(c.Model.Form.Query())
	}
}

// Start begins a run with the form's settings (or shows why it cannot).
func (c *Controller) Start() {
	if msg, ok := c.Model.Start(c.DataURL); ok {
		c.send(msg)
	}
}

// Pause, Resume and Stop control the current run.
func (c *Controller) Pause()  { c.command(protocol.KindPause) }
func (c *Controller) Resume() { c.command(protocol.KindResume) }
func (c *Controller) Stop()   { c.command(protocol.KindStop) }

func (c *Controller) command(k protocol.Kind) {
	if msg, ok := c.Model.Command(k); ok {
		c.send(msg)
	}
}

func (c *Controller) send(msg protocol.Message) {
	if c.Send == nil {
		c.Model.Fail("the training worker is not running")
		return
	}
	c.Send(msg)
}
