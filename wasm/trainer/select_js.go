//go:build js

package main

import (
	"errors"
	"strings"

	"github.com/lenetlab/lenetlab/gpu"
	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

func newGPUEngine(cfg nncore.Config, st *nncore.State, train, test *mnist.Set) (nncore.Engine, gpuAdapter, error) {
	e, err := gpu.NewEngine(cfg, st, train, test)
	if err != nil {
		return nil, gpuAdapter{}, err
	}
	info := e.Device().Info
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
	return e, gpuAdapter{Desc: desc, Fallback: info.IsFallbackAdapter}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// gpuLost: the WebGPU device is gone (its buffers with it).
func gpuLost(err error) bool {
	var ge *gpu.Error
	return errors.As(err, &ge) && ge.Reason == gpu.ReasonDeviceLost
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
