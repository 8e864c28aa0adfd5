// Command archcalc prints LeNet Lab's architecture calculations for a preset or a JSON spec:
// per-layer output shapes, parameters, activations, MACs, receptive fields, and totals with
// memory estimates, each number with its working.
//
//	archcalc -model vgg19 -format markdown
//	archcalc -spec net.json -format json
//	echo '{"input":[1,32,32],"layers":[{"type":"conv","out":6,"k":5}]}' | archcalc -spec -
//	archcalc -list
//
// Exit status: 0 on success, 2 for bad flags or a bad spec (the message names the layer and
// the reason), 1 if the output cannot be written.
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("archcalc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "preset name (see -list)")
	specPath := fs.String("spec", "", "JSON spec file, or - for stdin")
	format := fs.String("format", "table", "output format: table, json, csv or markdown")
	bias := fs.Bool("bias", true, "count conv and fc biases (-bias=false drops them all)")
	dtype := fs.String("dtype", "fp32", "storage type for memory columns: fp32 or fp16")
	momentum := fs.Bool("momentum", false, "training memory includes an SGD momentum buffer")
	working := fs.Bool("working", false, "table/markdown: also print every number's working")
	list := fs.Bool("list", false, "list the presets and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: archcalc (-model NAME | -spec FILE.json | -spec -) [-format table|json|csv|markdown] [-bias=false] [-dtype fp32|fp16] [-momentum] [-working]\n       archcalc -list")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "archcalc:", err)
		return 2
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q: give the model with -model or the spec with -spec", fs.Arg(0)))
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, p := range arch.PresetInfos() {
			fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Description)
		}
		return writeErr(tw.Flush(), stderr)
	}
	dt, err := arch.ParseDType(*dtype)
	if err != nil {
		return fail(err)
	}
	switch *format {
	case "table", "json", "csv", "markdown":
	default:
		return fail(fmt.Errorf("format %q is not known: use table, json, csv or markdown", *format))
	}
	var spec arch.Spec
	title := *model
	switch {
	case *model != "" && *specPath != "":
		return fail(usageError{"give -model or -spec, not both"})
	case *model != "":
		if spec, err = arch.Preset(*model); err != nil {
			return fail(err)
		}
	case *specPath == "-":
		title = "spec from stdin"
		if spec, err = arch.ReadSpec(stdin); err != nil {
			return fail(err)
		}
	case *specPath != "":
		title = *specPath
		data, err := os.ReadFile(*specPath)
		if err != nil {
			return fail(fmt.Errorf("reading the spec: %w", err))
		}
		if spec, err = arch.ParseSpec(data); err != nil {
			return fail(fmt.Errorf("%s: %w", *specPath, err))
		}
	default:
		fs.Usage()
		return fail(usageError{"give -model NAME, -spec FILE.json or -spec - (try -list)"})
	}
	res, err := arch.Analyze(spec, arch.Options{NoBias: !*bias, Momentum: *momentum})
	if err != nil {
		return fail(err)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		err = enc.Encode(res)
	case "csv":
		err = writeCSV(stdout, res)
	default:
		err = writeTable(stdout, res, title, dt, *format == "markdown", *working)
	}
	return writeErr(err, stderr)
}

func writeErr(err error, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, "archcalc: writing the output:", err)
		return 1
	}
	return 0
}

type row struct {
	depth int
	arch.LayerResult
}

// rows lists layers in execution order: a concat's branch layers come before the concat row.
func rows(ls []arch.LayerResult, depth int) []row {
	var out []row
	for _, l := range ls {
		for _, br := range l.Branches {
			out = append(out, rows(br, depth+1)...)
		}
		out = append(out, row{depth, l})
	}
	return out
}

func writeTable(w io.Writer, r *arch.Result, title string, dt arch.DType, md, working bool) error {
	head := []string{"#", "layer", "type", "output", "params", "activations", "act. memory (" + string(dt) + ")", "MACs", "RF", "jump", "start"}
	var lines [][]string
	all := rows(r.Layers, 0)
	for i, l := range all {
		name := strings.Repeat("  ", l.depth) + l.Name
		if md && l.depth > 0 {
			name = strings.Repeat("↳ ", l.depth) + l.Name
		}
		lines = append(lines, []string{fmt.Sprint(i), name, string(l.Type), l.OutShape.String(),
			arch.Comma(l.Params), arch.Comma(l.Activations), arch.Comma(l.MemoryBytes.Get(dt)),
			arch.Comma(l.MACs), arch.Comma(l.RF), arch.Comma(l.Jump), arch.Half(l.Start)})
	}
	t := r.Total
	total := []string{"", "total", "", t.OutShape.String(), arch.Comma(t.Params), arch.Comma(t.Activations),
		arch.Comma(t.Activations * dt.Bytes()), arch.Comma(t.MACs), arch.Comma(t.RF), arch.Comma(t.Jump), ""}
	var b strings.Builder
	right := map[int]bool{0: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true}
	if md {
		fmt.Fprintf(&b, "## %s\n\nInput %v. Per image; MACs count conv and fc multiply-accumulates.\n\n", title, r.Input)
		b.WriteString("| " + strings.Join(head, " | ") + " |\n|")
		for i := range head {
			if right[i] {
				b.WriteString("---:|")
			} else {
				b.WriteString("---|")
			}
		}
		b.WriteString("\n")
		for _, l := range lines {
			b.WriteString("| " + strings.Join(l, " | ") + " |\n")
		}
		for i := range total {
			if total[i] != "" {
				total[i] = "**" + total[i] + "**"
			}
		}
		b.WriteString("| " + strings.Join(total, " | ") + " |\n\n")
	} else {
		fmt.Fprintf(&b, "%s — input %v, per image\n\n", title, r.Input)
		b.WriteString(align(append(append([][]string{head}, lines...), total), right))
		b.WriteString("\n")
	}
	bullet := ""
	if md {
		bullet = "- "
	}
	m := t.MemoryBytes[dt]
	summary := []string{
		fmt.Sprintf("params: %s (without biases %s; BN running statistics, not parameters: %s)", arch.Comma(t.Params), arch.Comma(t.ParamsNoBias), arch.Comma(t.Buffers)),
		fmt.Sprintf("MACs: %s; FLOPs: %s", arch.Comma(t.MACs), t.Working["flops"]),
		fmt.Sprintf("activations: %s output elements (input %s not included)", arch.Comma(t.Activations), arch.Comma(t.InputElems)),
		fmt.Sprintf("inference memory (%s): %s = %s", dt, arch.Bytes(m.Inference), m.InferenceWorking),
		fmt.Sprintf("training memory (%s): %s = %s", dt, arch.Bytes(m.Training), m.TrainingWorking),
	}
	for _, s := range summary {
		b.WriteString(bullet + s + "\n")
	}
	var notes []string
	for _, l := range all {
		for _, n := range l.Notes {
			notes = append(notes, l.Name+": "+n)
		}
	}
	if len(notes) > 0 {
		if md {
			b.WriteString("\n### Notes\n\n")
		} else {
			b.WriteString("\nnotes:\n")
		}
		for _, n := range notes {
			if md {
				b.WriteString("- " + n + "\n")
			} else {
				b.WriteString("  " + n + "\n")
			}
		}
	}
	if working {
		if md {
			b.WriteString("\n### Working\n")
		} else {
			b.WriteString("\nworking:\n")
		}
		for _, l := range all {
			wk := l.Working
			if md {
				fmt.Fprintf(&b, "\n**%s** (%s)\n\n", l.Name, l.Type)
			} else {
				fmt.Fprintf(&b, "%s (%s)\n", l.Name, l.Type)
			}
			for _, kv := range [][2]string{{"output", wk.OutShape}, {"params", wk.Params}, {"params without bias", wk.ParamsNoBias},
				{"buffers", wk.Buffers}, {"activations", wk.Activations}, {"MACs", wk.MACs}, {"FLOPs", wk.FLOPs},
				{"RF", wk.RF}, {"jump", wk.Jump}, {"start", wk.Start}} {
				if kv[1] == "" {
					continue
				}
				if md {
					fmt.Fprintf(&b, "- %s: %s\n", kv[0], kv[1])
				} else {
					fmt.Fprintf(&b, "  %-20s %s\n", kv[0]+":", kv[1])
				}
			}
		}
		if md {
			b.WriteString("\n**total**\n\n")
		} else {
			b.WriteString("total\n")
		}
		for _, k := range []string{"params", "params_no_bias", "activations", "macs", "flops"} {
			if md {
				fmt.Fprintf(&b, "- %s: %s\n", k, t.Working[k])
			} else {
				fmt.Fprintf(&b, "  %-20s %s\n", k+":", t.Working[k])
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// align pads columns to their widest cell (counted in runes): numbers right, text left.
func align(table [][]string, right map[int]bool) string {
	width := map[int]int{}
	for _, r := range table {
		for i, cell := range r {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, r := range table {
		var line strings.Builder
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			if i > 0 {
				line.WriteString("  ")
			}
			if right[i] {
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

func writeCSV(w io.Writer, r *arch.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"name", "type", "c", "h", "w", "params", "params_no_bias", "buffers", "activations", "macs", "flops", "rf", "jump", "start",
		"working_out_shape", "working_params", "working_macs", "working_rf"})
	num := func(n int64) string { return fmt.Sprint(n) }
	for _, l := range rows(r.Layers, 0) {
		s := l.OutShape
		cw.Write([]string{l.Name, string(l.Type), num(int64(s.C)), num(int64(s.H)), num(int64(s.W)), num(l.Params), num(l.ParamsNoBias),
			num(l.Buffers), num(l.Activations), num(l.MACs), num(l.FLOPs), num(l.RF), num(l.Jump), fmt.Sprint(l.Start),
			l.Working.OutShape, l.Working.Params, l.Working.MACs, l.Working.RF})
	}
	t := r.Total
	cw.Write([]string{"total", "", num(int64(t.OutShape.C)), num(int64(t.OutShape.H)), num(int64(t.OutShape.W)), num(t.Params), num(t.ParamsNoBias),
		num(t.Buffers), num(t.Activations), num(t.MACs), num(t.FLOPs), num(t.RF), num(t.Jump), "", "", t.Working["params"], t.Working["macs"], ""})
	cw.Flush()
	return cw.Error()
}
