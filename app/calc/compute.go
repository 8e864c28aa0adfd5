package calc

import (
	"fmt"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

// Page is the calculators' state and their last valid results. Every input goes through
// Set; Compute recomputes the current view. An invalid input sets Err for that view and leaves
// the last valid result in place, so the page never goes blank.
type Page struct {
	State State

	Family    []FamilyRow // the selected model's family, for the comparison table
	Inception *arch.InceptionComparison
	RF        []arch.RFStep
	RFIdent   int64
	RFText    string

	errs   map[string]string // per view
	models map[string]modelResult
	cache  map[string]*arch.Result // analyses by spec and options: toggles that only change the display reuse them
}

// analyze is arch.Analyze through the cache; key identifies the spec.
func (p *Page) analyze(key string, spec arch.Spec) (*arch.Result, error) {
	key = fmt.Sprintf("%s|%v|%v", key, p.State.NoBias, p.State.Momentum)
	if r, ok := p.cache[key]; ok {
		return r, nil
	}
	r, err := arch.Analyze(spec, p.State.Options())
	if err != nil {
		return nil, err
	}
	if len(p.cache) >= 64 {
		clear(p.cache)
	}
	p.cache[key] = r
	return r, nil
}

type modelResult struct {
	name string
	r    *arch.Result
}

// Model is the analysed model of the current view (AlexNet, VGG, custom), or nil.
func (p *Page) Model() *arch.Result { return p.models[p.State.View].r }

// ModelName is what Model shows: a preset name or "custom stack".
func (p *Page) ModelName() string { return p.models[p.State.View].name }

// FamilyRow is one line of the AlexNet or VGG comparison table.
type FamilyRow struct {
	Name   string
	Result *arch.Result
}

// NewPage opens the page at a query.
func NewPage(query string) *Page {
	p := &Page{State: ParseQuery(query), errs: map[string]string{}, models: map[string]modelResult{}, cache: map[string]*arch.Result{}}
	p.Compute()
	return p
}

// Err is the current view's error message, "" when its inputs are valid.
func (p *Page) Err() string { return p.errs[p.State.View] }

// Set applies an input (see State.Set) and recomputes. It returns the new query.
func (p *Page) Set(key, value string) string {
	p.State.Set(key, value)
	p.Compute()
	return p.State.Query()
}

// Compute recomputes what the current view shows.
func (p *Page) Compute() {
	s := p.State
	var err error
	switch s.View {
	case ViewAlexNet, ViewVGG:
		err = p.computeModel()
	case ViewCustom:
		err = p.computeModel()
	case ViewRF:
		err = p.computeRF()
	case ViewInception:
		err = p.computeInception()
	}
	if err != nil {
		p.errs[s.View] = err.Error()
	} else {
		delete(p.errs, s.View)
	}
}

func (p *Page) computeModel() error {
	s := p.State
	var spec arch.Spec
	name := s.Model
	key := "preset:" + name
	switch {
	case s.View == ViewCustom:
		var err error
		if spec, err = arch.ParseSpec([]byte(s.Spec)); err != nil {
			return fmt.Errorf("Custom stack JSON: %w", err)
		}
		if !isPreset(name) {
			name = "custom stack"
		}
		key = "spec:" + s.Spec
	case ViewFor(s.Model) == s.View:
		spec = mustPreset(s.Model)
	default:
		name = family(s.View)[0]
		spec = mustPreset(name)
		key = "preset:" + name
	}
	r, err := p.analyze(key, spec)
	if err != nil {
		return fmt.Errorf("Custom stack JSON: %w", err)
	}
	p.models[s.View] = modelResult{name, r}
	p.Family = nil
	for _, n := range family(s.View) {
		fr, err := p.analyze("preset:"+n, mustPreset(n))
		if err != nil {
			panic("calc: preset " + n + ": " + err.Error())
		}
		p.Family = append(p.Family, FamilyRow{n, fr})
	}
	return nil
}

func family(view string) []string {
	switch view {
	case ViewAlexNet:
		return []string{"alexnet", "alexnet-grouped", "alexnet-torchvision"}
	case ViewVGG:
		return []string{"vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn"}
	}
	return nil
}

func (p *Page) computeRF() error {
	rows, err := p.State.RFRows()
	if err != nil {
		return err
	}
	steps, err := arch.RFStack(rows)
	if err != nil {
		return fmt.Errorf("receptive field %w", err)
	}
	n, err := wholeField("identity N (layers)", p.State.RFN, 1)
	if err != nil {
		return err
	}
	f, err := wholeField("identity F (kernel)", p.State.RFF, 1)
	if err != nil {
		return err
	}
	rf, text, err := arch.StackedRF(n, f)
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	p.RF, p.RFIdent, p.RFText = steps, rf, text
	return nil
}

func (p *Page) computeInception() error {
	cfg, err := p.State.InceptionConfig()
	if err != nil {
		return err
	}
	cmp, err := arch.CompareInception(cfg, p.State.Options())
	if err != nil {
		return fmt.Errorf("Inception: %w", err)
	}
	p.Inception = cmp
	return nil
}

// TotalParams is the displayed total parameter count of the current view's model (for the
// Inception view, of the form the model select names), with thousands separators;
// "" where the view has no model.
func (p *Page) TotalParams() string {
	switch p.State.View {
	case ViewAlexNet, ViewVGG, ViewCustom:
		if m := p.Model(); m != nil {
			return arch.Comma(m.Total.Params)
		}
	case ViewInception:
		if p.Inception != nil {
			if p.State.Model == "inception-naive" {
				return arch.Comma(p.Inception.Naive.Total.Params)
			}
			return arch.Comma(p.Inception.Reduced.Total.Params)
		}
	}
	return ""
}
