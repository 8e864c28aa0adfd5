//go:build !js

package main

import (
	"errors"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// errNoWebGPU: native builds (the tests) have no WebGPU.
var errNoWebGPU = errors.New("no navigator.gpu: WebGPU exists only in the browser build")

func newGPUEngine(nncore.Config, *nncore.State, *mnist.Set, *mnist.Set) (nncore.Engine, gpuAdapter, error) {
	return nil, gpuAdapter{}, errNoWebGPU
}

func gpuLost(error) bool { return false }

func whyNoGPU(err error) string { return err.Error() }
