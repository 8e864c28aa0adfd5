//go:build !js

package main

import (
	"errors"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// errNoWebGPU: native builds (the tests) have no WebGPU.
var errNoWebGPU = errors.New("no navigator.gpu: WebGPU exists only in the browser build")

func newGPUEngine(nncore.Config, *nncore.State, *mnist.Set, *mnist.Set) (nncore.Engine, gpuAdapter, func(error) bool, error) {
	return nil, gpuAdapter{}, nil, errNoWebGPU
}

func whyNoGPU(err error) string { return err.Error() }
