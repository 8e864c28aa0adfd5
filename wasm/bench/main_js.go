//go:build js

package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"

	"github.com/lenetlab/lenetlab/gpu"
	"github.com/lenetlab/lenetlab/mnist"
)

var self = js.Global()

func nowMs() float64 { return self.Get("performance").Call("now").Float() }

// post sends {kind, text} or {kind:"result", result: JSON} to the page.
func post(kind, text string) {
	m := js.Global().Get("Object").New()
	m.Set("kind", kind)
	m.Set("text", text)
	self.Call("postMessage", m)
}

func fetchBytes(url string) ([]byte, error) {
	resp, err := gpu.Await(self.Call("fetch", url))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %v", url, err)
	}
	if !resp.Get("ok").Bool() {
		return nil, fmt.Errorf("fetching %s: HTTP %d", url, resp.Get("status").Int())
	}
	buf, err := gpu.Await(resp.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", url, err)
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	out := make([]byte, u8.Length())
	js.CopyBytesToGo(out, u8)
	return out, nil
}

func main() {
	res := run()
	b, _ := json.Marshal(res)
	post("result", string(b))
	select {}
}

func run() (res Result) {
	p, err := ParseParams(self.Get("location").Get("search").String())
	res = Result{Engine: p.Engine, Variant: string(p.Variant), Batch: p.Batch, Batches: p.Batches}
	fail := func(err error) Result {
		res.OK, res.Error = false, err.Error()
		return res
	}
	if err != nil {
		return fail(err)
	}
	// Ask for the device first: without WebGPU there is no need to load MNIST.
	var dev *gpu.Device
	if p.Engine == "webgpu" {
		post("status", "opening the WebGPU device…")
		if dev, err = gpu.SharedDevice(); err != nil {
			return fail(err)
		}
		res.Adapter, res.Fallback = dev.Info.String(), dev.Info.IsFallbackAdapter
	} else {
		res.Adapter = "CPU engine (Go js/wasm, one thread)"
	}
	post("status", "loading MNIST from data/…")
	t0 := nowMs()
	train, test, err := mnist.LoadFrom(func(name string) ([]byte, error) { return fetchBytes("data/" + name) })
	if err != nil {
		return fail(err)
	}
	res.LoadSeconds = (nowMs() - t0) / 1000
	cfg := p.Config()
	post("status", fmt.Sprintf("training %d batches of %d on the %s engine…", p.Batches, p.Batch, p.Engine))
	if p.Engine == "cpu" {
		r, err := CPUBench(cfg, train, test, p.Batches, nowMs)
		if err != nil {
			return fail(err)
		}
		r.Adapter, r.LoadSeconds = res.Adapter, res.LoadSeconds
		return r
	}
	b, err := gpu.Bench(cfg, train, test, p.Batches)
	if err != nil {
		return fail(err)
	}
	res.OK, res.TrainImgPerSec, res.InferImgPerSec = true, b.TrainImgPerSec, b.InferImgPerSec
	res.DispatchesPerStep, res.MsPerStep, res.Adapter, res.Fallback = b.DispatchesPerStep, b.MsPerStep, b.Adapter, b.Fallback
	res.StateMs = b.StateMs // the cost of a fallback checkpoint: one State readback
	res.SetupMs = b.SetupMs
	return res
}
