//go:build js

package gpu

import (
	"fmt"
	"strconv"
	"strings"
)

// expandTemplate expands the marked lines of a kernel template (see conv_forward.wgsl and
// conv_backward_weight.wgsl): //#acc once per channel of the block ($ = 0..cb−1), //#kx once per
// kernel column (# = 0..k−1, @ = # + 1), //#kxs for # = 0..k−2, //#quad once per vec4 of a block
// (% = 0..ceil(cb/4)−1; in //#acc lines $Q and $C name channel $'s vec4 and component), //#x4 and
// //#x8 only for that xw, //#v4 and //#s4 only with and without vec4 input loads;
// wLAST names w{k−1}. Markers nest.
func expandTemplate(src string, cb, k, xw int, v4 bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const CB: u32 = %du;\nconst CBP: u32 = %du;\nconst XW: u32 = %du;\nconst K: u32 = %du;\n", cb, 4*ceilDiv(cb, 4), xw, k)
	var expand func(line string)
	expand = func(line string) {
		ind, rest, ok := strings.Cut(line, "//#")
		if !ok || strings.TrimSpace(ind) != "" {
			b.WriteString(strings.ReplaceAll(line, "wLAST", fmt.Sprintf("w%d", k-1)))
			return
		}
		tag, body, _ := strings.Cut(rest, " ")
		each := func(n int, f func(i int) string) {
			for i := 0; i < n; i++ {
				expand(ind + f(i))
			}
		}
		switch tag {
		case "acc":
			each(cb, func(i int) string {
				r := strings.NewReplacer("$Q", strconv.Itoa(i/4), "$C", string("xyzw"[i%4]), "$", strconv.Itoa(i))
				return r.Replace(body)
			})
		case "quad":
			each(ceilDiv(cb, 4), func(i int) string { return strings.ReplaceAll(body, "%", strconv.Itoa(i)) })
		case "kx", "kxs":
			n := k
			if tag == "kxs" {
				n = k - 1
			}
			each(n, func(i int) string {
				return strings.ReplaceAll(strings.ReplaceAll(body, "#", strconv.Itoa(i)), "@", strconv.Itoa(i+1))
			})
		case "x4", "x8":
			if tag == fmt.Sprintf("x%d", xw) {
				expand(ind + body)
			}
		case "v4", "s4":
			if (tag == "v4") == v4 {
				expand(ind + body)
			}
		default:
			b.WriteString(line)
		}
	}
	for _, line := range strings.SplitAfter(src, "\n") {
		expand(line)
	}
	return b.String()
}

// convPrograms caches the expanded conv programs.
var convPrograms = map[string]*program{}
