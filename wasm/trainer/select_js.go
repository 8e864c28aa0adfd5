//go:build js

package main

import (
	"errors"
	"strings"
	"time"

	"github.com/lenetlab/lenetlab/gpu"
	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

func newGPUEngine(cfg nncore.Config, st *nncore.State, train, test *mnist.Set) (nncore.Engine, gpuAdapter, func(error) bool, error) {
	e, err := gpu.NewEngine(cfg, st, train, test)
	if err != nil {
		return nil, gpuAdapter{}, nil, err
	}
	dev := e.Device()
	info := dev.Info
	var parts []string
	for _, s := range []string{info.Vendor, info.Architecture, info.Device, info.Description} {
		if s != "" && !contains(parts, s) {
			parts = append(parts, s)
		}
	}
	desc := strings.Join(parts, " ")
	if desc == "" {
		desc = "an adapter that does not describe itself"
	}
	return e, gpuAdapter{Desc: desc, Fallback: info.IsFallbackAdapter}, func(err error) bool { return gpuLost(dev, err) }, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// gpuLost: the WebGPU device is gone (its buffers with it). A readback on a device being lost
// can fail (mapAsync rejected) before the device's lost promise settles: give it a moment.
func gpuLost(dev *gpu.Device, err error) bool {
	var ge *gpu.Error
	if !errors.As(err, &ge) {
		return false
	}
	if ge.Reason == gpu.ReasonDeviceLost {
		return true
	}
	for range 20 {
		if dev.Lost() {
			return true
		}
		time.Sleep(5 * time.Millisecond) // lets the event loop deliver device.lost
	}
	return false
}

// whyNoGPU turns the WebGPU engine's refusal into the reason the Lab shows.
func whyNoGPU(err error) string {
	var ge *gpu.Error
	if !errors.As(err, &ge) {
		return "the WebGPU engine could not be built: " + err.Error()
	}
	switch ge.Reason {
	case gpu.ReasonNoWebGPU:
		return "no navigator.gpu: " + ge.Msg
	case gpu.ReasonNoAdapter:
		return "no WebGPU adapter: " + ge.Msg
	case gpu.ReasonNoDevice:
		return "no WebGPU device: " + ge.Msg
	case gpu.ReasonDeviceLost:
		return "the WebGPU device was lost: " + ge.Msg
	default:
		return "WebGPU error: " + ge.Msg
	}
}
