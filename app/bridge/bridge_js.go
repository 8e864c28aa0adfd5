//go:build js

package bridge

import (
	"fmt"
	"syscall/js"

	"github.com/lenetlab/lenetlab/protocol"
)

// Worker is the training worker seen from the page.
type Worker struct {
	w      js.Value
	events *queue[protocol.Message]
	funcs  []js.Func
}

// Start takes over the worker that index.html started (window.lenetlabWorker, with the events it
// queued in window.lenetlabWorkerEarly), or launches the worker script (e.g. "worker.js"), and
// calls handle for every event it posts, in order, from one goroutine. Messages that fail to
// decode and worker errors (a failed script load, an uncaught exception) become Error events.
func Start(script string, handle func(protocol.Message)) (*Worker, error) {
	ctor := js.Global().Get("Worker")
	if ctor.IsUndefined() {
		return nil, fmt.Errorf("this browser has no Web Workers; use a current Chrome, Edge, Firefox or Safari")
	}
	w := js.Global().Get("lenetlabWorker")
	var early js.Value
	if w.Truthy() {
		early = js.Global().Get("lenetlabWorkerEarly")
	} else {
		w = ctor.New(script)
	}
	wk := &Worker{w: w, events: newQueue[protocol.Message]()}
	onMessage := js.FuncOf(func(this js.Value, args []js.Value) any {
		data := args[0].Get("data")
		if data.Type() != js.TypeString {
			wk.events.push(errorEvent("the worker posted a non-string message"))
			return nil
		}
		msg, err := protocol.Decode([]byte(data.String()))
		if err != nil {
			wk.events.push(errorEvent(err.Error()))
			return nil
		}
		wk.events.push(msg)
		return nil
	})
	onError := js.FuncOf(func(this js.Value, args []js.Value) any {
		e := args[0]
		text := "the training worker failed"
		if m := e.Get("message"); m.Type() == js.TypeString && m.String() != "" {
			text += ": " + m.String()
		}
		wk.events.push(errorEvent(text + " (reload the page; if it persists, check the browser console)"))
		return nil
	})
	wk.funcs = []js.Func{onMessage, onError}
	wk.w.Set("onmessage", onMessage)
	wk.w.Set("onerror", onError)
	// Replay what arrived before, in order; no event can slip in between (this runs without
	// returning to the event loop).
	if early.Truthy() {
		for i := 0; i < early.Length(); i++ {
			e := early.Index(i)
			if e.Get("type").String() == "error" {
				onError.Invoke(e)
			} else {
				onMessage.Invoke(e)
			}
		}
		early.Set("length", 0)
	}
	go func() {
		for {
			for _, m := range wk.events.drain() {
				handle(m)
			}
		}
	}()
	return wk, nil
}

func errorEvent(text string) protocol.Message {
	return protocol.Message{V: protocol.Version, Kind: protocol.KindError, Error: &protocol.Error{Message: text}}
}

// Send posts one command. An encoding error is reported as an Error event.
func (wk *Worker) Send(m protocol.Message) {
	b, err := protocol.Encode(m)
	if err != nil {
		wk.events.push(errorEvent(err.Error()))
		return
	}
	wk.w.Call("postMessage", string(b))
}

// SendPort posts one command with a MessagePort in its transfer list (a viz-port command).
func (wk *Worker) SendPort(m protocol.Message, port js.Value) {
	b, err := protocol.Encode(m)
	if err != nil {
		wk.events.push(errorEvent(err.Error()))
		return
	}
	wk.w.Call("postMessage", string(b), []any{port})
}
