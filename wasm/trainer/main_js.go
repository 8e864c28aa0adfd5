//go:build js

package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/protocol"
)

var self = js.Global()

func post(m protocol.Message) {
	b, err := protocol.Encode(m)
	if err != nil {
		b, _ = protocol.Encode(protocol.Message{Kind: protocol.KindError, Run: m.Run, Error: &protocol.Error{Message: err.Error()}})
	}
	self.Call("postMessage", string(b))
}

func main() {
	type command struct {
		m    protocol.Message
		port js.Value // the MessagePort of a viz-port command, or undefined
	}
	cmds := make(chan command, 1024)
	var mu sync.Mutex
	var pending []command
	wake := make(chan struct{}, 1)
	onMessage := js.FuncOf(func(this js.Value, args []js.Value) any {
		data := args[0].Get("data")
		var m protocol.Message
		var err error
		if data.Type() != js.TypeString {
			err = errors.New("protocol: the page posted a non-string message")
		} else {
			m, err = protocol.Decode([]byte(data.String()))
		}
		if err != nil {
			post(protocol.Message{Kind: protocol.KindError, Error: &protocol.Error{Message: err.Error()}})
			return nil
		}
		c := command{m: m, port: js.Undefined()}
		if ports := args[0].Get("ports"); m.Kind == protocol.KindVizPort && ports.Truthy() && ports.Length() > 0 {
			c.port = ports.Index(0)
		}
		mu.Lock()
		pending = append(pending, c)
		mu.Unlock()
		select {
		case wake <- struct{}{}:
		default:
		}
		return nil
	})
	self.Set("onmessage", onMessage)
	// Hand over the messages that arrived while the wasm was loading.
	if early := self.Get("lenetlabEarlyMessages"); early.Type() == js.TypeFunction {
		list := early.Invoke()
		for i := 0; i < list.Length(); i++ {
			onMessage.Invoke(list.Index(i))
		}
	}
	go func() {
		for range wake {
			mu.Lock()
			batch := pending
			pending = nil
			mu.Unlock()
			for _, m := range batch {
				cmds <- m
			}
		}
	}()

	d := &dataset{}
	hub := &vizHub{}
	store := &runStore{}
	r := &runner{post: post, load: d.load, yield: yieldToEventLoop,
		yieldEvery: 40 * time.Millisecond, snapshotEvery: 2 * time.Second,
		viz: hub, vizEvery: vizEvery, store: store}
	post(protocol.Message{Kind: protocol.KindReady})
	d.begin("data/")

	// The view acks the frames it has drawn on its port.
	onAck := js.FuncOf(func(this js.Value, args []js.Value) any {
		if data := args[0].Get("data"); data.Type() == js.TypeString {
			if msg, err := protocol.UnmarshalViz([]byte(data.String())); err == nil {
				if a, ok := msg.(*protocol.VizAck); ok {
					go hub.ack(a)
				}
			}
		}
		return nil
	})
	var ctl *control
	var runID int
	done := make(chan struct{})
	close(done) // no run yet
	for c := range cmds {
		m := c.m
		switch m.Kind {
		case protocol.KindVizPort:
			if c.port.IsUndefined() {
				hub.open(nil)
				continue
			}
			port := c.port
			port.Set("onmessage", onAck)
			port.Call("start")
			hub.open(func(b []byte) { port.Call("postMessage", string(b)) })
		case protocol.KindDemo:
			go func(req protocol.DemoRequest) {
				post(protocol.Message{Kind: protocol.KindDemoData, DemoData: demo(store, r.test, req)})
			}(*m.Demo)
		case protocol.KindStart:
			select {
			case <-done:
			default:
				post(protocol.Message{Kind: protocol.KindError, Run: m.Run, Error: &protocol.Error{Message: "a run is already in progress: stop it first"}})
				continue
			}
			ctl, runID, done = newControl(), m.Run, make(chan struct{})
			go func(ctl *control, id int, s protocol.Start, done chan struct{}) {
				defer close(done)
				r.run(ctl, id, s)
			}(ctl, m.Run, *m.Start, done)
		case protocol.KindPause:
			// The run posts "paused" itself once it holds between batches.
			if ctl != nil && m.Run == runID {
				ctl.Pause()
			}
		case protocol.KindResume:
			// The run posts "training" itself when it continues.
			if ctl != nil && m.Run == runID {
				ctl.Resume()
			}
		case protocol.KindStop:
			if ctl != nil && m.Run == runID {
				ctl.Stop()
			}
		default:
			post(protocol.Message{Kind: protocol.KindError, Run: m.Run, Error: &protocol.Error{Message: fmt.Sprintf("the worker does not take %q commands", m.Kind)}})
		}
	}
}

// yieldToEventLoop sleeps briefly: with every goroutine blocked the Go runtime returns to the
// JavaScript event loop, which delivers queued messages (pause, stop) before the timer fires.
func yieldToEventLoop() { time.Sleep(time.Millisecond) }

// vizEvery is the least time between two frames to the viz iframe: about three a second.
const vizEvery = 330 * time.Millisecond

// dataset fetches, verifies and decodes MNIST once per worker. The worker starts the download as
// soon as it runs (the Lab is for training; this takes the download off the time to the first
// step); a run that needs the data waits for it and gets the progress events.
type dataset struct {
	mu          sync.Mutex
	run         int           // the run waiting for the data (0: none yet)
	done        chan struct{} // closed when the current attempt ends; nil: no attempt yet
	train, test *mnist.Set
	err         error
	loaded      int64
	fetching    time.Duration
	decoding    time.Duration
}

// sizes are the canonical files' byte counts (their sha256 is checked after the download); they
// make the progress bar exact from the first byte, whatever the server sends as Content-Length.
var sizes = map[string]int64{
	mnist.TrainImages: 9912422, mnist.TrainLabels: 28881, mnist.TestImages: 1648877, mnist.TestLabels: 4542,
}

func totalSize() (n int64) {
	for _, s := range sizes {
		n += s
	}
	return n
}

// begin starts fetching from base unless an attempt is running or has succeeded.
func (d *dataset) begin(base string) chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.done != nil {
		return d.done
	}
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	done := make(chan struct{})
	d.done, d.loaded = done, 0
	go func() {
		defer close(done)
		var lastPost time.Time
		var fetching time.Duration
		began := time.Now()
		files := map[string][]byte{}
		var err error
		for _, name := range []string{mnist.TrainImages, mnist.TrainLabels, mnist.TestImages, mnist.TestLabels} {
			files[name], err = fetchBytes(base+name, sizes[name], func(n int64) {
				d.mu.Lock()
				d.loaded += n
				loaded, run := d.loaded, d.run
				d.mu.Unlock()
				if now := time.Now(); run != 0 && now.Sub(lastPost) >= 100*time.Millisecond {
					lastPost = now
					post(protocol.Message{Kind: protocol.KindLoading, Run: run, Loading: &protocol.Loading{File: name, Loaded: loaded, Total: totalSize()}})
				}
			})
			if err != nil {
				break
			}
		}
		fetching = time.Since(began)
		var train, test *mnist.Set
		if err == nil {
			// (The browser's crypto.subtle and DecompressionStream were measured here: no faster
			// than Go's sha256 and gzip in wasm once the unpacked bytes are copied back.)
			train, test, err = mnist.LoadFrom(func(name string) ([]byte, error) { return files[name], nil })
		}
		if err != nil {
			err = fmt.Errorf("loading MNIST: %w", err)
		}
		d.mu.Lock()
		d.train, d.test, d.err = train, test, err
		d.fetching, d.decoding = fetching, time.Since(began)-fetching
		d.mu.Unlock()
	}()
	return done
}

func (d *dataset) load(run int, base string) (*mnist.Set, *mnist.Set, error) {
	d.mu.Lock()
	d.run = run
	cached := d.train != nil
	loaded := d.loaded
	d.mu.Unlock()
	if !cached {
		post(protocol.Message{Kind: protocol.KindLoading, Run: run, Loading: &protocol.Loading{Loaded: loaded, Total: totalSize()}})
	}
	<-d.begin(base)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.run = 0
	if d.err != nil {
		err := d.err
		d.done, d.err = nil, nil // the next run tries again
		return nil, nil, err
	}
	post(protocol.Message{Kind: protocol.KindLoading, Run: run, Loading: &protocol.Loading{Loaded: totalSize(), Total: totalSize(), Done: true,
		Cached: cached, FetchSeconds: protocol.Num(d.fetching.Seconds()), DecodeSeconds: protocol.Num(d.decoding.Seconds())}})
	return d.train, d.test, nil
}

// await waits for a promise from a goroutine (never from a js.FuncOf callback).
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	catch := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{err: errors.New(js.Global().Get("String").Invoke(args[0]).String())}
		return nil
	})
	p.Call("then", then, catch)
	r := <-ch
	then.Release()
	catch.Release()
	return r.v, r.err
}

// fetchBytes downloads url with a streaming reader, reporting each chunk's size. sizeHint
// reserves the buffer once (growing it chunk by chunk costs copies and fresh pages).
func fetchBytes(url string, sizeHint int64, progress func(n int64)) ([]byte, error) {
	resp, err := await(self.Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v (is the site served over http?)", url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("fetching %s: HTTP %d %s", url, resp.Get("status").Int(), resp.Get("statusText").String())
	}
	body := resp.Get("body")
	if body.IsNull() || body.IsUndefined() {
		buf, err := await(resp.Call("arrayBuffer"))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", url, err)
		}
		u8 := js.Global().Get("Uint8Array").New(buf)
		out := make([]byte, u8.Length())
		js.CopyBytesToGo(out, u8)
		progress(int64(len(out)))
		return out, nil
	}
	reader := body.Call("getReader")
	out := make([]byte, 0, sizeHint)
	for {
		chunk, err := await(reader.Call("read"))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", url, err)
		}
		if chunk.Get("done").Bool() {
			return out, nil
		}
		v := chunk.Get("value")
		n := v.Length()
		out = slices.Grow(out, n)[:len(out)+n]
		js.CopyBytesToGo(out[len(out)-n:], v)
		progress(int64(n))
	}
}
