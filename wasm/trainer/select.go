package main

import (
	"fmt"
	"strings"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// gpuAdapter describes the adapter a WebGPU engine runs on.
type gpuAdapter struct {
	Desc     string // vendor, architecture, device, description as the browser gives them
	Fallback bool   // isFallbackAdapter: a software adapter (SwiftShader)
}

// selectEngine is the one place that chooses the engine, as start.Engine asks: "auto" or ""
// (the WebGPU engine when navigator.gpu, an adapter and a device can be had, else the CPU engine),
// "webgpu" (the WebGPU engine or an error saying why not) or "cpu". It says which and why. A
// WebGPU engine is wrapped in a fallbackEngine: if its device is lost mid-run the run continues
// on the CPU engine, and onSwitch (may be nil) is told the new backend.
func selectEngine(start protocol.Start, cfg nncore.Config, st *nncore.State, train, test *mnist.Set,
	onSwitch func(protocol.Backend)) (nncore.Engine, protocol.Backend, error) {
	want := strings.ToLower(strings.TrimSpace(start.Engine))
	var why string
	switch want {
	case "cpu":
		why = "chosen by the user"
	case "", "auto", "webgpu":
		eng, ad, isLost, err := newGPUEngine(cfg, st, train, test)
		if err == nil {
			reason := "WebGPU on " + ad.Desc
			if ad.Fallback {
				reason += "; fallback adapter (software)"
			}
			if want == "webgpu" {
				reason += "; chosen by the user"
			}
			f := newFallbackEngine(eng, "WebGPU", cfg, st, train, test, isLost, onSwitch)
			return f, protocol.Backend{Name: eng.Backend(), Reason: reason}, nil
		}
		why = whyNoGPU(err)
		if want == "webgpu" {
			return nil, protocol.Backend{}, fmt.Errorf("the WebGPU engine was asked for but cannot run here: %s", why)
		}
	default:
		return nil, protocol.Backend{}, fmt.Errorf("unknown engine %q: use auto, webgpu or cpu", start.Engine)
	}
	eng, err := nncore.NewCPUEngine(cfg, st, train, test)
	if err != nil {
		return nil, protocol.Backend{}, err
	}
	return eng, protocol.Backend{Name: eng.Backend(), Reason: why}, nil
}
