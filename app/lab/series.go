package lab

import (
	"fmt"
	"math"
	"strconv"

	"github.com/lenetlab/lenetlab/nncore"
)

// Quick mode of "Run the lab": small enough for a classroom on a laptop's CPU.
const (
	QuickTrain  = 4096
	QuickTest   = 1000
	QuickEpochs = 2
)

// MaxSeeds bounds the seeds of "Run the lab".
const MaxSeeds = 5

// RunSeries is a planned sequence of runs that the page starts one after the other in the worker:
// "Run the lab" (the four lab variants, each with 1–5 seeds) or the Concepts page's demo runs.
type RunSeries struct {
	ID      int
	Kind    string     // SeriesLab or SeriesDemo
	Plan    []Settings // every run, in order
	Next    int        // index in Plan of the next run to start
	Runs    []int      // ids of the runs started so far, aligned with Plan
	Seeds   int
	Ended   bool   // all done, stopped or failed
	Stopped string // why it ended early ("" when it completed or still runs)
}

// Series kinds.
const (
	SeriesLab  = "lab"
	SeriesDemo = "demo"
)

// Done reports how many of the series' runs have finished.
func (s *RunSeries) Done(results []Result) int {
	n := 0
	for _, r := range results {
		for _, id := range s.Runs {
			if r.Run == id {
				n++
			}
		}
	}
	return n
}

// LabSeeds parses the seeds field.
func (s Settings) LabSeeds() (int, error) {
	n, err := parseInt("seeds", s.Seeds, 1, MaxSeeds)
	return int(n), err
}

// LabPlan returns the runs of "Run the lab": for each seed (the form's seed, then +1, +2, …) the four
// lab variants in the lab's order, all with the form's other settings (quick mode: QuickTrain and
// QuickTest images, QuickEpochs epochs). Same seed means the same data order and, for the conv and
// linear layers that every variant has, the same initial weights (nncore.InitState draws them in the
// same order whatever BN and dropout layers a variant adds).
func (s Settings) LabPlan() ([]Settings, error) {
	seeds, err := s.LabSeeds()
	if err != nil {
		return nil, err
	}
	base := s
	if s.Quick == "1" {
		base.TrainLimit, base.TestLimit, base.Epochs = Thousands(QuickTrain), Thousands(QuickTest), strconv.Itoa(QuickEpochs)
	}
	seed0, err := strconv.ParseUint(base.Seed, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("seed: %q is not a whole number from 0 to 18,446,744,073,709,551,615", s.Seed)
	}
	var plan []Settings
	for k := range seeds {
		for _, v := range nncore.LabVariants {
			r := base
			r.Variant = string(v)
			r.Seed = strconv.FormatUint(seed0+uint64(k), 10)
			if _, err := r.Config(); err != nil {
				return nil, err
			}
			plan = append(plan, r)
		}
	}
	return plan, nil
}

// PlanText describes a plan: "4 variants × 2 seeds = 8 runs, each 2 epochs on 4,096 training and 1,000 test images".
func PlanText(plan []Settings, seeds int) string {
	if len(plan) == 0 {
		return ""
	}
	p := plan[0]
	runs := "runs"
	if len(plan) == 1 {
		runs = "run"
	}
	sd := "seeds"
	if seeds == 1 {
		sd = "seed"
	}
	return fmt.Sprintf("%d variants × %d %s = %d %s, each %s epochs on %s training and %s test images", len(nncore.LabVariants), seeds, sd,
		len(plan), runs, p.Epochs, p.TrainLimit, p.TestLimit)
}

// Stat is a mean and sample standard deviation over seeds.
type Stat struct {
	Mean, SD float64
	N        int
}

func stat(v []float64) Stat {
	s := Stat{N: len(v)}
	if len(v) == 0 {
		return Stat{Mean: math.NaN(), SD: math.NaN()}
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			s.SD += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(s.SD / float64(len(v)-1))
	} else {
		s.SD = math.NaN()
	}
	return s
}

// CompareRow is one variant's finished runs of a series, over seeds.
type CompareRow struct {
	Variant                                string
	TrainLoss, TrainAcc, TestLoss, TestAcc Stat
	Results                                []Result
}

// Compare summarizes a series' finished runs per variant, in the lab's order.
func Compare(s *RunSeries, results []Result) []CompareRow {
	var rows []CompareRow
	for _, v := range nncore.LabVariants {
		row := CompareRow{Variant: string(v)}
		var trl, tra, tel, tea []float64
		for _, r := range results {
			if !inSeries(s, r.Run) || r.Settings.Variant != string(v) || r.Final == nil || r.Stopped {
				continue
			}
			row.Results = append(row.Results, r)
			trl, tra = append(trl, float64(r.Final.TrainLoss)), append(tra, float64(r.Final.TrainAcc))
			tel, tea = append(tel, float64(r.Final.TestLoss)), append(tea, float64(r.Final.TestAcc))
		}
		if len(row.Results) == 0 {
			continue
		}
		row.TrainLoss, row.TrainAcc, row.TestLoss, row.TestAcc = stat(trl), stat(tra), stat(tel), stat(tea)
		rows = append(rows, row)
	}
	return rows
}

func inSeries(s *RunSeries, run int) bool {
	if s == nil {
		return false
	}
	for _, id := range s.Runs {
		if id == run {
			return true
		}
	}
	return false
}

// Answer is one of the lab's questions answered from the measured numbers.
type Answer struct {
	ID, Question, Text string
}

// Answers compares the variants' mean test accuracies: the lab's three questions. A difference is
// "within noise" when it is smaller than twice its standard error (from the seeds' spread); with one
// seed there is no spread to judge it by, and the text says so.
func Answers(rows []CompareRow) []Answer {
	by := map[string]CompareRow{}
	for _, r := range rows {
		by[r.Variant] = r
	}
	qs := []struct{ id, q, a, b, what string }{
		{"bn-input", "Does BN on the input layer help?", "bn-input", "standard-bn", "BN on the input layer (bn-input)"},
		{"dropout-vs-bn", "Dropout or BN?", "dropout", "standard-bn", "Dropout without BN (dropout)"},
		{"bn-dropout", "BN and dropout together?", "bn-dropout", "standard-bn", "BN + dropout (bn-dropout)"},
	}
	var out []Answer
	for _, q := range qs {
		a, okA := by[q.a]
		b, okB := by[q.b]
		if !okA || !okB {
			continue
		}
		d := 100 * (a.TestAcc.Mean - b.TestAcc.Mean)
		verb := "raised"
		if d < 0 {
			verb = "lowered"
		}
		text := fmt.Sprintf("%s %s test accuracy by %s points vs BN alone (standard-bn): %s vs %s",
			q.what, verb, Fixed(math.Abs(d), 2), Percent(a.TestAcc.Mean), Percent(b.TestAcc.Mean))
		if d == 0 {
			text = fmt.Sprintf("%s left test accuracy unchanged vs BN alone (standard-bn): %s", q.what, Percent(a.TestAcc.Mean))
		}
		if dl := a.TestLoss.Mean - b.TestLoss.Mean; finite(dl) {
			text += fmt.Sprintf("; test loss %s vs %s", Fixed(a.TestLoss.Mean, 4), Fixed(b.TestLoss.Mean, 4))
		}
		if a.TestAcc.N > 1 && b.TestAcc.N > 1 {
			se := 100 * math.Sqrt(a.TestAcc.SD*a.TestAcc.SD/float64(a.TestAcc.N)+b.TestAcc.SD*b.TestAcc.SD/float64(b.TestAcc.N))
			if math.Abs(d) < 2*se {
				text += fmt.Sprintf(". That is within noise: less than twice its standard error (%s points) over %d and %d seeds.", Fixed(se, 2), a.TestAcc.N, b.TestAcc.N)
			} else {
				text += fmt.Sprintf(". That is more than twice its standard error (%s points) over %d and %d seeds: not just noise.", Fixed(se, 2), a.TestAcc.N, b.TestAcc.N)
			}
		} else {
			text += ". One seed gives no measure of noise: run with 2 or more seeds to see whether the difference is real."
		}
		out = append(out, Answer{ID: q.id, Question: q.q, Text: text})
	}
	return out
}
