package protocol

// Messages to the visualization iframe (wasm/viz). The trainer worker posts them over a
// MessagePort as JSON text (MarshalViz), a few frames per second while a run trains and one
// VizModel per finished run. Float data travels as base64 of little-endian float32 (VizTensor),
// a third the size of JSON numbers and exact. The iframe answers each frame it has drawn with a
// VizAck on the same port, which paces the worker's frames.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// VizProbeN is the suggested size of a frame's probe batch: enough images for the BN histograms,
// few enough that the iframe runs them in a few tens of milliseconds.
const VizProbeN = 16

// VizVersion is the version of the viz messages; a receiver rejects other versions.
const VizVersion = 1

// Message types of the viz channel (the "type" field).
const (
	VizFrameType = "viz-frame"
	VizModelType = "viz-model"
	// VizPortType is what the page posts to the iframe's window once, with a MessagePort in the
	// transfer list: {type: "viz-port"}. The bare {type: "port"} is accepted too.
	VizPortType = "viz-port"
	// VizAckType is the iframe's answer to a frame it has drawn (VizAck).
	VizAckType = "viz-ack"
)

// VizAck says that the view has drawn the frame of Step and how many milliseconds of its thread the
// frame took (decoding, probe, composing, drawing). The worker sends the next frame only after an
// ack, and no sooner than the view's share of the machine allows (wasm/trainer).
type VizAck struct {
	Type   string `json:"type"` // VizAckType
	V      int    `json:"v"`
	Step   int64  `json:"step"`
	Millis Num    `json:"ms"`
}

// NewVizAck answers the frame of step, which took d of the view's time.
func NewVizAck(step int64, d time.Duration) *VizAck {
	return &VizAck{Type: VizAckType, V: VizVersion, Step: step, Millis: Num(d.Seconds() * 1000)}
}

// VizTensor is an nncore.Tensor whose data is base64 of little-endian float32.
type VizTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Data  string `json:"data"`
}

// VizFrame is one live view of a training run: the model as it is at Step, the last dropout
// masks, and a small fixed probe batch the iframe runs through the model itself.
type VizFrame struct {
	Type        string                `json:"type"`          // VizFrameType
	V           int                   `json:"v"`             // VizVersion
	Run         string                `json:"run,omitempty"` // label of the run, e.g. "standard-bn"
	Step        int64                 `json:"step"`
	Epoch       int                   `json:"epoch"` // the epoch being trained, 1-based as shown to people
	Config      nncore.Config         `json:"config"`
	Params      []VizTensor           `json:"params"`
	Buffers     []VizTensor           `json:"buffers"`
	Masks       []nncore.MaskSnapshot `json:"masks,omitempty"`
	ProbeN      int                   `json:"probe_n"`
	Probe       string                `json:"probe"`        // ProbeN*1024 preprocessed floats, base64 LE float32
	ProbeLabels []byte                `json:"probe_labels"` // ProbeN labels 0..9 (JSON: base64)
}

// VizModel is a finished run's model, offered on the draw-a-digit pad under Label.
type VizModel struct {
	Type    string        `json:"type"` // VizModelType
	V       int           `json:"v"`
	Label   string        `json:"label"`
	Config  nncore.Config `json:"config"`
	Step    int64         `json:"step"`
	Params  []VizTensor   `json:"params"`
	Buffers []VizTensor   `json:"buffers"`
}

// VizEncodeFloats returns base64 of the little-endian float32 bytes of f.
func VizEncodeFloats(f []float32) string {
	b := make([]byte, 4*len(f))
	for i, v := range f {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// VizDecodeFloats inverts VizEncodeFloats.
func VizDecodeFloats(s string) ([]float32, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("protocol: float data is not base64: %v", err)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("protocol: float data has %d bytes, not a multiple of 4", len(b))
	}
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f, nil
}

// VizEncodeTensors packs tensors for a viz message.
func VizEncodeTensors(ts []nncore.Tensor) []VizTensor {
	out := make([]VizTensor, len(ts))
	for i, t := range ts {
		out[i] = VizTensor{Name: t.Name, Shape: append([]int(nil), t.Shape...), Data: VizEncodeFloats(t.Data)}
	}
	return out
}

// VizDecodeTensors unpacks tensors and checks each one's data against its shape.
func VizDecodeTensors(vs []VizTensor) ([]nncore.Tensor, error) {
	out := make([]nncore.Tensor, len(vs))
	for i, v := range vs {
		d, err := VizDecodeFloats(v.Data)
		if err != nil {
			return nil, fmt.Errorf("%w (tensor %q)", err, v.Name)
		}
		n := 1
		for _, s := range v.Shape {
			n *= s
		}
		if n != len(d) {
			return nil, fmt.Errorf("protocol: tensor %q has shape %v (%d values) but %d values of data", v.Name, v.Shape, n, len(d))
		}
		out[i] = nncore.Tensor{Name: v.Name, Shape: append([]int(nil), v.Shape...), Data: d}
	}
	return out, nil
}

// NewVizFrame builds a frame from a run's state. probe holds n preprocessed images (n*1024 floats)
// and labels their n labels. Velocity is not sent: the iframe only runs the model forward.
func NewVizFrame(run string, epoch int, cfg nncore.Config, st *nncore.State, masks []nncore.MaskSnapshot, probe []float32, labels []byte) *VizFrame {
	n := len(labels)
	if len(probe) != n*1024 {
		panic(fmt.Sprintf("protocol: NewVizFrame: probe has %d floats for %d labels, want %d", len(probe), n, n*1024))
	}
	return &VizFrame{
		Type: VizFrameType, V: VizVersion, Run: run, Step: st.Step, Epoch: epoch, Config: cfg,
		Params: VizEncodeTensors(st.Params), Buffers: VizEncodeTensors(st.Buffers), Masks: masks,
		ProbeN: n, Probe: VizEncodeFloats(probe), ProbeLabels: append([]byte(nil), labels...),
	}
}

// VizProbe returns the probe batch of a run: the first n images of set (the test set), preprocessed
// as the run's model expects (cfg.Preprocess()), and their labels. Compute it once per run.
func VizProbe(pre mnist.Preprocess, set *mnist.Set, n int) (x []float32, labels []byte) {
	n = min(n, set.N)
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	x = make([]float32, n*mnist.Pixels)
	pre.Fill(x, set, idx)
	return x, append([]byte(nil), set.Labels[:n]...)
}

// NewVizModel builds the message offering a finished run's model to the draw pad.
func NewVizModel(label string, cfg nncore.Config, st *nncore.State) *VizModel {
	return &VizModel{
		Type: VizModelType, V: VizVersion, Label: label, Config: cfg, Step: st.Step,
		Params: VizEncodeTensors(st.Params), Buffers: VizEncodeTensors(st.Buffers),
	}
}

// State decodes the frame's model state (no velocity).
func (f *VizFrame) State() (*nncore.State, error) {
	return vizState(f.Step, f.Params, f.Buffers)
}

// ProbeImages decodes the probe batch: ProbeN*1024 floats.
func (f *VizFrame) ProbeImages() ([]float32, error) {
	x, err := VizDecodeFloats(f.Probe)
	if err != nil {
		return nil, fmt.Errorf("%w (probe images)", err)
	}
	if len(x) != f.ProbeN*1024 || len(f.ProbeLabels) != f.ProbeN {
		return nil, fmt.Errorf("protocol: probe batch of %d images has %d floats and %d labels, want %d and %d", f.ProbeN, len(x), len(f.ProbeLabels), f.ProbeN*1024, f.ProbeN)
	}
	return x, nil
}

// State decodes the model's state (no velocity).
func (m *VizModel) State() (*nncore.State, error) {
	return vizState(m.Step, m.Params, m.Buffers)
}

func vizState(step int64, params, buffers []VizTensor) (*nncore.State, error) {
	p, err := VizDecodeTensors(params)
	if err != nil {
		return nil, err
	}
	b, err := VizDecodeTensors(buffers)
	if err != nil {
		return nil, err
	}
	return &nncore.State{Step: step, Params: p, Buffers: b}, nil
}

// MarshalViz encodes a *VizFrame or *VizModel as the JSON text posted to the iframe, or the
// iframe's *VizAck.
func MarshalViz(msg any) ([]byte, error) {
	switch msg.(type) {
	case *VizFrame, *VizModel, *VizAck:
		return json.Marshal(msg)
	}
	panic(fmt.Sprintf("protocol: MarshalViz: %T is not a viz message", msg))
}

// UnmarshalViz decodes one viz message: it returns a *VizFrame, *VizModel or *VizAck.
func UnmarshalViz(data []byte) (any, error) {
	var head struct {
		Type string `json:"type"`
		V    int    `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("protocol: viz message is not JSON: %v", err)
	}
	if head.V != VizVersion {
		return nil, fmt.Errorf("protocol: viz message %q has version %d, want %d: reload the page so that both sides are the same build", head.Type, head.V, VizVersion)
	}
	var msg any
	switch head.Type {
	case VizFrameType:
		msg = new(VizFrame)
	case VizModelType:
		msg = new(VizModel)
	case VizAckType:
		msg = new(VizAck)
	default:
		return nil, fmt.Errorf("protocol: unknown viz message type %q", head.Type)
	}
	if err := json.Unmarshal(data, msg); err != nil {
		return nil, fmt.Errorf("protocol: decoding %s: %v", head.Type, err)
	}
	return msg, nil
}
