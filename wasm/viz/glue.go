//go:build js && wasm

package main

// The iframe's JavaScript side.
//
// Messages: the page posts {type: "viz-port"} (or {type: "port"}) to the iframe's window once, with
// a MessagePort in the transfer list; the trainer worker holds the other end and posts
// protocol.MarshalViz text (a JSON string) on it. The iframe answers each live frame it has drawn
// with a protocol.VizAck on the latest port, which paces the worker. Messages posted straight to
// the window are accepted too (for tests): JSON strings, UTF-8 JSON bytes (Uint8Array/ArrayBuffer)
// or plain objects.
//
// Test hooks on window:
//   __vizReady        true once the program listens
//   __vizFrames       number of live frames drawn so far
//   __vizFrameMs      milliseconds spent decoding, probing and composing live frames, in all
//   __vizDraws        number of times the screen was drawn; __vizDrawMs the milliseconds it took
//   __vizTicks        animation frames ebiten's loop was let through (static/viz.html)
//   __vizAcks         the milliseconds of the last acks sent to the worker (up to 20)
//   __vizProbs        the pad's ten probabilities (array of numbers), null while the pad is empty
//   __vizPredictions  number of pad predictions made
//   __vizModels       labels of the models the pad offers
//   __vizError        the last error, as text
//   __vizDraw(strokes)  draws strokes, an array of arrays of [x, y] points in pad units (0..1, from
//                       the top-left corner), then predicts
//   __vizClear()        clears the pad
//   __vizSelectModel(label) chooses a finished model for the pad; returns false if unknown

import (
	"encoding/json"
	"sync"
	"syscall/js"
	"time"

	"github.com/lenetlab/lenetlab/protocol"
)

var (
	window = js.Global()

	inboxMu sync.Mutex
	inbox   [][]byte
	wake    = make(chan struct{}, 1)
)

func listen(g *game) {
	onMessage := js.FuncOf(func(this js.Value, args []js.Value) any {
		ev := args[0]
		data := ev.Get("data")
		if data.Type() == js.TypeObject && !isBytes(data) {
			t := data.Get("type")
			if t.Type() == js.TypeString && (t.String() == protocol.VizPortType || t.String() == "port") {
				port := ev.Get("ports").Index(0)
				if port.IsUndefined() {
					port = data.Get("port")
				}
				if port.IsUndefined() || port.IsNull() {
					setError("viz: a port message came without a MessagePort in its transfer list")
					return nil
				}
				port.Set("onmessage", portHandler)
				port.Call("start")
				ackPort = port
				return nil
			}
		}
		receive(data)
		return nil
	})
	portHandler = js.FuncOf(func(this js.Value, args []js.Value) any {
		receive(args[0].Get("data"))
		return nil
	})
	window.Call("addEventListener", "message", onMessage)

	window.Set("__vizFrames", 0)
	window.Set("__vizFrameMs", 0)
	window.Set("__vizAcks", js.ValueOf([]any{}))
	window.Set("__vizDraws", 0)
	window.Set("__vizDrawMs", 0)
	window.Set("__vizPredictions", 0)
	window.Set("__vizProbs", js.Null())
	window.Set("__vizModels", js.ValueOf([]any{}))
	window.Set("__vizDraw", js.FuncOf(func(this js.Value, args []js.Value) any {
		strokes := parseStrokes(args)
		go g.drawStrokes(strokes)
		return nil
	}))
	window.Set("__vizClear", js.FuncOf(func(this js.Value, args []js.Value) any {
		go g.clearPad()
		return nil
	}))
	window.Set("__vizSelectModel", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) == 0 {
			return false
		}
		// The game's lock may be held by ebiten's goroutine, parked inside Draw: never take it in
		// a callback. Answer from the published labels and select in a goroutine.
		label := args[0].String()
		known := window.Get("__vizModels")
		for i := range known.Length() {
			if known.Index(i).String() == label {
				go g.selectModel(label)
				return true
			}
		}
		return false
	}))
	go process(g)
	window.Set("__vizReady", true)
}

var (
	portHandler js.Func
	ackPort     = js.Undefined() // the port frames come on, where acks go
)

// ackFrame tells the worker that the frame of step has been shown and took d of this thread.
func ackFrame(step int64, d time.Duration) {
	if ackPort.IsUndefined() {
		return
	}
	if b, err := protocol.MarshalViz(protocol.NewVizAck(step, d)); err == nil {
		ackPort.Call("postMessage", string(b))
	}
	acks := window.Get("__vizAcks")
	if acks.Length() >= 20 {
		acks.Call("shift")
	}
	acks.Call("push", d.Seconds()*1000)
}

func isBytes(v js.Value) bool {
	return v.InstanceOf(js.Global().Get("Uint8Array")) || v.InstanceOf(js.Global().Get("ArrayBuffer"))
}

// receive copies a message's text out of JavaScript and queues it; it never blocks.
func receive(data js.Value) {
	var b []byte
	switch {
	case data.Type() == js.TypeString:
		b = []byte(data.String())
	case data.InstanceOf(js.Global().Get("ArrayBuffer")):
		u := js.Global().Get("Uint8Array").New(data)
		b = make([]byte, u.Length())
		js.CopyBytesToGo(b, u)
	case data.InstanceOf(js.Global().Get("Uint8Array")):
		b = make([]byte, data.Length())
		js.CopyBytesToGo(b, data)
	case data.Type() == js.TypeObject:
		b = []byte(js.Global().Get("JSON").Call("stringify", data).String())
	default:
		setError("viz: ignored a message that is neither text nor an object")
		return
	}
	inboxMu.Lock()
	inbox = append(inbox, b)
	inboxMu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

// process decodes queued messages. Models are all kept; of several queued frames only the newest is
// shown, so a slow machine skips frames instead of falling behind.
func process(g *game) {
	var frameTime time.Duration
	for range wake {
		began := time.Now()
		inboxMu.Lock()
		msgs := inbox
		inbox = nil
		inboxMu.Unlock()
		var last *protocol.VizFrame
		for _, b := range msgs {
			msg, err := protocol.UnmarshalViz(b)
			if err != nil {
				setError(err.Error())
				continue
			}
			switch m := msg.(type) {
			case *protocol.VizFrame:
				last = m
			case *protocol.VizModel:
				if err := g.addModel(m); err != nil {
					setError(err.Error())
				}
			case *protocol.VizAck: // (not for this side)
			}
		}
		if last != nil {
			if err := g.showFrame(last, began); err != nil {
				setError(err.Error())
			}
			frameTime += time.Since(began)
			window.Set("__vizFrameMs", frameTime.Seconds()*1000)
		}
	}
}

func parseStrokes(args []js.Value) [][][2]float64 {
	if len(args) == 0 {
		return nil
	}
	var strokes [][][2]float64
	s := js.Global().Get("JSON").Call("stringify", args[0]).String()
	if err := json.Unmarshal([]byte(s), &strokes); err != nil {
		setError("viz: __vizDraw wants [[[x, y], ...], ...] in pad units 0..1: " + err.Error())
		return nil
	}
	return strokes
}

func publishProbs(p []float32, n int) {
	window.Set("__vizPredictions", n)
	if p == nil {
		window.Set("__vizProbs", js.Null())
		return
	}
	a := make([]any, len(p))
	for i, v := range p {
		a[i] = float64(v)
	}
	window.Set("__vizProbs", js.ValueOf(a))
}

func publishFrames(n int) { window.Set("__vizFrames", n) }

func publishDraws(n int, d time.Duration) {
	window.Set("__vizDraws", n)
	window.Set("__vizDrawMs", d.Seconds()*1000)
}

// wakeLoop lets ebiten's animation-frame loop run a few frames (see static/viz.html).
func wakeLoop() {
	if w := window.Get("__vizWake"); w.Type() == js.TypeFunction {
		w.Invoke()
	}
}

func publishModels(labels []string) {
	a := make([]any, len(labels))
	for i, l := range labels {
		a[i] = l
	}
	window.Set("__vizModels", js.ValueOf(a))
}

func setError(s string) {
	window.Set("__vizError", s)
	js.Global().Get("console").Call("error", s)
}

func reportError(err error) { setError("viz: " + err.Error()) }
