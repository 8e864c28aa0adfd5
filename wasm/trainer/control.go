package main

import (
	"context"
	"sync"
)

// control lets the command loop pause, resume and stop a run that trains on another goroutine.
// The training goroutine calls wait between batches.
type control struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	paused bool
	resume chan struct{} // closed by Resume; replaced by each Pause
}

func newControl() *control {
	ctx, cancel := context.WithCancel(context.Background())
	return &control{ctx: ctx, cancel: cancel}
}

// Pause makes the next wait block; it reports whether the state changed.
func (c *control) Pause() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused || c.ctx.Err() != nil {
		return false
	}
	c.paused = true
	c.resume = make(chan struct{})
	return true
}

// Resume releases a paused run; it reports whether the state changed.
func (c *control) Resume() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.paused {
		return false
	}
	c.paused = false
	close(c.resume)
	return true
}

// Stop ends the run at its next wait (a paused run stops at once).
func (c *control) Stop() { c.cancel() }

// wait blocks while the run is paused. It returns the context's error once stopped, and reports
// whether it blocked (so the caller can leave the pause out of its timings).
func (c *control) wait() (blocked bool, err error) { return c.waitThen(nil) }

// waitThen is wait that first calls onBlock (when non-nil) if it is about to block, so the run can
// say it has paused only once it really holds between batches.
func (c *control) waitThen(onBlock func()) (blocked bool, err error) {
	c.mu.Lock()
	paused, resume := c.paused, c.resume
	c.mu.Unlock()
	if paused {
		if onBlock != nil {
			onBlock()
		}
		select {
		case <-resume:
		case <-c.ctx.Done():
		}
	}
	return paused, c.ctx.Err()
}
