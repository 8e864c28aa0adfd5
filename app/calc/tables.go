package calc

import (
	"fmt"
	"html"
	"strings"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

// The tables are built as HTML strings here (plain Go, tested natively) and placed with one
// vg-html each: vugu re-diffs the whole tree on every render, and a VGG table has ~600 cells.
// Every number's working is in its cell's title; with Display.Working it is also written
// out under each row.

// Display holds the presentation toggles.
type Display struct {
	DType   arch.DType
	FLOPs   bool
	Working bool
}

// Display is the presentation the state selects.
func (s State) Display() Display {
	return Display{DType: s.DTypeValue(), FLOPs: s.FLOPs, Working: s.Working}
}

func (d Display) opsLabel() string {
	if d.FLOPs {
		return "FLOPs"
	}
	return "MACs"
}

func (d Display) ops(macs int64, macsWork, flopsWork string) (string, string) {
	if d.FLOPs {
		return arch.Comma(2 * macs), flopsWork
	}
	return arch.Comma(macs), macsWork
}

var esc = html.EscapeString

// textHeads are the columns that hold words, aligned left; numbers align right.
var textHeads = map[string]bool{"layer": true, "type": true, "output": true, "model": true, "branch": true}

type htmlTable struct{ b strings.Builder }

func (t *htmlTable) open(class, testid string, head ...string) {
	fmt.Fprintf(&t.b, `<table class="%s" data-testid="%s"><thead><tr>`, esc(class), esc(testid))
	for _, h := range head {
		if textHeads[h] {
			fmt.Fprintf(&t.b, `<th class="text">%s</th>`, esc(h))
		} else {
			fmt.Fprintf(&t.b, "<th>%s</th>", esc(h))
		}
	}
	t.b.WriteString("</tr></thead><tbody>")
}

// cell writes a td with an optional title (the working) and class.
func (t *htmlTable) cell(text, title, class string) {
	t.b.WriteString("<td")
	if class != "" {
		fmt.Fprintf(&t.b, ` class="%s"`, esc(class))
	}
	if title != "" {
		fmt.Fprintf(&t.b, ` title="%s"`, esc(title))
	}
	fmt.Fprintf(&t.b, ">%s</td>", esc(text))
}

func (t *htmlTable) html() string { return t.b.String() }

// LayerTableHTML is the per-layer table of a result with a totals row.
func LayerTableHTML(r *arch.Result, d Display, testid string) string {
	var t htmlTable
	mem := "memory (" + string(d.DType) + ")"
	t.open("num calc-layers", testid, "#", "layer", "type", "output", "params", "activations", mem, d.opsLabel(), "RF", "jump", "start")
	rows := flatten(r.Layers, 0)
	for i, l := range rows {
		class := ""
		if l.depth > 0 {
			class = "branch"
		}
		fmt.Fprintf(&t.b, `<tr class="%s" data-layer="%s">`, class, esc(l.Name))
		t.cell(fmt.Sprint(i), "", "")
		t.cell(strings.Repeat("↳ ", l.depth)+l.Name, strings.Join(l.Notes, "\n"), "text")
		t.cell(string(l.Type), "", "text")
		t.cell(l.OutShape.String(), l.Working.OutShape, "text")
		pw := l.Working.Params + "\nwithout biases: " + l.Working.ParamsNoBias
		if l.Working.Buffers != "" {
			pw += "\nbuffers: " + l.Working.Buffers
		}
		t.cell(arch.Comma(l.Params), pw, "")
		t.cell(arch.Comma(l.Activations), l.Working.Activations, "")
		b := l.MemoryBytes.Get(d.DType)
		t.cell(arch.Comma(b), fmt.Sprintf("%s output elements · %d B", arch.Comma(l.Activations), d.DType.Bytes()), "")
		ov, ow := d.ops(l.MACs, l.Working.MACs, l.Working.FLOPs)
		t.cell(ov, ow, "")
		t.cell(arch.Comma(l.RF), l.Working.RF, "")
		t.cell(arch.Comma(l.Jump), l.Working.Jump, "")
		t.cell(arch.Half(l.Start), l.Working.Start, "")
		t.b.WriteString("</tr>")
		if d.Working {
			var parts []string
			for _, kv := range [][2]string{{"output", l.Working.OutShape}, {"params", l.Working.Params},
				{"without biases", l.Working.ParamsNoBias}, {"buffers", l.Working.Buffers}, {"activations", l.Working.Activations},
				{d.opsLabel(), ow}, {"RF", l.Working.RF}, {"jump", l.Working.Jump}, {"start", l.Working.Start}} {
				if kv[1] != "" {
					parts = append(parts, "<b>"+esc(kv[0])+"</b> "+esc(kv[1]))
				}
			}
			for _, n := range l.Notes {
				parts = append(parts, "<b>note</b> "+esc(n))
			}
			fmt.Fprintf(&t.b, `<tr class="working"><td></td><td colspan="10">%s</td></tr>`, strings.Join(parts, "<br>"))
		}
	}
	tot := r.Total
	t.b.WriteString(`</tbody><tfoot><tr><td></td>`)
	t.cell("total", "", "text")
	t.cell("", "", "")
	t.cell(tot.OutShape.String(), "", "text")
	t.cell(arch.Comma(tot.Params), tot.Working["params"], "")
	t.cell(arch.Comma(tot.Activations), tot.Working["activations"], "")
	t.cell(arch.Comma(tot.Activations*d.DType.Bytes()), "", "")
	ov, ow := d.ops(tot.MACs, tot.Working["macs"], tot.Working["flops"])
	t.cell(ov, ow, "")
	t.cell(arch.Comma(tot.RF), "", "")
	t.cell(arch.Comma(tot.Jump), "", "")
	t.cell("", "", "")
	t.b.WriteString("</tr></tfoot></table>")
	return t.html()
}

type flatRow struct {
	depth int
	arch.LayerResult
}

// flatten lists rows in execution order: a concat's branch layers, then the concat.
func flatten(ls []arch.LayerResult, depth int) []flatRow {
	var out []flatRow
	for _, l := range ls {
		for _, br := range l.Branches {
			out = append(out, flatten(br, depth+1)...)
		}
		out = append(out, flatRow{depth, l})
	}
	return out
}

// SummaryHTML lists a result's totals and memory with their working.
func SummaryHTML(r *arch.Result, d Display) string {
	t := r.Total
	m := t.MemoryBytes[d.DType]
	ov, ow := d.ops(t.MACs, t.Working["macs"], t.Working["flops"])
	items := [][3]string{
		{"Parameters", arch.Comma(t.Params), t.Working["params"]},
		{"without biases", arch.Comma(t.ParamsNoBias), t.Working["params_no_bias"]},
		{"BN running statistics (not parameters)", arch.Comma(t.Buffers), ""},
		{d.opsLabel() + " per image", ov, ow + " (1 MAC = 2 FLOPs)"},
		{"Activations per image", arch.Comma(t.Activations), t.Working["activations"]},
		{"Inference memory (" + string(d.DType) + ")", arch.Bytes(m.Inference), m.InferenceWorking},
		{"Training memory (" + string(d.DType) + ", batch 1)", arch.Bytes(m.Training), m.TrainingWorking},
	}
	var b strings.Builder
	b.WriteString(`<dl class="calc-summary">`)
	for _, it := range items {
		fmt.Fprintf(&b, `<dt>%s</dt><dd title="%s">%s`, esc(it[0]), esc(it[2]), esc(it[1]))
		if d.Working && it[2] != "" {
			fmt.Fprintf(&b, `<br><small>%s</small>`, esc(it[2]))
		}
		b.WriteString("</dd>")
	}
	b.WriteString("</dl>")
	return b.String()
}

// FamilyTableHTML compares the models of a family; the selected one is marked.
func FamilyTableHTML(rows []FamilyRow, selected string, d Display) string {
	var t htmlTable
	t.open("num calc-family", "calc-family", "model", "params", "without biases", d.opsLabel(), "inference ("+string(d.DType)+")", "training ("+string(d.DType)+")")
	for _, fr := range rows {
		tot := fr.Result.Total
		m := tot.MemoryBytes[d.DType]
		class := ""
		if fr.Name == selected {
			class = "selected"
		}
		fmt.Fprintf(&t.b, `<tr class="%s" data-model="%s">`, class, esc(fr.Name))
		t.cell(fr.Name, "", "text")
		t.cell(arch.Comma(tot.Params), tot.Working["params"], "")
		t.cell(arch.Comma(tot.ParamsNoBias), tot.Working["params_no_bias"], "")
		ov, ow := d.ops(tot.MACs, tot.Working["macs"], tot.Working["flops"])
		t.cell(ov, ow, "")
		t.cell(arch.Bytes(m.Inference), m.InferenceWorking, "")
		t.cell(arch.Bytes(m.Training), m.TrainingWorking, "")
		t.b.WriteString("</tr>")
	}
	t.b.WriteString("</tbody></table>")
	return t.html()
}

// InceptionHTML shows the naive and the reduced module side by side: branch totals, the
// per-layer tables and the saving as a ratio.
func InceptionHTML(cmp *arch.InceptionComparison, d Display) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<p class="calc-ratio" data-testid="calc-inception-ratio" title="%s">The reductions cut parameters <b>%s×</b> and %s <b>%s×</b>.</p>`,
		esc(cmp.Working), esc(cmp.ParamSaving), esc(d.opsLabel()), esc(cmp.MACSaving))
	b.WriteString(`<div class="calc-side-by-side">`)
	for _, f := range []struct {
		title, id string
		r         *arch.Result
	}{{"Naive", "naive", cmp.Naive}, {"With 1×1 reductions", "reduced", cmp.Reduced}} {
		tot := f.r.Total
		fmt.Fprintf(&b, `<div class="calc-form"><h3>%s</h3><p>Output %s · parameters <b data-testid="calc-inception-%s-params" title="%s">%s</b> · %s <b title="%s">%s</b></p>`,
			esc(f.title), esc(tot.OutShape.String()), f.id, esc(tot.Working["params"]), esc(arch.Comma(tot.Params)),
			esc(d.opsLabel()), esc(opsWork(d, tot)), esc(opsVal(d, tot)))
		var t htmlTable
		t.open("num calc-branches", "calc-branches-"+f.id, "branch", "output", "params", d.opsLabel())
		for i, bt := range f.r.Layers[1].BranchTotals {
			t.b.WriteString("<tr>")
			t.cell(fmt.Sprintf("%d · %s", i+1, branchLabel(f.r.Layers[1].Branches[i])), "", "text")
			t.cell(bt.OutShape.String(), "", "text")
			t.cell(arch.Comma(bt.Params), "", "")
			ov, _ := d.ops(bt.MACs, "", "")
			t.cell(ov, "", "")
			t.b.WriteString("</tr>")
		}
		t.b.WriteString("</tbody></table>")
		b.WriteString(t.html())
		b.WriteString(LayerTableHTML(f.r, d, "calc-layers-"+f.id))
		b.WriteString("</div>")
	}
	b.WriteString("</div>")
	return b.String()
}

func opsVal(d Display, t arch.Totals) string { v, _ := d.ops(t.MACs, "", ""); return v }

func opsWork(d Display, t arch.Totals) string {
	_, w := d.ops(t.MACs, t.Working["macs"], t.Working["flops"])
	return w
}

// branchLabel names a branch by its layers' own names: "3x3_reduce → 3x3".
func branchLabel(rows []arch.LayerResult) string {
	var parts []string
	for _, r := range rows {
		if r.Type == arch.ReLU {
			continue
		}
		n := r.Name
		if i := strings.LastIndex(n, "."); i >= 0 {
			n = n[i+1:]
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, " → ")
}
