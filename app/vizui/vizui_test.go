package vizui

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/viz"
)

func snapshot() []nncore.BNSnapshot {
	var out []nncore.BNSnapshot
	for _, l := range []struct {
		name string
		n    int
	}{{"bn0", 1}, {"bn1", 6}, {"bn2", 16}, {"bn3", 120}, {"bn4", 84}} {
		s := nncore.BNSnapshot{Name: l.name}
		for i := range l.n {
			f := float32(i)
			s.Gamma = append(s.Gamma, 1+0.01*f)
			s.Beta = append(s.Beta, -0.02*f)
			s.RunningMean = append(s.RunningMean, 0.5*f)
			s.RunningVar = append(s.RunningVar, 1+f)
			s.BatchMean = append(s.BatchMean, 0.5*f+0.1)
			s.BatchVar = append(s.BatchVar, 1000*f+0.25)
		}
		out = append(out, s)
	}
	return out
}

func render(t *testing.T, b vugu.Builder) string {
	t.Helper()
	env, err := vugu.NewBuildEnv()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := staticrender.New(&buf).Render(env.RunBuild(b)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestViolinsRender(t *testing.T) {
	v := &Violins{BN: snapshot()}
	out := render(t, v)
	if got := strings.Count(out, `data-testid="violin"`); got != 5 {
		t.Errorf("%d violin figures, want 5", got)
	}
	for _, l := range []string{"bn0", "bn1", "bn2", "bn3", "bn4"} {
		if !strings.Contains(out, `data-layer="`+l+`"`) {
			t.Errorf("no plot for %s", l)
		}
	}
	if got := strings.Count(out, "<path"); got != 10 {
		t.Errorf("%d violin paths, want 10 (γ and β per layer)", got)
	}
	// The values table of bn3 has 120 rows.
	layers := ViolinLayers(snapshot())
	if got := strings.Count(string(layers[3].Table), "<tr>"); got != 121 {
		t.Errorf("bn3 table has %d rows, want 120 + header", got)
	}
	if !strings.Contains(layers[3].Caption, "120 values") {
		t.Errorf("caption %q", layers[3].Caption)
	}
	// Unchanged input reuses the plots; a change recomputes them.
	first := v.view()
	if &v.view()[0] != &first[0] {
		t.Error("plots recomputed for the same values")
	}
	v.BN = snapshot()
	v.BN[1].Gamma[0] = 7
	if &v.view()[0] == &first[0] {
		t.Error("plots not recomputed after γ changed")
	}
	if out := render(t, &Violins{}); !strings.Contains(out, "violins-empty") {
		t.Error("no message for a run without BN")
	}
}

func TestBNStats(t *testing.T) {
	c := &BNStats{BN: snapshot(), Layer: "bn3"}
	out := render(t, c)
	if !strings.Contains(out, `data-testid="bnstats-table" data-layer="bn3"`) {
		t.Fatal("bn3 table not shown")
	}
	if got := strings.Count(out, "<tr>"); got != 121 {
		t.Errorf("%d table rows, want 121", got)
	}
	// Batch variance of feature 119 is 119,000.25: thousands separators.
	if !strings.Contains(out, "119,000.2500") {
		t.Error("large values lack thousands separators")
	}
	if got := strings.Count(out, "<option"); got != 5 {
		t.Errorf("%d layer options, want 5", got)
	}
	c.Layer = "bn9"
	if c.currentName() != "bn0" {
		t.Errorf("unknown layer falls back to %q", c.currentName())
	}
	if title := BNLayerTitle(snapshot()[4]); title != "bn4, after fc2 (84 features)" {
		t.Errorf("title %q", title)
	}
}

func TestConceptsRender(t *testing.T) {
	out := render(t, &Concepts{})
	for _, want := range []string{`data-testid="concepts"`, "Srivastava", "Ioffe", "Santurkar", "needs two finished runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("empty Concepts page lacks %q", want)
		}
	}
	if strings.Contains(out, "knockout-chart") || strings.Contains(out, "run-demos") {
		t.Error("empty page shows a chart or a button")
	}
	// Before any run every demo run is missing: the button offers all three.
	out = render(t, &Concepts{Demo: &Demo{OnRun: func() {}, Missing: []string{"plain", "dropout", "standard-bn"}}})
	if !strings.Contains(out, `data-missing="plain dropout standard-bn"`) || !strings.Contains(out, "Run the demos: train plain, dropout and standard-bn") {
		t.Errorf("no runs: the page does not offer the three demo runs")
	}
	d := &Demo{OnRun: func() {}, Status: "ready", Missing: []string{"plain"}, KnockoutRuns: "Models: run 3 · dropout and run 5 · plain."}
	d.SetKnockout([]viz.KnockoutSeries{
		{Label: "dropout", Drops: []float64{0.001, 0.002, 0}},
		{Label: "plain", Drops: []float64{0.02, 0.006, -0.001}},
	}, "fc1", 1000)
	d.SetShift([]viz.BandSeries{
		{Label: "plain", Steps: []int64{0, 1500}, Q: [][5]float64{{-1, -.5, 0, .5, 1}, {-3, -1, 0, 1, 4}}},
		{Label: "standard-bn", Steps: []int64{0, 1500}, Q: [][5]float64{{-1, -.5, 0, .5, 1}, {-1, -.5, 0, .5, 1.2}}},
	})
	out = render(t, &Concepts{Demo: d})
	for _, want := range []string{`data-testid="knockout-chart"`, `data-testid="run-demos"`, `data-missing="plain"`, "Train the missing run: plain",
		"1,000 test images", `data-testid="knockout-summary"`, "1,500", "ready", `data-testid="knockout-runs"`, "run 3 · dropout and run 5 · plain"} {
		if !strings.Contains(out, want) {
			t.Errorf("Concepts page with data lacks %q", want)
		}
	}
	if got := strings.Count(out, `data-testid="shift-chart"`); got != 2 {
		t.Errorf("%d shift charts, want 2", got)
	}
	// With every run there, the demos use them: no button.
	d.Missing = nil
	if out := render(t, &Concepts{Demo: d}); strings.Contains(out, "run-demos") {
		t.Error("the page offers demo runs although none is missing")
	}
	for _, c := range []struct {
		missing []string
		want    string
	}{
		{nil, ""},
		{[]string{"dropout"}, "Train the missing run: dropout"},
		{[]string{"plain", "standard-bn"}, "Train the missing runs: plain and standard-bn"},
		{[]string{"plain", "dropout", "standard-bn"}, "Run the demos: train plain, dropout and standard-bn"},
	} {
		if got := RunDemosText(c.missing); got != c.want {
			t.Errorf("RunDemosText(%v) = %q, want %q", c.missing, got, c.want)
		}
	}
	if d.Knockout[0].Color == "" || d.Knockout[0].Color == d.Knockout[1].Color {
		t.Error("series not given distinct colours")
	}
	mean, top, costly := KnockoutStats(d.Knockout[1].Drops)
	if abs(mean-0.8333333333) > 1e-6 || abs(top-2) > 1e-12 || costly != 2 {
		t.Errorf("KnockoutStats = %v %v %v", mean, top, costly)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
