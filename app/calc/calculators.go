package calc

import (
	"strconv"

	"github.com/lenetlab/lenetlab/nncore/arch"
	"github.com/vugu/vugu"
)

// Calculators is the Calculators page. The shell passes the hash query in Query and gets the
// new query through OnQuery whenever an input changes, so the state lives in the URL. All
// logic is in Page and State (plain Go); this only presents it.
type Calculators struct {
	// Query is the part of the URL hash after "#/calculators?", e.g. "model=vgg19".
	Query string
	// OnQuery, if set, is called with the new query after every input change.
	OnQuery func(q string)

	pg      *Page
	seen    string // the Query last read
	emitted string // the query last passed to OnQuery
	memo    map[string]memoHTML
}

// memoHTML keeps a table's HTML while its inputs are the same: vugu builds the whole tree on
// every render (each keystroke, each toggle), and VGG tables with working are ~70 kB.
type memoHTML struct {
	of   any
	d    Display
	name string
	html vugu.HTML
}

func (c *Calculators) memoized(slot string, of any, name string, f func() string) vugu.HTML {
	d := c.s().Display()
	if m, ok := c.memo[slot]; ok && m.of == of && m.d == d && m.name == name {
		return m.html
	}
	if c.memo == nil {
		c.memo = map[string]memoHTML{}
	}
	h := vugu.HTML(f())
	c.memo[slot] = memoHTML{of, d, name, h}
	return h
}

// Compute runs before each build: it follows Query when it changes from outside (a link,
// the back button), but not when it is the echo of our own OnQuery, or stale.
func (c *Calculators) Compute(ctx vugu.ComputeCtx) { c.sync() }

func (c *Calculators) sync() {
	switch {
	case c.pg == nil:
		c.pg = NewPage(c.Query)
	case c.Query != c.seen && c.Query != c.emitted:
		c.pg = NewPage(c.Query)
	}
	c.seen = c.Query
}

func (c *Calculators) p() *Page {
	c.sync()
	return c.pg
}

func (c *Calculators) s() *State { return &c.p().State }

// apply changes one input and reports the new query.
func (c *Calculators) apply(key, value string) {
	q := c.p().Set(key, value)
	c.emitted = q
	if c.OnQuery != nil {
		c.OnQuery(q)
	}
}

func (c *Calculators) set(key string, e vugu.DOMEvent) { c.apply(key, e.PropString("target", "value")) }

func (c *Calculators) setCheck(key string, e vugu.DOMEvent) {
	v := "0"
	if e.PropBool("target", "checked") {
		v = "1"
	}
	c.apply(key, v)
}

func (c *Calculators) view() string { return c.s().View }

func (c *Calculators) tabClass(id string) string {
	if c.view() == id {
		return "calc-tab active"
	}
	return "calc-tab"
}

type option struct{ Name, Label string }

func (c *Calculators) views() []struct{ ID, Label string } { return Views }

// models lists every preset (and the custom stack) for the model select.
func (c *Calculators) models() []option {
	var out []option
	for _, p := range arch.PresetInfos() {
		out = append(out, option{p.Name, p.Name + " — " + p.Description})
	}
	return append(out, option{CustomModel, "custom — your own JSON spec"})
}

func (c *Calculators) alexnets() []option {
	return []option{
		{"alexnet", "single tower (paper, 227×227)"},
		{"alexnet-grouped", "two-GPU grouping (groups = 2 in conv2/4/5)"},
		{"alexnet-torchvision", "torchvision (224×224, 64-192-384-256-256)"},
	}
}

func (c *Calculators) vggDepths() []string { return []string{"11", "13", "16", "19"} }

func (c *Calculators) vggConfig(d string) string {
	return map[string]string{"11": "VGG11 (A)", "13": "VGG13 (B)", "16": "VGG16 (D)", "19": "VGG19 (E)"}[d]
}

func (c *Calculators) showModel() bool {
	v := c.view()
	return (v == ViewAlexNet || v == ViewVGG || v == ViewCustom) && c.p().Model() != nil
}

// The table builders return escaped HTML; vg-html needs it typed as vugu.HTML, or it escapes
// it again and shows the markup as text.

func (c *Calculators) layerTable() vugu.HTML {
	m := c.p().Model()
	return c.memoized("layers", m, "", func() string { return LayerTableHTML(m, c.s().Display(), "calc-layers") })
}

func (c *Calculators) summary() vugu.HTML {
	m := c.p().Model()
	return c.memoized("summary", m, "", func() string { return SummaryHTML(m, c.s().Display()) })
}

func (c *Calculators) familyTable() vugu.HTML {
	fam, name := c.p().Family, c.p().ModelName()
	var first *arch.Result
	if len(fam) > 0 {
		first = fam[0].Result
	}
	return c.memoized("family", first, name, func() string { return FamilyTableHTML(fam, name, c.s().Display()) })
}

func (c *Calculators) inception() vugu.HTML {
	cmp := c.p().Inception
	if cmp == nil {
		return ""
	}
	return c.memoized("inception", cmp, "", func() string { return InceptionHTML(cmp, c.s().Display()) })
}

func (c *Calculators) incFields() []struct{ Key, Label string } { return IncFields }

func (c *Calculators) incValue(key string) string { return c.s().Inc.Get(key) }

func (c *Calculators) rfRows() []RFRowText { return c.s().RF }

// rfResult is the working of row i of the last valid stack ("" past its end).
func (c *Calculators) rfResult(i int, which string) string {
	steps := c.p().RF
	if i >= len(steps) {
		return ""
	}
	switch which {
	case "rf":
		return arch.Comma(steps[i].RF)
	case "jump":
		return arch.Comma(steps[i].Jump)
	case "start":
		return arch.Half(steps[i].Start)
	case "rf-work":
		return steps[i].RFWorking
	case "jump-work":
		return steps[i].JumpWorking
	case "start-work":
		return steps[i].StartWork
	}
	return ""
}

func (c *Calculators) rfIdent() string {
	if c.p().RFIdent == 0 {
		return ""
	}
	return arch.Comma(c.p().RFIdent)
}

func (c *Calculators) rowNumber(i int) string { return strconv.Itoa(i + 1) }

func (c *Calculators) rfKey(i int, field string) string { return "rf." + strconv.Itoa(i) + "." + field }

func (c *Calculators) rfDel(i int) string { return "rf.del." + strconv.Itoa(i) }

func (c *Calculators) opsValue() string {
	if c.s().FLOPs {
		return "flops"
	}
	return "macs"
}

func (c *Calculators) incForm() string {
	if c.s().Model == "inception-naive" {
		return "naive"
	}
	return "with reductions"
}

// errTestID is the data-testid of a section's error paragraph: "calc-error" while there is an
// error, none (nil drops the attribute) otherwise. The paragraph itself is always rendered, so
// the inputs before and after it keep their DOM nodes while the user types.
func (c *Calculators) errTestID() any {
	if c.p().Err() == "" {
		return nil
	}
	return "calc-error"
}

func (c *Calculators) errHidden() bool { return c.p().Err() == "" }
