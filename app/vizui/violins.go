package vizui

import (
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"strings"

	"github.com/vugu/vugu"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/viz"
)

// Violins shows, for every BN layer of a snapshot (bn0 included when the variant has it), violin
// plots of the learned γ and β over the layer's channels or features: Gaussian kernel density
// estimates with Silverman's bandwidth. Each layer is a <figure data-testid="violin"
// data-layer="bnK"> with a <details> table of the values behind the plot.
//
// Mount: <vizui:Violins :BN="snapshot.BN"></vizui:Violins> with BN a []nncore.BNSnapshot (e.g. from
// Engine.Snapshot() of a finished run). Plots are recomputed only when the values change.
type Violins struct {
	BN []nncore.BNSnapshot

	key    uint64
	layers []ViolinLayer
}

// ViolinLayer is what one layer's figure shows.
type ViolinLayer struct {
	Name    string
	SVG     vugu.HTML
	Caption string
	Table   vugu.HTML
}

func (c *Violins) view() []ViolinLayer {
	if k := bnKey(c.BN); k != c.key || c.layers == nil {
		c.key, c.layers = k, ViolinLayers(c.BN)
	}
	return c.layers
}

// ViolinLayers builds every layer's figure.
func ViolinLayers(bn []nncore.BNSnapshot) []ViolinLayer {
	out := make([]ViolinLayer, 0, len(bn))
	for _, l := range bn {
		if len(l.Gamma) == 0 {
			continue
		}
		g, b := viz.Summarize(viz.Float64s(l.Gamma)), viz.Summarize(viz.Float64s(l.Beta))
		out = append(out, ViolinLayer{
			Name: l.Name,
			SVG:  vugu.HTML(viz.ViolinSVG(l.Name, l.Gamma, l.Beta)),
			Caption: fmt.Sprintf("%s: γ median %s (range %s to %s), β median %s (range %s to %s), %s each.",
				l.Name, sig(g.Median), sig(g.Min), sig(g.Max), sig(b.Median), sig(b.Min), sig(b.Max), viz.Plural(len(l.Gamma), "value", "values")),
			Table: vugu.HTML(valuesTable(l)),
		})
	}
	return out
}

func sig(v float64) string { return viz.FormatSig(v, 3) }

func valuesTable(l nncore.BNSnapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="num" data-testid="violin-values" data-layer="%s"><thead><tr><th>channel</th><th>γ</th><th>β</th></tr></thead><tbody>`, html.EscapeString(l.Name))
	for i := range l.Gamma {
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td></tr>`, viz.FormatInt(int64(i)), cell(l.Gamma, i), cell(l.Beta, i))
	}
	b.WriteString(`</tbody></table>`)
	return b.String()
}

func cell(v []float32, i int) string {
	if i >= len(v) {
		return "–"
	}
	return viz.FormatFloat(float64(v[i]), 4)
}

// bnKey fingerprints a snapshot's values, so that unchanged input reuses the plots.
func bnKey(bn []nncore.BNSnapshot) uint64 {
	h := fnv.New64a()
	var buf [4]byte
	put := func(v []float32) {
		for _, f := range v {
			u := math.Float32bits(f)
			buf[0], buf[1], buf[2], buf[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
			h.Write(buf[:])
		}
		h.Write([]byte{0xff})
	}
	for _, l := range bn {
		h.Write([]byte(l.Name))
		put(l.Gamma)
		put(l.Beta)
		put(l.RunningMean)
		put(l.RunningVar)
		put(l.BatchMean)
		put(l.BatchVar)
	}
	return h.Sum64()
}
