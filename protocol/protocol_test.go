package protocol

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// every returns one message of each kind with every body field filled.
func every() []Message {
	ep := &Epoch{Epoch: 2, TrainLoss: 0.31, TrainAcc: 0.9, TestLoss: 0.25, TestAcc: 0.93, ImagesPerSec: 1234.5, Seconds: 12.5}
	return []Message{
		{Kind: KindStart, Run: 3, Start: &Start{Config: nncore.Config{Variant: nncore.StandardBN, InputDropout: "pixels",
			Input: mnist.Pad, Seed: 1 << 40, Epochs: 2, Batch: 256, LR: 0.1, TrainLimit: 2048, TestLimit: 1000}, DataURL: "data/", BatchEveryMS: 100}},
		{Kind: KindPause, Run: 3},
		{Kind: KindResume, Run: 3},
		{Kind: KindStop, Run: 3},
		{Kind: KindReady},
		{Kind: KindStatus, Run: 3, Status: &Status{State: StatePaused}},
		{Kind: KindLoading, Run: 3, Loading: &Loading{File: mnist.TrainImages, Loaded: 100, Total: 11594722, Done: true, Cached: true, FetchSeconds: 1.5, DecodeSeconds: 0.25}},
		{Kind: KindBackend, Run: 3, Backend: &Backend{Name: "cpu", Reason: "WebGPU engine not available yet"}},
		{Kind: KindBatch, Run: 3, Batch: &Batch{Epoch: 1, Batch: 5, Batches: 8, Epochs: 2, Step: 4, Loss: 2.25, Seen: 1280, ImagesPerSec: 800, Elapsed: 1.6}},
		{Kind: KindEpoch, Run: 3, Epoch: ep},
		{Kind: KindSnapshot, Run: 3, Snapshot: &nncore.Snapshot{Step: 8,
			BN:    []nncore.BNSnapshot{{Name: "bn1", Gamma: []float32{1, 1.5}, Beta: []float32{0, -0.25}, RunningMean: []float32{0.5, 0.1}, RunningVar: []float32{1, 2}, BatchMean: []float32{3, 4}, BatchVar: []float32{5, 6}}},
			Masks: []nncore.MaskSnapshot{{Name: "drop3", Shape: []int{4}, P: 0.5, Keep: []byte{1, 0, 0, 1}}}}},
		{Kind: KindFinished, Run: 3, Finished: &Finished{Stopped: true, Final: ep, Backend: Backend{Name: "webgpu", Reason: "adapter found"}, Seconds: 20, VizFrames: 3, VizSeconds: 0.25, GapSeconds: 0.5,
			State: &nncore.State{Step: 8, Params: []nncore.Tensor{{Name: "conv1.bias", Shape: []int{2}, Data: []float32{0.125, -3}}}}}},
		{Kind: KindError, Run: 3, Error: &Error{Message: "mnist: corrupt"}},
		{Kind: KindVizPort},
		{Kind: KindDemo, Demo: &DemoRequest{KnockoutN: 500}},
		{Kind: KindModeGap, Run: 3, ModeGap: &ModeGap{Step: 40, Epoch: 1, N: 128, TrainAcc: 0.75, EvalAcc: 0.5}},
		{Kind: KindDemoData, DemoData: &DemoData{Knockout: []DemoKnockout{{Label: "dropout", Drops: []Num{0.01, 0}}}, KnockoutLayer: "fc1", KnockoutN: 500,
			Shift: []DemoShift{{Label: "plain", Steps: []int64{0, 10}, Q: [][5]Num{{-1, -0.5, 0, 0.5, 1}, {-2, -1, 0, 1, 2}}}}, Note: "x"}},
	}
}

func TestRoundTripEveryKind(t *testing.T) {
	seen := map[Kind]bool{}
	for _, m := range every() {
		b, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(%s): %v", m.Kind, err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode(%s): %v\n%s", m.Kind, err, b)
		}
		m.V = Version
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s: round trip changed the message\n got %+v\nwant %+v\njson %s", m.Kind, got, m, b)
		}
		seen[m.Kind] = true
	}
	for k := range wantBody {
		if !seen[k] {
			t.Errorf("kind %q is not round-tripped by this test", k)
		}
	}
}

func TestNumNonFinite(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, -1.5e-300, 1e300} {
		m := Message{Kind: KindBatch, Batch: &Batch{Loss: Num(f)}}
		b, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(loss=%v): %v", f, err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		g := float64(got.Batch.Loss)
		if !(g == f || math.IsNaN(g) && math.IsNaN(f)) {
			t.Errorf("loss %v came back as %v (%s)", f, g, b)
		}
	}
}

func TestRejects(t *testing.T) {
	cases := []struct {
		name, json, want string
	}{
		{"not json", `{`, "not a message"},
		{"old version", `{"v":0,"kind":"pause"}`, "version 0"},
		{"unknown kind", `{"v":1,"kind":"explode"}`, "unknown message kind"},
		{"missing body", `{"v":1,"kind":"epoch"}`, "lacks its epoch body"},
		{"wrong body", `{"v":1,"kind":"epoch","batch":{}}`, "has a batch body, want epoch"},
		{"two bodies", `{"v":1,"kind":"epoch","epoch":{},"batch":{}}`, "two bodies"},
		{"body on bodiless", `{"v":1,"kind":"stop","error":{"message":"x"}}`, "takes no body"},
		{"bad number", `{"v":1,"kind":"batch","batch":{"loss":"lots"}}`, "JSON number"},
	}
	for _, c := range cases {
		_, err := Decode([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Decode(%s) error = %v, want one containing %q", c.name, c.json, err, c.want)
		}
	}
	if _, err := Encode(Message{Kind: KindStart}); err == nil {
		t.Error("Encode accepted a start message without its body")
	}
}

func FuzzDecode(f *testing.F) {
	for _, m := range every() {
		b, _ := Encode(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever decodes must encode again and decode to an equal message (NaN aside).
		b2, err := Encode(m)
		if err != nil {
			if strings.Contains(err.Error(), "NaN") || strings.Contains(err.Error(), "Inf") {
				return
			}
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if _, err := Decode(b2); err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n%s", err, b2)
		}
	})
}
