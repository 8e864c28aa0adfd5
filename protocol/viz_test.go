package protocol

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

func TestVizFloatsRoundTrip(t *testing.T) {
	in := []float32{0, -0.0, 1, -1.5, 3.4028235e38, 1e-45, float32(math.Inf(1)), float32(math.NaN()), 0.1}
	got, err := VizDecodeFloats(VizEncodeFloats(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d floats, want %d", len(got), len(in))
	}
	for i := range in {
		if math.Float32bits(got[i]) != math.Float32bits(in[i]) {
			t.Errorf("float %d: got bits %08x, want %08x", i, math.Float32bits(got[i]), math.Float32bits(in[i]))
		}
	}
	// Little-endian: 1.0 is 0x3f800000 → bytes 00 00 80 3f → base64 "AACAPw==".
	if s := VizEncodeFloats([]float32{1}); s != "AACAPw==" {
		t.Errorf("encoding of 1.0 = %q, want AACAPw==", s)
	}
	if _, err := VizDecodeFloats("AACA"); err == nil {
		t.Error("3 bytes decoded without error")
	}
	if _, err := VizDecodeFloats("!!"); err == nil {
		t.Error("non-base64 decoded without error")
	}
}

func testState() *nncore.State {
	return &nncore.State{
		Step: 1234,
		Params: []nncore.Tensor{
			{Name: "conv1.weight", Shape: []int{2, 1, 1, 2}, Data: []float32{1, 2, 3, 4}},
			{Name: "conv1.bias", Shape: []int{2}, Data: []float32{-0.5, 0.25}},
		},
		Buffers:  []nncore.Tensor{{Name: "bn1.running_mean", Shape: []int{2}, Data: []float32{0.1, 0.2}}},
		Velocity: []nncore.Tensor{{Name: "conv1.weight", Shape: []int{4}, Data: make([]float32, 4)}},
	}
}

func TestVizFrameRoundTrip(t *testing.T) {
	st := testState()
	cfg := nncore.Config{Variant: nncore.BNDropout, Seed: 7, Batch: 64, LR: 0.1}
	masks := []nncore.MaskSnapshot{{Name: "drop3", Shape: []int{3}, P: 0.5, Keep: []byte{1, 0, 1}}}
	probe := make([]float32, 2*1024)
	for i := range probe {
		probe[i] = float32(i) * 0.001
	}
	f := NewVizFrame("bn-dropout", 3, cfg, st, masks, probe, []byte{7, 2})
	data, err := MarshalViz(f)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := UnmarshalViz(data)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := msg.(*VizFrame)
	if !ok {
		t.Fatalf("decoded %T, want *VizFrame", msg)
	}
	if g.Step != 1234 || g.Epoch != 3 || g.Run != "bn-dropout" || g.Config != cfg || !reflect.DeepEqual(g.Masks, masks) {
		t.Errorf("header fields differ: %+v", g)
	}
	gst, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	want := *st
	want.Velocity = nil
	if !reflect.DeepEqual(*gst, want) {
		t.Errorf("state = %+v, want %+v", gst, want)
	}
	x, err := g.ProbeImages()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, probe) || !reflect.DeepEqual(g.ProbeLabels, []byte{7, 2}) {
		t.Error("probe batch differs after the round trip")
	}
}

func TestVizModelRoundTripAndErrors(t *testing.T) {
	m := NewVizModel("dropout (seed 1)", nncore.Config{Variant: nncore.Dropout}, testState())
	data, err := MarshalViz(m)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := UnmarshalViz(data)
	if err != nil {
		t.Fatal(err)
	}
	g := msg.(*VizModel)
	if g.Label != "dropout (seed 1)" || g.Step != 1234 {
		t.Errorf("got %+v", g)
	}
	st, err := g.State()
	if err != nil || len(st.Params) != 2 || st.Params[1].Data[1] != 0.25 {
		t.Errorf("state %+v, err %v", st, err)
	}

	bad := strings.Replace(string(data), `"v":1`, `"v":99`, 1)
	if _, err := UnmarshalViz([]byte(bad)); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("wrong version: err = %v", err)
	}
	if _, err := UnmarshalViz([]byte(`{"type":"nope","v":1}`)); err == nil {
		t.Error("unknown type accepted")
	}
	// Data that does not fit its shape is an error, not a panic later.
	g.Params[0].Shape = []int{3}
	if _, err := g.State(); err == nil || !strings.Contains(err.Error(), "conv1.weight") {
		t.Errorf("shape mismatch: err = %v", err)
	}
}

func TestVizProbe(t *testing.T) {
	set := &mnist.Set{N: 3, Rows: 28, Cols: 28, Images: make([]byte, 3*784), Labels: []byte{4, 1, 9}}
	set.Images[784+14*28+14] = 255 // one white pixel in image 1
	x, labels := VizProbe(mnist.Preprocess{Mode: mnist.Pad}, set, 5)
	if len(x) != 3*1024 || !reflect.DeepEqual(labels, []byte{4, 1, 9}) {
		t.Fatalf("probe of %d floats, labels %v", len(x), labels)
	}
	// Pad mode puts source (14, 14) at (16, 16); unnormalized, white is 1.
	if x[1024+16*32+16] != 1 || x[16*32+16] != 0 {
		t.Error("probe images are not the preprocessed set images")
	}
	labels[0] = 7
	if set.Labels[0] != 4 {
		t.Error("labels share the set's memory")
	}
}

func TestVizAckRoundTrip(t *testing.T) {
	data, err := MarshalViz(NewVizAck(321, 42500*time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(data); s != `{"type":"viz-ack","v":1,"step":321,"ms":42.5}` {
		t.Errorf("ack JSON %s", s)
	}
	msg, err := UnmarshalViz(data)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := msg.(*VizAck); !ok || a.Step != 321 || a.Millis != 42.5 {
		t.Errorf("got %#v", msg)
	}
}
