package lab

import (
	"fmt"
	"html"
	"strings"

	"github.com/lenetlab/lenetlab/nncore"
)

// bnTitles says where each BN layer sits.
var bnTitles = map[string]string{
	"bn0": "bn0 · on the input (1 channel)",
	"bn1": "bn1 · after conv1 (6 channels)",
	"bn2": "bn2 · after conv2 (16 channels)",
	"bn3": "bn3 · after fc1 (120 features)",
	"bn4": "bn4 · after fc2 (84 features)",
}

// BNTablesHTML renders one table per BN layer of a snapshot: per channel the learned γ and β and the
// running mean and variance (lab part 2). It returns HTML for one vg-html container, so that 200+
// rows cost the page's renderer one node. Every layer is a <details> (the first one open) holding a
// <table data-testid="bn-table" data-layer="bnK">.
func BNTablesHTML(s *nncore.Snapshot) string {
	if s == nil || len(s.BN) == 0 {
		return ""
	}
	var b strings.Builder
	for i, l := range s.BN {
		title := bnTitles[l.Name]
		if title == "" {
			title = l.Name
		}
		open := ""
		if i == 0 {
			open = " open"
		}
		fmt.Fprintf(&b, `<details class="bn"%s><summary>%s</summary>`, open, html.EscapeString(title))
		fmt.Fprintf(&b, `<table class="num" data-testid="bn-table" data-layer="%s"><thead><tr><th>channel</th><th>γ (weight)</th><th>β (bias)</th><th>running mean</th><th>running var</th></tr></thead><tbody>`, html.EscapeString(l.Name))
		for c := range l.Gamma {
			fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>`, Thousands(int64(c)),
				at(l.Gamma, c), at(l.Beta, c), at(l.RunningMean, c), at(l.RunningVar, c))
		}
		b.WriteString(`</tbody></table></details>`)
	}
	return b.String()
}

func at(v []float32, i int) string {
	if i >= len(v) {
		return "–"
	}
	return Fixed(float64(v[i]), 4)
}
