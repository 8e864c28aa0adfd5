package main

import (
	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// selectEngine is the one place that chooses the engine: the WebGPU engine when it can run here,
// else the CPU engine; it says which and why.
func selectEngine(cfg nncore.Config, st *nncore.State, train, test *mnist.Set) (nncore.Engine, protocol.Backend, error) {
	eng, err := nncore.NewCPUEngine(cfg, st, train, test)
	if err != nil {
		return nil, protocol.Backend{}, err
	}
	return eng, protocol.Backend{Name: eng.Backend(), Reason: "WebGPU engine not available yet"}, nil
}
