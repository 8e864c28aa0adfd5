package vizui

import (
	"fmt"
	"html"
	"strings"

	"github.com/vugu/vugu"

	"github.com/lenetlab/lenetlab/nncore"
	"github.com/lenetlab/lenetlab/viz"
)

// BNStats compares, per channel of one BN layer at a time, the statistics of the last training batch
// with the running statistics that evaluation uses, next to the learned γ and β. A <select
// data-testid="bnstats-layer"> picks the layer; the table is <table data-testid="bnstats-table"
// data-layer="bnK">.
//
// Mount: <vizui:BNStats :BN="snapshot.BN"></vizui:BNStats> with BN a []nncore.BNSnapshot
// (Engine.Snapshot(), taken during or after training). The chosen layer persists across renders.
type BNStats struct {
	BN []nncore.BNSnapshot

	Layer string // the chosen layer; the first one when empty or absent
}

func (c *BNStats) current() *nncore.BNSnapshot {
	for i := range c.BN {
		if c.BN[i].Name == c.Layer {
			return &c.BN[i]
		}
	}
	if len(c.BN) > 0 {
		return &c.BN[0]
	}
	return nil
}

func (c *BNStats) currentName() string {
	if l := c.current(); l != nil {
		return l.Name
	}
	return ""
}

func (c *BNStats) pick(e vugu.DOMEvent) { c.Layer = e.PropString("target", "value") }

func (c *BNStats) table() vugu.HTML {
	if l := c.current(); l != nil {
		return vugu.HTML(BNStatsTable(*l))
	}
	return ""
}

// BNLayerTitle says where a BN layer sits.
func BNLayerTitle(l nncore.BNSnapshot) string {
	where := map[string]string{"bn0": "on the input", "bn1": "after conv1", "bn2": "after conv2", "bn3": "after fc1", "bn4": "after fc2"}[l.Name]
	unit := "channels"
	if l.Name == "bn3" || l.Name == "bn4" {
		unit = "features"
	}
	if where == "" {
		return fmt.Sprintf("%s (%s %s)", l.Name, viz.FormatInt(int64(len(l.Gamma))), unit)
	}
	return fmt.Sprintf("%s, %s (%s %s)", l.Name, where, viz.FormatInt(int64(len(l.Gamma))), unit)
}

// BNStatsTable renders one layer's per-channel table as HTML.
func BNStatsTable(l nncore.BNSnapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table class="num bnstats" data-testid="bnstats-table" data-layer="%s"><caption>%s</caption>`, html.EscapeString(l.Name), html.EscapeString(BNLayerTitle(l)))
	b.WriteString(`<thead><tr><th>channel</th><th>batch mean</th><th>running mean</th><th>batch var</th><th>running var</th><th>γ</th><th>β</th></tr></thead><tbody>`)
	for i := range l.Gamma {
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>`,
			viz.FormatInt(int64(i)), cell(l.BatchMean, i), cell(l.RunningMean, i), cell(l.BatchVar, i), cell(l.RunningVar, i), cell(l.Gamma, i), cell(l.Beta, i))
	}
	b.WriteString(`</tbody></table>`)
	return b.String()
}
