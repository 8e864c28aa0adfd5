package lab

import (
	"fmt"
	"time"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
)

// Statuses shown in the status line (data-testid="status").
const (
	StatusIdle    = "idle"
	StatusLoading = "loading"
	// StatusPreparing: the engine is being built (on WebGPU: compiling the kernels, first run only).
	StatusPreparing = "preparing"
	StatusTraining  = "training"
	StatusPaused    = "paused"
	StatusDone      = "done"
	StatusError     = "error"
)

// Point is one sample of a curve.
type Point struct{ X, Y float64 }

// Run is what the page knows about one training run.
type Run struct {
	ID       int
	Settings Settings
	Config   nncore.Config

	Status        string
	Backend       string
	BackendReason string
	Loading       protocol.Loading
	Batch         protocol.Batch // latest
	Losses        []Point        // per-batch loss against fractional epoch
	Epochs        []protocol.Epoch
	Snapshot      *nncore.Snapshot
	// EpochBN is the BN part of the snapshot taken after the latest epoch (the violins show it).
	EpochBN   []nncore.BNSnapshot
	epochSnap bool // an epoch ended: the next snapshot is its snapshot
	// ModeGaps are the worker's train-mode vs eval-mode accuracy measurements, oldest first.
	ModeGaps []protocol.ModeGap
	Finished *protocol.Finished
	Err      string

	Opened    time.Time     // when Start was pressed
	FirstStep time.Duration // from Opened to the first batch event (0 until then)
}

// Result is one finished run in the comparison table.
type Result struct {
	Run      int
	Settings Settings
	Backend  string
	Final    *protocol.Epoch
	Seconds  float64
	Stopped  bool
	State    *nncore.State
	Epochs   []protocol.Epoch
	Losses   []Point
	// The worker's time outside training: network-view frames and train/eval-mode comparisons.
	VizFrames              int
	VizSeconds, GapSeconds float64
}

// Model is the Lab page's state: the form, the current run and the finished runs. It is plain Go,
// changed only by the methods below (under the page's render lock) and tested natively.
type Model struct {
	Form    Settings
	FormErr string
	Run     *Run
	Results []Result
	// Series is the latest "Run the lab" or demo series (nil: none yet).
	Series *RunSeries
	// VizShown says whether the network view (the viz iframe) is shown.
	VizShown bool
	nextID   int
	Now      func() time.Time // time source (tests replace it)
}

// NewModel returns a Model whose form holds s.
func NewModel(s Settings) *Model {
	return &Model{Form: s, Now: time.Now}
}

// Status returns the current status text.
func (m *Model) Status() string {
	if m.Run == nil {
		return StatusIdle
	}
	return m.Run.Status
}

// Busy reports whether a run is in progress (loading, preparing, training or paused).
func (m *Model) Busy() bool {
	s := m.Status()
	return s == StatusLoading || s == StatusPreparing || s == StatusTraining || s == StatusPaused
}

// Start validates the form and, if it is valid, begins a new run and returns the start command.
// With an invalid form it sets FormErr and returns ok=false.
func (m *Model) Start(dataURL string) (msg protocol.Message, ok bool) {
	return m.StartWith(m.Form, dataURL)
}

// StartWith is Start with the settings s instead of the form's.
func (m *Model) StartWith(s Settings, dataURL string) (msg protocol.Message, ok bool) {
	if m.Busy() {
		return protocol.Message{}, false
	}
	cfg, err := s.Config()
	if err != nil {
		m.FormErr = err.Error()
		return protocol.Message{}, false
	}
	m.FormErr = ""
	m.nextID++
	m.Run = &Run{ID: m.nextID, Settings: s, Config: cfg, Status: StatusLoading, Opened: m.Now()}
	return protocol.Message{Kind: protocol.KindStart, Run: m.nextID, Start: &protocol.Start{Config: cfg, DataURL: dataURL, Engine: s.Engine}}, true
}

// Command returns a pause, resume or stop command for the current run, or ok=false when it does not apply.
func (m *Model) Command(kind protocol.Kind) (protocol.Message, bool) {
	if m.Run == nil {
		return protocol.Message{}, false
	}
	s := m.Run.Status
	switch kind {
	case protocol.KindPause:
		if s != StatusTraining {
			return protocol.Message{}, false
		}
	case protocol.KindResume:
		if s != StatusPaused {
			return protocol.Message{}, false
		}
	case protocol.KindStop:
		if !m.Busy() {
			return protocol.Message{}, false
		}
	default:
		return protocol.Message{}, false
	}
	return protocol.Message{Kind: kind, Run: m.Run.ID}, true
}

// maxLossPoints bounds the per-batch curve; older points are thinned by half when it is reached.
const maxLossPoints = 4000

// Apply takes one event from the worker. Events of another run than the current one are ignored.
func (m *Model) Apply(msg protocol.Message) {
	r := m.Run
	if r == nil || (msg.Run != 0 && msg.Run != r.ID) {
		return
	}
	switch msg.Kind {
	case protocol.KindStatus:
		switch msg.Status.State {
		case protocol.StateLoading:
			r.Status = StatusLoading
		case protocol.StatePreparing:
			r.Status = StatusPreparing
		case protocol.StateTraining:
			r.Status = StatusTraining
		case protocol.StatePaused:
			r.Status = StatusPaused
		}
	case protocol.KindLoading:
		r.Loading = *msg.Loading
	case protocol.KindBackend:
		r.Backend, r.BackendReason = msg.Backend.Name, msg.Backend.Reason
	case protocol.KindBatch:
		b := *msg.Batch
		if r.FirstStep == 0 {
			r.FirstStep = max(m.Now().Sub(r.Opened), time.Nanosecond)
		}
		if r.Status == StatusLoading || r.Status == StatusPreparing {
			r.Status = StatusTraining
		}
		r.Batch = b
		if b.Batches > 0 && b.LossBatches > 0 { // a repeated (unread) loss is not a new point
			r.Losses = append(r.Losses, Point{X: float64(b.Epoch-1) + float64(b.Batch)/float64(b.Batches), Y: float64(b.Loss)})
			if len(r.Losses) > maxLossPoints {
				thin := r.Losses[:0]
				for i := 0; i < len(r.Losses); i += 2 {
					thin = append(thin, r.Losses[i])
				}
				r.Losses = thin
			}
		}
	case protocol.KindEpoch:
		r.Epochs = append(r.Epochs, *msg.Epoch)
		r.epochSnap = true
	case protocol.KindSnapshot:
		r.Snapshot = msg.Snapshot
		if r.epochSnap {
			r.EpochBN, r.epochSnap = msg.Snapshot.BN, false
		}
	case protocol.KindModeGap:
		r.ModeGaps = append(r.ModeGaps, *msg.ModeGap)
	case protocol.KindFinished:
		f := msg.Finished
		r.Finished = f
		r.Status = StatusDone
		if f.Backend.Name != "" {
			r.Backend, r.BackendReason = f.Backend.Name, f.Backend.Reason
		}
		m.Results = append(m.Results, Result{Run: r.ID, Settings: r.Settings, Backend: r.Backend, Final: f.Final,
			Seconds: float64(f.Seconds), Stopped: f.Stopped, State: f.State, Epochs: r.Epochs, Losses: r.Losses,
			VizFrames: f.VizFrames, VizSeconds: float64(f.VizSeconds), GapSeconds: float64(f.GapSeconds)})
	case protocol.KindError:
		r.Status = StatusError
		r.Err = msg.Error.Message
	}
}

// Fail ends the current run with an error raised on the page side (e.g. the worker failed to load).
func (m *Model) Fail(err string) {
	if m.Run == nil {
		m.Run = &Run{Status: StatusError, Err: err}
		return
	}
	m.Run.Status = StatusError
	m.Run.Err = err
}

// Progress is the training progress of a run: fraction done and an ETA in seconds (NaN when unknown).
func (r *Run) Progress() (frac, eta float64) {
	b := r.Batch
	if b.Batches == 0 || b.Epochs == 0 {
		return 0, nan()
	}
	done := float64((b.Epoch-1)*b.Batches + b.Batch)
	total := float64(b.Epochs * b.Batches)
	frac = done / total
	if r.Status == StatusDone {
		return 1, 0
	}
	if done == 0 || float64(b.Elapsed) <= 0 {
		return frac, nan()
	}
	return frac, float64(b.Elapsed) * (total - done) / done
}

// ProgressText is the training progress line: "epoch 2 of 3 · batch 120 of 938 · 12,345 images/s · ETA 1 min 05 s".
func (r *Run) ProgressText() string {
	b := r.Batch
	if b.Batches == 0 {
		return ""
	}
	_, eta := r.Progress()
	s := fmt.Sprintf("epoch %s of %s · batch %s of %s · %s images/s", Thousands(int64(b.Epoch)), Thousands(int64(b.Epochs)),
		Thousands(int64(b.Batch)), Thousands(int64(b.Batches)), Fixed(float64(b.ImagesPerSec), 0))
	if r.Status == StatusTraining || r.Status == StatusPaused {
		s += " · ETA " + Duration(eta)
	}
	return s
}

// LoadingFrac is the dataset download progress as a fraction.
func (r *Run) LoadingFrac() float64 {
	if r.Loading.Done {
		return 1
	}
	if r.Loading.Total <= 0 {
		return 0
	}
	return min(1, float64(r.Loading.Loaded)/float64(r.Loading.Total))
}

// LoadingText is the dataset progress line.
func (r *Run) LoadingText() string {
	l := r.Loading
	switch {
	case l.Done:
		return "MNIST loaded and verified: " + Bytes(l.Total) + " (download " + Duration(float64(l.FetchSeconds)) +
			", sha256 check and decoding " + Duration(float64(l.DecodeSeconds)) + ")"
	case l.Total > 0:
		return "downloading " + l.File + ": " + Bytes(l.Loaded) + " of " + Bytes(l.Total)
	}
	return "waiting for the worker…"
}
