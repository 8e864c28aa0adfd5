//go:build !js

package main

import (
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// Natively there is no WebGPU: auto falls back with the reason, webgpu is refused, cpu is the user's.
func TestSelectEngineNative(t *testing.T) {
	cfg := nncore.Config{Variant: nncore.StandardBN, Seed: 1, Epochs: 1, Batch: 8, LR: 0.1}
	train, test := synthSet(16, 1), synthSet(8, 2)
	for _, tc := range []struct{ engine, reason, err string }{
		{"", "no navigator.gpu", ""},
		{"auto", "no navigator.gpu", ""},
		{"cpu", "chosen by the user", ""},
		{"webgpu", "", "WebGPU engine was asked for but cannot run here: no navigator.gpu"},
		{"tpu", "", `unknown engine "tpu"`},
	} {
		eng, b, err := selectEngine(protocol.Start{Engine: tc.engine}, cfg, nncore.InitState(cfg), train, test, nil)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one containing %q", tc.engine, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.engine, err)
		}
		if b.Name != "cpu" || eng.Backend() != "cpu" || !strings.Contains(b.Reason, tc.reason) {
			t.Errorf("%q: backend %+v (engine %s), want cpu with a reason containing %q", tc.engine, b, eng.Backend(), tc.reason)
		}
		eng.Close()
	}
}
