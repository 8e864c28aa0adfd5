//go:build js && wasm

// Command viz is the visualization iframe of LeNet Lab (static/viz.html): live feature maps, dropout
// masks and BN activation histograms of a training run, and a draw-a-digit pad. It receives
// protocol.VizFrame and protocol.VizModel messages (see glue.go) and draws with ebiten; every picture
// is computed by package viz, this program only blits it.
//
// It idles at about zero CPU: ebiten runs in FPSModeVsyncOffMinimum, a frame is scheduled only when a
// message arrives or the user touches the pad (redraw), ebiten's animation-frame loop is parked in
// between (static/viz.html), and Draw draws only the parts of the screen that changed (the screen
// is not cleared between frames): a new live frame redraws the live view, not the pad panel.
// Each live frame drawn is acked to the worker with the time it took (glue.go), and the worker
// paces its frames by it, so that the view's share of a small machine stays small. Measured with
// e2e TestVizCost (headless Chromium, SwiftShader, 2 cores): a frame costs this thread ~40-50 ms
// and the browser ~100-150 ms in all.
package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/ebitenutil"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/protocol"
	"github.com/lenetlab/lenetlab/viz"
)

// Layout of the right-hand pad panel, in CSS pixels.
const (
	panelW  = 300
	padSide = 280
	margin  = 10
	barsH   = 200
	buttonH = 18
)

// model is a network the pad can run.
type model struct {
	label string
	cfg   nncore.Config
	st    *nncore.State
}

// game is the whole iframe. Its fields are guarded by mu: messages are decoded and probed in a
// goroutine while ebiten calls Update and Draw.
type game struct {
	mu sync.Mutex

	// live view
	dash       *image.RGBA // composed by viz.Dashboard; nil before the first frame
	dashLabels []viz.Label
	dashImg    *ebiten.Image
	dashNew    bool
	dashStep   int64         // the step of the frame in dash
	dashCost   time.Duration // its decoding, probe and composing
	header     string
	live       *model // the training run's latest state, used by the pad when no model is chosen
	frames     int    // frames whose pictures have been drawn

	// pad
	pad       *viz.Pad
	padImg    *ebiten.Image
	padDirty  bool
	models    []model
	selected  int // index into models, -1 = the live model
	probs     []float32
	predicted int // predictions made
	drawing   bool
	lastX     float64
	lastY     float64
	status    string

	w, h int

	dirty    int             // the parts of the screen that differ from what was last drawn
	lastDash image.Rectangle // where the live view's picture was last drawn
	bars     *ebiten.Image   // the pad's probability bars, drawn from probs
	barsFor  []float32       // the probs bars shows
	draws    int             // Draw calls that drew
	drawTime time.Duration   // spent in those Draw calls
}

func newGame() *game {
	return &game{pad: viz.NewPad(viz.PadSide), selected: -1, status: "waiting for a training run", dirty: partAll}
}

// The parts of the screen, redrawn separately: without a GPU every pixel drawn costs the
// machine's CPU (the software renderer), so a new frame redraws only the live view.
const (
	partView  = 1 << iota // the live view, left of the pad panel
	partPanel             // the pad panel
	partNew               // a new screen (its size changed): clear everything
	partAll   = partView | partPanel | partNew
)

// redraw marks parts of the screen changed and has ebiten draw a frame. g.mu is held.
func (g *game) redraw(parts int) {
	g.dirty |= parts
	ebiten.ScheduleFrame()
	wakeLoop()
}

// showFrame runs the frame's probe batch through its model (training mode, as the network sees it
// while it trains) and composes the dashboard; began is when its decoding began. Called outside
// ebiten's loop.
func (g *game) showFrame(f *protocol.VizFrame, began time.Time) error {
	st, err := f.State()
	if err != nil {
		return err
	}
	x, err := f.ProbeImages()
	if err != nil {
		return err
	}
	if f.ProbeN < 1 {
		return fmt.Errorf("viz: frame at step %d has no probe images", f.Step)
	}
	p := nncore.RunProbe(f.Config, st, x, f.ProbeN, true)
	img, labels := viz.Dashboard(viz.DashboardInput{Acts: p.Acts, Masks: f.Masks, Sample: 0})
	pred := viz.Argmax(p.Probs[:10])
	header := fmt.Sprintf("%s | step %s | epoch %d | probe image 0: label %d, predicted %d (%s%%, training mode)",
		f.Run, viz.FormatInt(f.Step), f.Epoch, f.ProbeLabels[0], pred, viz.FormatFloat(100*float64(p.Probs[pred]), 1))

	cost := time.Since(began)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dash, g.dashLabels, g.dashNew, g.header = img, labels, true, header
	g.dashStep, g.dashCost = f.Step, cost
	g.live = &model{label: "live: " + f.Run, cfg: f.Config, st: st}
	parts := partView
	if g.selected < 0 { // the pad runs the live model
		status, probs := g.status, g.probs
		g.predictLocked()
		if g.status != status || !slices.Equal(g.probs, probs) {
			parts |= partPanel
		}
	}
	g.redraw(parts)
	return nil
}

// addModel offers a finished run's model on the pad and selects it.
func (g *game) addModel(m *protocol.VizModel) error {
	st, err := m.State()
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	nm := model{label: m.Label, cfg: m.Config, st: st}
	for i := range g.models {
		if g.models[i].label == m.Label {
			g.models[i] = nm
			g.selected = i
			g.predictLocked()
			g.redraw(partPanel)
			return nil
		}
	}
	g.models = append(g.models, nm)
	g.selected = len(g.models) - 1
	g.predictLocked()
	publishModels(g.modelLabels())
	g.redraw(partPanel)
	return nil
}

func (g *game) modelLabels() []string {
	out := make([]string, len(g.models))
	for i, m := range g.models {
		out[i] = m.label
	}
	return out
}

// current is the model the pad runs: the selected finished model, else the live one.
func (g *game) current() *model {
	if g.selected >= 0 && g.selected < len(g.models) {
		return &g.models[g.selected]
	}
	return g.live
}

// predictLocked runs the pad's digit through the current model in eval mode. g.mu is held.
func (g *game) predictLocked() {
	m := g.current()
	if m == nil {
		g.status = "no model yet: train a run, or wait for the live view"
		return
	}
	if g.pad.Empty() {
		g.probs = nil
		g.status = "draw a digit with the mouse or a finger (" + m.label + ")"
		publishProbs(nil, g.predicted)
		return
	}
	x := make([]float32, mnist.Pixels)
	m.cfg.Preprocess().Image(x, g.pad.Digit())
	p := nncore.RunProbe(m.cfg, m.st, x, 1, false)
	g.probs = p.Probs
	g.predicted++
	best := viz.Argmax(p.Probs)
	g.status = fmt.Sprintf("%s: %d (%s%%)", m.label, best, viz.FormatFloat(100*float64(p.Probs[best]), 1))
	publishProbs(g.probs, g.predicted)
}

// drawStrokes draws strokes given in pad units (0..1) and predicts; for tests (window.__vizDraw).
func (g *game) drawStrokes(strokes [][][2]float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range strokes {
		for i := range s {
			a := s[max(i-1, 0)]
			g.pad.Stroke(a[0], a[1], s[i][0], s[i][1], viz.PadBrush)
		}
	}
	g.padDirty = true
	g.predictLocked()
	g.redraw(partPanel)
}

func (g *game) clearPad() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pad.Clear()
	g.padDirty = true
	g.predictLocked()
	g.redraw(partPanel)
}

func (g *game) selectModel(label string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, m := range g.models {
		if m.label == label {
			g.selected = i
			g.predictLocked()
			g.redraw(partPanel)
			return true
		}
	}
	return false
}

// Rectangles of the pad panel for a screen of w×h.
func (g *game) padRect() image.Rectangle {
	x := max(g.w-panelW, 0) + margin
	return image.Rect(x, 2*margin+viz.LineHeight, x+padSide, 2*margin+viz.LineHeight+padSide)
}

func (g *game) clearRect() image.Rectangle {
	p := g.padRect()
	return image.Rect(p.Min.X, p.Max.Y+4, p.Min.X+60, p.Max.Y+4+buttonH)
}

func (g *game) barsRect() image.Rectangle {
	c := g.clearRect()
	x := c.Min.X + 3*viz.CharWidth
	return image.Rect(x, c.Max.Y+margin+viz.LineHeight, c.Min.X+padSide-8*viz.CharWidth, c.Max.Y+margin+viz.LineHeight+barsH)
}

func (g *game) modelRect(i int) image.Rectangle {
	b := g.barsRect()
	y := b.Max.Y + margin + viz.LineHeight + i*buttonH
	return image.Rect(g.clearRect().Min.X, y, g.clearRect().Min.X+padSide, y+buttonH)
}

func (g *game) Update() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	x, y, down := g.pointer()
	pr := g.padRect()
	in := image.Pt(x, y).In(pr)
	if down && (in || g.drawing) {
		fx, fy := float64(x-pr.Min.X)/padSide, float64(y-pr.Min.Y)/padSide
		fx, fy = math.Min(math.Max(fx, 0), 1), math.Min(math.Max(fy, 0), 1)
		if !g.drawing {
			g.lastX, g.lastY = fx, fy
		}
		g.pad.Stroke(g.lastX, g.lastY, fx, fy, viz.PadBrush)
		g.lastX, g.lastY, g.drawing, g.padDirty = fx, fy, true, true
		g.predictLocked()
		g.redraw(partPanel) // and keep updating while the button is held
	} else if !down && g.drawing {
		g.drawing = false
	}
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) || len(inpututil.AppendJustPressedTouchIDs(nil)) > 0 {
		p := image.Pt(x, y)
		if p.In(g.clearRect()) {
			g.pad.Clear()
			g.padDirty = true
			g.predictLocked()
			g.redraw(partPanel)
		}
		for i := range g.models {
			if p.In(g.modelRect(i)) {
				g.selected = i
				g.predictLocked()
				g.redraw(partPanel)
			}
		}
	}
	return nil
}

// pointer returns the mouse or first touch position and whether it is pressed.
func (g *game) pointer() (x, y int, down bool) {
	if ids := ebiten.AppendTouchIDs(nil); len(ids) > 0 {
		x, y = ebiten.TouchPosition(ids[0])
		return x, y, true
	}
	x, y = ebiten.CursorPosition()
	return x, y, ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
}

func (g *game) Draw(screen *ebiten.Image) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.dirty == 0 {
		return // the screen keeps the last frame
	}
	began := time.Now()
	newFrame := g.dashNew
	split := max(g.w-panelW, 0)
	if g.dirty&partNew != 0 {
		g.lastDash = image.Rectangle{} // (each part clears its whole area)
	}
	if g.dirty&partView != 0 {
		g.drawView(screen, image.Rect(0, 0, split, g.h))
	}
	if g.dirty&partPanel != 0 {
		g.drawPanel(screen, image.Rect(split, 0, g.w, g.h))
	}
	took := time.Since(began)
	g.dirty = 0
	g.draws++
	g.drawTime += took
	publishDraws(g.draws, g.drawTime)
	if newFrame {
		ackFrame(g.dashStep, g.dashCost+took)
	}
}

// drawView draws the live view, scaled to fit area (left of the pad panel). Only what the new
// picture does not cover is cleared. g.mu is held.
func (g *game) drawView(screen *ebiten.Image, area image.Rectangle) {
	screen = screen.SubImage(area).(*ebiten.Image)
	ox, oy := margin, viz.LineHeight+margin
	if g.dash == nil {
		fillRect(screen, area, viz.Background)
		ebitenutil.DebugPrintAt(screen, "Waiting for a training run: start one on the Lab page.", ox, oy)
		g.lastDash = image.Rectangle{}
		return
	}
	aw, ah := float64(max(g.w-panelW-2*margin, 50)), float64(max(g.h-viz.LineHeight-2*margin, 50))
	s := math.Min(1.5, math.Min(aw/float64(g.dash.Rect.Dx()), ah/float64(g.dash.Rect.Dy())))
	at := image.Rect(ox, oy, ox+int(math.Ceil(s*float64(g.dash.Rect.Dx()))), oy+int(math.Ceil(s*float64(g.dash.Rect.Dy()))))
	if at != g.lastDash {
		fillRect(screen, area, viz.Background)
	} else { // the picture covers its own place: clear the header line only
		fillRect(screen, image.Rect(area.Min.X, area.Min.Y, area.Max.X, oy), viz.Background)
	}
	g.lastDash = at
	ebitenutil.DebugPrintAt(screen, ascii(g.header), margin, 2)
	if g.dashImg == nil || g.dashImg.Bounds() != g.dash.Rect {
		g.dashImg = ebiten.NewImage(g.dash.Rect.Dx(), g.dash.Rect.Dy())
	}
	if g.dashNew {
		g.dashImg.WritePixels(g.dash.Pix)
		g.dashNew = false
		g.frames++
		publishFrames(g.frames)
	}
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Scale(s, s)
	op.GeoM.Translate(float64(ox), float64(oy))
	screen.DrawImage(g.dashImg, op)
	for _, l := range g.dashLabels {
		ebitenutil.DebugPrintAt(screen, l.Text, ox+int(float64(l.X)*s), oy+int(float64(l.Y)*s))
	}
}

// drawPanel draws the pad panel into area. g.mu is held.
func (g *game) drawPanel(screen *ebiten.Image, area image.Rectangle) {
	screen = screen.SubImage(area).(*ebiten.Image)
	fillRect(screen, area, viz.Background)
	pr := g.padRect()
	ebitenutil.DebugPrintAt(screen, "Draw a digit", pr.Min.X, margin)
	if g.padImg == nil {
		g.padImg = ebiten.NewImage(viz.PadSide, viz.PadSide)
		g.padDirty = true
	}
	if g.padDirty {
		g.padImg.WritePixels(g.pad.Image().Pix)
		g.padDirty = false
	}
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Scale(float64(padSide)/viz.PadSide, float64(padSide)/viz.PadSide)
	op.GeoM.Translate(float64(pr.Min.X), float64(pr.Min.Y))
	op.Filter = ebiten.FilterLinear
	screen.DrawImage(g.padImg, op)

	cr := g.clearRect()
	fillRect(screen, cr, viz.PanelColor)
	ebitenutil.DebugPrintAt(screen, "Clear", cr.Min.X+12, cr.Min.Y+1)
	ebitenutil.DebugPrintAt(screen, ascii(g.status), cr.Max.X+8, cr.Min.Y+1)

	br := g.barsRect()
	if g.probs != nil {
		if g.bars == nil || g.bars.Bounds().Size() != br.Size() || !slices.Equal(g.barsFor, g.probs) {
			if g.bars != nil {
				g.bars.Deallocate()
			}
			g.bars = ebiten.NewImageFromImage(viz.BarsImage(g.probs, br.Dx(), br.Dy()))
			g.barsFor = slices.Clone(g.probs)
		}
		op := &ebiten.DrawImageOptions{}
		op.GeoM.Translate(float64(br.Min.X), float64(br.Min.Y))
		screen.DrawImage(g.bars, op)
		rowH := br.Dy() / 10
		for d, p := range g.probs {
			y := br.Min.Y + d*rowH + (rowH-viz.LineHeight)/2
			ebitenutil.DebugPrintAt(screen, fmt.Sprint(d), br.Min.X-2*viz.CharWidth, y)
			ebitenutil.DebugPrintAt(screen, viz.FormatFloat(100*float64(p), 1)+"%", br.Max.X+4, y)
		}
	}
	if len(g.models) > 0 {
		ebitenutil.DebugPrintAt(screen, "Model (click to choose):", cr.Min.X, g.modelRect(0).Min.Y-viz.LineHeight)
	}
	for i, m := range g.models {
		r := g.modelRect(i)
		if i == g.selected {
			fillRect(screen, r, viz.PanelColor)
		}
		ebitenutil.DebugPrintAt(screen, ascii(m.label), r.Min.X+4, r.Min.Y+1)
	}
}

func fillRect(dst *ebiten.Image, r image.Rectangle, c color.Color) {
	if r.Empty() {
		return
	}
	dst.SubImage(r).(*ebiten.Image).Fill(c)
}

// ascii keeps the debug font's characters (Latin-1): the typographic minus becomes a hyphen.
func ascii(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '−' {
			out[i] = '-'
		} else if r > 0xff {
			out[i] = '?'
		}
	}
	return string(out)
}

func (g *game) Layout(outsideWidth, outsideHeight int) (int, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.w != outsideWidth || g.h != outsideHeight {
		g.w, g.h = outsideWidth, outsideHeight
		g.redraw(partAll)
	}
	return outsideWidth, outsideHeight
}

func main() {
	g := newGame()
	listen(g)
	ebiten.SetFPSMode(ebiten.FPSModeVsyncOffMinimum)
	ebiten.SetScreenClearedEveryFrame(false)
	ebiten.SetRunnableOnUnfocused(true)
	ebiten.SetWindowTitle("LeNet Lab visualizations")
	if err := ebiten.RunGame(g); err != nil {
		reportError(err)
	}
	select {}
}
