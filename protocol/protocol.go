package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/lenetlab/lenetlab/nncore"
)

// Version is the protocol version. Bump it when a field changes meaning or goes away.
const Version = 1

// Kind names what a message is.
type Kind string

// Commands, page → worker.
const (
	KindStart  Kind = "start"  // Start: load data (once), build the engine, train
	KindPause  Kind = "pause"  // no body: block training between batches
	KindResume Kind = "resume" // no body
	KindStop   Kind = "stop"   // no body: end the run after the current batch; a Finished follows
	// KindVizPort hands the worker one end of a MessageChannel whose other end the viz iframe
	// holds: the page posts it with the port in the transfer list. Without a port it means the
	// view was closed: the worker stops sending frames. No body.
	KindVizPort Kind = "viz-port"
	KindDemo    Kind = "demo" // DemoRequest: compute the Concepts page's demos from the runs kept
)

// Events, worker → page.
const (
	KindReady    Kind = "ready"     // no body: the worker's wasm runs and takes commands
	KindStatus   Kind = "status"    // Status: what the worker does now
	KindLoading  Kind = "loading"   // Loading: dataset download progress
	KindBackend  Kind = "backend"   // Backend: which engine trains and why
	KindBatch    Kind = "batch"     // Batch: throttled per-batch training loss
	KindEpoch    Kind = "epoch"     // Epoch: metrics of a finished epoch
	KindSnapshot Kind = "snapshot"  // Snapshot: BN statistics and dropout masks
	KindFinished Kind = "finished"  // Finished: the run ended (completed or stopped)
	KindError    Kind = "error"     // Error: the run failed
	KindModeGap  Kind = "mode-gap"  // ModeGap: accuracy with batch vs running BN statistics
	KindDemoData Kind = "demo-data" // DemoData: the Concepts page's demos (answers KindDemo)
)

// Message is one message either way. Exactly the body field its Kind names is set.
type Message struct {
	V    int  `json:"v"`
	Kind Kind `json:"kind"`
	// Run numbers the run a message belongs to (the page chooses it in Start; events echo it),
	// so that late events of a stopped run are not taken for the next one's.
	Run int `json:"run,omitempty"`

	Start    *Start           `json:"start,omitempty"`
	Status   *Status          `json:"status,omitempty"`
	Loading  *Loading         `json:"loading,omitempty"`
	Backend  *Backend         `json:"backend,omitempty"`
	Batch    *Batch           `json:"batch,omitempty"`
	Epoch    *Epoch           `json:"epoch,omitempty"`
	Snapshot *nncore.Snapshot `json:"snapshot,omitempty"`
	Finished *Finished        `json:"finished,omitempty"`
	Error    *Error           `json:"error,omitempty"`
	ModeGap  *ModeGap         `json:"mode_gap,omitempty"`
	Demo     *DemoRequest     `json:"demo,omitempty"`
	DemoData *DemoData        `json:"demo_data,omitempty"`
}

// Start asks the worker to train one run.
type Start struct {
	Config nncore.Config `json:"config"`
	// DataURL is the folder (relative to the worker script, or absolute) holding the four
	// MNIST .gz files, e.g. "data/".
	DataURL string `json:"data_url"`
	// BatchEvery is the least time in milliseconds between two Batch events (0: 250).
	BatchEveryMS int `json:"batch_every_ms,omitempty"`
	// Engine is the engine the user asked for: "auto" or "" (WebGPU when it can run here, else
	// the CPU engine), "webgpu" (WebGPU or an error saying why not) or "cpu".
	Engine string `json:"engine,omitempty"`
}

// Worker states carried by Status.
const (
	StateLoading = "loading" // fetching and decoding MNIST
	// StatePreparing: building the engine — on WebGPU, compiling its kernels (seconds on a software
	// adapter; once per page, later runs reuse them).
	StatePreparing = "preparing"
	StateTraining  = "training" // training (also after resume)
	StatePaused    = "paused"
)

// Status says what the worker does now; it answers start, pause and resume.
type Status struct {
	State string `json:"state"`
}

// Loading reports the dataset download: bytes of the four files together.
type Loading struct {
	File   string `json:"file"`   // the file being fetched now
	Loaded int64  `json:"loaded"` // bytes received so far, all files
	Total  int64  `json:"total"`  // bytes of all four files (known in advance from the canonical sizes)
	Done   bool   `json:"done"`   // all files fetched, verified and decoded
	Cached bool   `json:"cached"` // the worker had the data from an earlier run
	// FetchSeconds and DecodeSeconds time the download and the sha256 check plus gunzip and
	// parsing (set with Done).
	FetchSeconds  Num `json:"fetch_seconds,omitempty"`
	DecodeSeconds Num `json:"decode_seconds,omitempty"`
}

// Backend names the engine ("cpu" or "webgpu") and why it was chosen.
type Backend struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Batch is the latest training batch (throttled: not every batch is sent).
type Batch struct {
	Epoch   int   `json:"epoch"`   // 1-based
	Batch   int   `json:"batch"`   // 1-based within the epoch
	Batches int   `json:"batches"` // per epoch
	Epochs  int   `json:"epochs"`
	Step    int64 `json:"step"` // global step after this batch
	Loss    Num   `json:"loss"` // mean loss of the last LossBatches batches read
	// LossBatches is how many batches Loss averages; 0 when no statistics were read for this
	// batch (the engine is read a few times per second, not per batch), and Loss repeats the last.
	LossBatches int `json:"loss_batches"`
	Seen        int `json:"seen"` // training images seen in this run
	// ImagesPerSec is the training throughput so far in this run (evaluation excluded).
	ImagesPerSec Num `json:"images_per_sec"`
	Elapsed      Num `json:"elapsed"` // seconds since training began (pauses excluded)
}

// Epoch is the metrics of one finished epoch; accuracies are fractions.
type Epoch struct {
	Epoch        int `json:"epoch"` // 1-based
	TrainLoss    Num `json:"train_loss"`
	TrainAcc     Num `json:"train_acc"`
	TestLoss     Num `json:"test_loss"`
	TestAcc      Num `json:"test_acc"`
	ImagesPerSec Num `json:"images_per_sec"`
	Seconds      Num `json:"seconds"`
}

// Finished ends a run.
type Finished struct {
	Stopped bool    `json:"stopped"` // stopped by the user before the last epoch
	Final   *Epoch  `json:"final"`   // the last finished epoch, nil if none finished
	Backend Backend `json:"backend"`
	Seconds Num     `json:"seconds"` // training time, pauses excluded
	// VizFrames and VizSeconds count the frames posted to the network view and the worker's time
	// building them; GapSeconds is the time of the train/eval-mode comparisons (both outside Seconds).
	VizFrames  int `json:"viz_frames,omitempty"`
	VizSeconds Num `json:"viz_seconds,omitempty"`
	GapSeconds Num `json:"gap_seconds,omitempty"`
	// State is the learned model; nil when it could not be encoded (e.g. NaN weights), with
	// StateError saying why.
	State      *nncore.State `json:"state,omitempty"`
	StateError string        `json:"state_error,omitempty"`
}

// ModeGap compares, at one step of a run, the accuracy of the model on a small fixed set of test
// images in training mode (BN normalizes with the statistics of those images, as during training;
// dropout draws the step's masks) and in evaluation mode (BN uses its running statistics, no dropout).
// Early in training the running statistics lag behind the weights, and the two differ.
type ModeGap struct {
	Step     int64 `json:"step"`
	Epoch    int   `json:"epoch"` // the epoch being trained, 1-based
	N        int   `json:"n"`     // test images
	TrainAcc Num   `json:"train_mode_acc"`
	EvalAcc  Num   `json:"eval_mode_acc"`
}

// DemoRequest asks the worker for the Concepts page's demos, computed from the runs it keeps.
type DemoRequest struct {
	// KnockoutN is how many test images the knockout curves are measured on (0: 1,000).
	KnockoutN int `json:"knockout_n,omitempty"`
}

// DemoData is the Concepts page's demos. Knockout needs a finished run with dropout and a plain
// one (no dropout, no BN); Shift needs snapshots of a run with BN and one without. KnockoutRuns and
// ShiftRuns say which runs each demo used. Note says what is missing, if anything, and Missing
// names the variants whose runs would complete the demos (in the order plain, dropout, standard-bn).
type DemoData struct {
	Knockout      []DemoKnockout `json:"knockout,omitempty"`
	KnockoutLayer string         `json:"knockout_layer,omitempty"`
	KnockoutN     int            `json:"knockout_n,omitempty"`
	KnockoutRuns  string         `json:"knockout_runs,omitempty"`
	Shift         []DemoShift    `json:"shift,omitempty"`
	ShiftRuns     string         `json:"shift_runs,omitempty"`
	Note          string         `json:"note,omitempty"`
	Missing       []string       `json:"missing,omitempty"`
}

// DemoKnockout is one model's knockout curve: test-accuracy drop (a fraction) per hidden unit.
type DemoKnockout struct {
	Label string `json:"label"`
	Drops []Num  `json:"drops"`
}

// DemoShift is one run's quantile bands (5, 25, 50, 75, 95 %) of an activation at several steps.
type DemoShift struct {
	Label string   `json:"label"`
	Steps []int64  `json:"steps"`
	Q     [][5]Num `json:"q"`
}

// Error reports a failed run: what went wrong and what to do.
type Error struct {
	Message string `json:"message"`
}

// body returns the name of the body field that is set, or "" when none; more than one is an error.
func (m *Message) body() (string, error) {
	set := []struct {
		name string
		ok   bool
	}{
		{"start", m.Start != nil}, {"status", m.Status != nil}, {"loading", m.Loading != nil},
		{"backend", m.Backend != nil}, {"batch", m.Batch != nil}, {"epoch", m.Epoch != nil},
		{"snapshot", m.Snapshot != nil}, {"finished", m.Finished != nil}, {"error", m.Error != nil},
		{"mode_gap", m.ModeGap != nil}, {"demo", m.Demo != nil}, {"demo_data", m.DemoData != nil},
	}
	name := ""
	for _, s := range set {
		if !s.ok {
			continue
		}
		if name != "" {
			return "", fmt.Errorf("protocol: %q message has two bodies, %s and %s", m.Kind, name, s.name)
		}
		name = s.name
	}
	return name, nil
}

// wantBody maps each kind to its body field ("" = none).
var wantBody = map[Kind]string{
	KindStart: "start", KindPause: "", KindResume: "", KindStop: "",
	KindReady: "", KindStatus: "status", KindLoading: "loading", KindBackend: "backend",
	KindBatch: "batch", KindEpoch: "epoch", KindSnapshot: "snapshot", KindFinished: "finished",
	KindError: "error", KindVizPort: "", KindDemo: "demo", KindModeGap: "mode_gap", KindDemoData: "demo_data",
}

// Check reports whether m's kind is known and its body matches the kind.
func (m *Message) Check() error {
	want, ok := wantBody[m.Kind]
	if !ok {
		return fmt.Errorf("protocol: unknown message kind %q", m.Kind)
	}
	got, err := m.body()
	if err != nil {
		return err
	}
	if got != want {
		if want == "" {
			return fmt.Errorf("protocol: %q message takes no body, has %s", m.Kind, got)
		}
		if got == "" {
			return fmt.Errorf("protocol: %q message lacks its %s body", m.Kind, want)
		}
		return fmt.Errorf("protocol: %q message has a %s body, want %s", m.Kind, got, want)
	}
	return nil
}

// Encode checks m, sets its version and returns its JSON.
func Encode(m Message) ([]byte, error) {
	m.V = Version
	if err := m.Check(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("protocol: encoding %q message: %w", m.Kind, err)
	}
	return b, nil
}

// Decode parses and checks one message.
func Decode(b []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("protocol: not a message: %w", err)
	}
	if m.V != Version {
		return Message{}, fmt.Errorf("protocol: message version %d, this side speaks %d: reload the page so that page and worker come from the same build", m.V, Version)
	}
	if err := m.Check(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// Num is a float64 that JSON-encodes NaN and ±Inf as the strings "NaN", "+Inf" and "-Inf", so that
// a diverged run's metrics still travel.
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = Num(math.NaN())
		return nil
	case `"+Inf"`:
		*n = Num(math.Inf(1))
		return nil
	case `"-Inf"`:
		*n = Num(math.Inf(-1))
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return errors.New("protocol: a number must be a JSON number or \"NaN\", \"+Inf\", \"-Inf\"")
	}
	*n = Num(f)
	return nil
}
