package lab

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/lenetlab/lenetlab/mnist"
	"github.com/lenetlab/lenetlab/nncore"
)

// Settings is the Lab form as the user typed it: strings, parsed only by Config. They travel in the
// page URL's query (one parameter per field, named by Params) so that a link reproduces a run.
type Settings struct {
	Variant      string
	Epochs       string
	TrainLimit   string
	TestLimit    string
	Seed         string
	Batch        string
	LR           string
	Input        string // "resize" or "pad"
	InputDropout string // "pixels" or "conv1"
	// "Run the lab" settings: how many seeds each variant runs with (1–5), and the quick mode
	// ("1": QuickTrain/QuickTest images and QuickEpochs epochs per run, for a classroom).
	Seeds string
	Quick string
	// Engine is the engine asked of the worker: "auto" (WebGPU when it can run, else the CPU
	// engine), "webgpu" or "cpu" (protocol.Start.Engine).
	Engine string
}

// Full sizes of the MNIST splits.
const (
	TrainSize = 60000
	TestSize  = 10000
)

// DefaultSettings are the form's initial values: nncore.DefaultConfig on all of MNIST.
func DefaultSettings() Settings {
	c := nncore.DefaultConfig()
	return Settings{
		Variant: string(c.Variant), Epochs: strconv.Itoa(c.Epochs), TrainLimit: Thousands(TrainSize), TestLimit: Thousands(TestSize),
		Seed: strconv.FormatUint(c.Seed, 10), Batch: strconv.Itoa(c.Batch), LR: strconv.FormatFloat(float64(c.LR), 'g', -1, 32),
		Input: c.Input.String(), InputDropout: c.InputDropout, Seeds: "1", Engine: "auto",
	}
}

// Params lists the URL query parameter of each field, in form order.
var Params = []string{"variant", "epochs", "train-limit", "test-limit", "seed", "batch", "lr", "input", "input-dropout", "seeds", "quick", "engine"}

func (s *Settings) field(param string) *string {
	switch param {
	case "variant":
		return &s.Variant
	case "epochs":
		return &s.Epochs
	case "train-limit":
		return &s.TrainLimit
	case "test-limit":
		return &s.TestLimit
	case "seed":
		return &s.Seed
	case "batch":
		return &s.Batch
	case "lr":
		return &s.LR
	case "input":
		return &s.Input
	case "input-dropout":
		return &s.InputDropout
	case "seeds":
		return &s.Seeds
	case "quick":
		return &s.Quick
	case "engine":
		return &s.Engine
	}
	return nil
}

// Get returns the field named by a URL parameter ("" for an unknown name).
func (s Settings) Get(param string) string {
	if p := s.field(param); p != nil {
		return *p
	}
	return ""
}

// Set sets the field named by a URL parameter; unknown names are ignored.
func (s *Settings) Set(param, value string) {
	if p := s.field(param); p != nil {
		*p = value
	}
}

// SettingsFromQuery starts from the defaults and takes every known parameter present in q.
func SettingsFromQuery(q url.Values) Settings {
	s := DefaultSettings()
	for _, p := range Params {
		if v, ok := q[p]; ok && len(v) > 0 {
			s.Set(p, strings.TrimSpace(v[0]))
		}
	}
	return s
}

// Query returns the fields that differ from the defaults as URL parameters (a short, shareable link).
func (s Settings) Query() url.Values {
	d := DefaultSettings()
	q := url.Values{}
	for _, p := range Params {
		if v := s.Get(p); v != d.Get(p) {
			q.Set(p, v)
		}
	}
	return q
}

// parseInt accepts digits with optional thousands separators (commas, spaces, underscores).
func parseInt(name, s string, lo, hi int64) (int64, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ',' || r == '_' || r == ' ' || r == '\u202f' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number", name, s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s: %s is out of range; use %s to %s", name, Thousands(n), Thousands(lo), Thousands(hi))
	}
	return n, nil
}

// Config parses and checks the form. The error names the field and says what to enter.
func (s Settings) Config() (nncore.Config, error) {
	var cfg nncore.Config
	var errs []error
	v := nncore.Variant(strings.TrimSpace(s.Variant))
	found := false
	for _, k := range nncore.Variants {
		found = found || k == v
	}
	if !found {
		names := make([]string, len(nncore.Variants))
		for i, k := range nncore.Variants {
			names[i] = string(k)
		}
		errs = append(errs, fmt.Errorf("variant: %q is unknown; use one of %s", s.Variant, strings.Join(names, ", ")))
	}
	cfg.Variant = v
	num := func(name, val string, lo, hi int64) int64 {
		n, err := parseInt(name, val, lo, hi)
		if err != nil {
			errs = append(errs, err)
		}
		return n
	}
	cfg.Epochs = int(num("epochs", s.Epochs, 1, 1000))
	cfg.TrainLimit = int(num("training images", s.TrainLimit, 2, TrainSize))
	cfg.TestLimit = int(num("test images", s.TestLimit, 1, TestSize))
	cfg.Batch = int(num("batch size", s.Batch, 2, TrainSize))
	seed, err := strconv.ParseUint(strings.TrimSpace(s.Seed), 10, 64)
	if err != nil {
		errs = append(errs, fmt.Errorf("seed: %q is not a whole number from 0 to 18,446,744,073,709,551,615", s.Seed))
	}
	cfg.Seed = seed
	lr, err := strconv.ParseFloat(strings.TrimSpace(s.LR), 64)
	if err != nil || !(lr > 0 && lr <= 10) || math.IsInf(lr, 0) {
		errs = append(errs, fmt.Errorf("learning rate: %q must be a number above 0 and at most 10, e.g. 0.1", s.LR))
	}
	cfg.LR = float32(lr)
	mode, err := mnist.ParseMode(s.Input)
	if err != nil {
		errs = append(errs, fmt.Errorf("input: %q is unknown; use resize (bilinear 28→32, as the lab) or pad (2-pixel border, as LeCun)", s.Input))
	}
	cfg.Input = mode
	switch strings.TrimSpace(s.InputDropout) {
	case "pixels", "conv1":
		cfg.InputDropout = strings.TrimSpace(s.InputDropout)
	default:
		errs = append(errs, fmt.Errorf("input dropout: %q is unknown; use pixels (p=0.2 on the input pixels, as Srivastava et al.) or conv1 (p=0.2 after the first conv, as the lab's notebook)", s.InputDropout))
	}
	if cfg.TrainLimit > 0 && cfg.Batch > cfg.TrainLimit {
		errs = append(errs, fmt.Errorf("batch size: %s is more than the %s training images", Thousands(int64(cfg.Batch)), Thousands(int64(cfg.TrainLimit))))
	}
	if len(errs) > 0 {
		return nncore.Config{}, errors.Join(errs...)
	}
	if err := cfg.Validate(); err != nil {
		return nncore.Config{}, err
	}
	return cfg, nil
}

// VariantInfo describes each variant for the form.
var VariantInfo = map[nncore.Variant]string{
	nncore.Plain:      "plain LeNet-5, no BN, no dropout",
	nncore.StandardBN: "BN after every conv and linear layer",
	nncore.BNInput:    "BN also on the raw input, instead of normalizing it",
	nncore.Dropout:    "dropout, no BN",
	nncore.BNDropout:  "BN and dropout together",
}

// HasDropout reports whether a variant uses dropout (the input-dropout placement matters only then).
func HasDropout(v string) bool {
	return v == string(nncore.Dropout) || v == string(nncore.BNDropout)
}

// HasBN reports whether a variant has BN layers.
func HasBN(v string) bool {
	return v == string(nncore.StandardBN) || v == string(nncore.BNInput) || v == string(nncore.BNDropout)
}
