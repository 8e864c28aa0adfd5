// Command lenet trains and benchmarks LeNet Lab's CPU engine on MNIST natively.
//
//	lenet train -variant standard-bn -epochs 1 -seed 1 -json
//	lenet bench -variant standard-bn -batches 50
//
// train prints one JSON object per epoch with -json, else a table. Bad flags or values exit with
// status 2; failures to load data or train exit with 1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/lenetlab/lenetlab/nncore/arch"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// loadData is replaced in tests.
var loadData = mnist.LoadDefault

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  lenet train [flags]   train on MNIST and print per-epoch metrics
  lenet bench [flags]   measure training images/s
Run "lenet train -h" or "lenet bench -h" for the flags.
`

// usageError marks errors in the command line (exit status 2).
type usageError struct{ error }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "train":
		err = train(ctx, args[1:], stdout, stderr)
	case "bench":
		err = bench(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "lenet: unknown command %q\n%s", args[0], usage)
		return 2
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "lenet %s: %v\n", args[0], ue.error)
		return 2
	default:
		fmt.Fprintf(stderr, "lenet %s: %v\n", args[0], err)
		return 1
	}
}

// configFlags registers the model and training flags on fs and returns a function that builds and
// validates the Config after parsing.
func configFlags(fs *flag.FlagSet) func() (nncore.Config, error) {
	d := nncore.DefaultConfig()
	variant := fs.String("variant", string(d.Variant), "model variant: plain, standard-bn, bn-input, dropout, bn-dropout")
	input := fs.String("input", d.Input.String(), "28→32 preprocessing: resize (bilinear) or pad (zero border)")
	inDrop := fs.String("input-dropout", d.InputDropout, "dropout variants: pixels (drop0 on the input) or conv1 (the notebook's placement)")
	seed := fs.Uint64("seed", d.Seed, "seed of initialization, shuffling and dropout")
	epochs := fs.Int("epochs", d.Epochs, "epochs to train")
	batch := fs.Int("batch", d.Batch, "batch size")
	// Through its decimal form, so -h shows 0.1 and not float32(0.1) widened to float64.
	lr := fs.Float64("lr", mustParseFloat(strconv.FormatFloat(float64(d.LR), 'g', -1, 32)), "SGD learning rate")
	mom := fs.Float64("momentum", float64(d.Momentum), "SGD momentum (0 = none)")
	wd := fs.Float64("wd", float64(d.WeightDecay), "weight decay")
	trainLimit := fs.Int("train-limit", 0, "train on the first N images (0 = all 60,000)")
	testLimit := fs.Int("test-limit", 0, "evaluate on the first N test images (0 = all 10,000)")
	return func() (nncore.Config, error) {
		c := d
		var err error
		if c.Variant, err = nncore.ParseVariant(*variant); err != nil {
			return c, usageError{err}
		}
		if c.Input, err = mnist.ParseMode(*input); err != nil {
			return c, usageError{err}
		}
		c.InputDropout = strings.ToLower(strings.TrimSpace(*inDrop))
		c.Seed, c.Epochs, c.Batch = *seed, *epochs, *batch
		c.LR, c.Momentum, c.WeightDecay = float32(*lr), float32(*mom), float32(*wd)
		c.TrainLimit, c.TestLimit = *trainLimit, *testLimit
		if err := c.Validate(); err != nil {
			return c, usageError{err}
		}
		return c, nil
	}
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func train(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lenet train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := configFlags(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per epoch")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := config()
	if err != nil {
		return err
	}
	trainSet, testSet, err := loadData()
	if err != nil {
		return err
	}
	testSet = testSet.Limit(c.TestLimit)
	eng, err := nncore.NewCPUEngine(c, nncore.InitState(c), trainSet, testSet)
	if err != nil {
		return err
	}
	defer eng.Close()
	if !*asJSON {
		fmt.Fprintf(stdout, "%s, %s input, seed %d, batch %d, lr %g, %s training images, %s test images\n",
			c.Variant, c.Input, c.Seed, c.Batch, c.LR, commaInt(limit(trainSet.N, c.TrainLimit)), commaInt(testSet.N))
		fmt.Fprintf(stdout, "%5s  %10s  %9s  %9s  %8s  %8s  %7s\n", "epoch", "train loss", "train acc", "test loss", "test acc", "images/s", "seconds")
	}
	enc := json.NewEncoder(stdout)
	_, err = nncore.Train(ctx, eng, c, trainSet, nncore.Hooks{OnEpoch: func(m nncore.EpochMetrics) error {
		if *asJSON {
			return enc.Encode(epochJSON{m.Epoch, m.TrainLoss, m.TrainAcc, m.TestLoss, m.TestAcc, m.ImagesPerSec})
		}
		_, err := fmt.Fprintf(stdout, "%5d  %10.4f  %8.2f%%  %9.4f  %7.2f%%  %8s  %7.1f\n", m.Epoch, m.TrainLoss, 100*m.TrainAcc,
			m.TestLoss, 100*m.TestAcc, commaInt(int(m.ImagesPerSec+0.5)), m.Seconds)
		return err
	}})
	return err
}

// epochJSON is the line format of train -json.
type epochJSON struct {
	Epoch        int     `json:"epoch"`
	TrainLoss    float64 `json:"train_loss"`
	TrainAcc     float64 `json:"train_acc"`
	TestLoss     float64 `json:"test_loss"`
	TestAcc      float64 `json:"test_acc"`
	ImagesPerSec float64 `json:"images_per_sec"`
}

func bench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lenet bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := configFlags(fs)
	batches := fs.Int("batches", 50, "training batches to time (after 2 warm-up batches)")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := config()
	if err != nil {
		return err
	}
	if *batches < 1 {
		return usageError{fmt.Errorf("batches is %d: time at least 1 batch", *batches)}
	}
	trainSet, testSet, err := loadData()
	if err != nil {
		return err
	}
	eng, err := nncore.NewCPUEngine(c, nncore.InitState(c), trainSet, testSet)
	if err != nil {
		return err
	}
	defer eng.Close()
	perm := mnist.Perm(c.Seed, 0, trainSet.N)
	bs := mnist.Batches(perm, c.Batch, true)
	images := 0
	var start time.Time
	for i := range *batches + 2 {
		if i == 2 {
			start = time.Now()
		}
		idx := bs[i%len(bs)]
		if err := eng.TrainBatch(idx); err != nil {
			return err
		}
		if i >= 2 {
			images += len(idx)
		}
	}
	sec := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "%s cpu: %s images in %.2f s: %s images/s (batch %d)\n",
		c.Variant, commaInt(images), sec, commaInt(int(float64(images)/sec+0.5)), c.Batch)
	return nil
}

func limit(n, l int) int {
	if l > 0 && l < n {
		return l
	}
	return n
}

func mustParseFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("lenet: " + err.Error())
	}
	return f
}

// commaInt writes n with thousands separators (the calculators' formatting).
func commaInt(n int) string { return arch.Comma(int64(n)) }
