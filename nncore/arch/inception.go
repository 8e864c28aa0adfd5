package arch

// InceptionConfig sets up one Inception module. With Reduced false (the naive module) the
// reduce and projection counts are ignored: the 3×3 and 5×5 convolutions and the pool see
// all input channels, and the pool's channels pass through unchanged.
type InceptionConfig struct {
	Input     Shape
	C1x1      int // 1×1 branch filters
	Reduce3x3 int // 1×1 filters before the 3×3 (reduced only)
	C3x3      int
	Reduce5x5 int // 1×1 filters before the 5×5 (reduced only)
	C5x5      int
	PoolProj  int // 1×1 filters after the 3×3 max pool (reduced only)
	Reduced   bool
	ReLU      bool // a ReLU after every conv, as GoogLeNet has
}

// LabInception is the lab's module on 32×32×256: 1×1 128; 3×3 reduce 128 → 3×3 192;
// 5×5 reduce 32 → 5×5 96; 3×3 max pool (stride 1, pad 1) → projection 64.
func LabInception(reduced bool) InceptionConfig {
	return InceptionConfig{Input: Shape{256, 32, 32}, C1x1: 128, Reduce3x3: 128, C3x3: 192,
		Reduce5x5: 32, C5x5: 96, PoolProj: 64, Reduced: reduced}
}

// GoogLeNet3a is inception (3a) of Szegedy et al. (2014), Table 1, on 28×28×192.
func GoogLeNet3a() InceptionConfig {
	return InceptionConfig{Input: Shape{192, 28, 28}, C1x1: 64, Reduce3x3: 96, C3x3: 128,
		Reduce5x5: 16, C5x5: 32, PoolProj: 32, Reduced: true, ReLU: true}
}

// Inception builds a spec holding one module, named name, with "same" padding everywhere.
// Bad counts (0, negative) are reported by Analyze with the branch layer's name.
func Inception(name string, cfg InceptionConfig) Spec {
	conv := func(n string, out, k int) []Layer {
		ls := []Layer{ConvL(n, out, k, 1, k/2)}
		if cfg.ReLU {
			ls = append(ls, Simple(ReLU, "relu_"+n))
		}
		return ls
	}
	pool := MaxPoolL("pool", 3, 1, 1)
	var br [][]Layer
	if cfg.Reduced {
		br = [][]Layer{
			conv("1x1", cfg.C1x1, 1),
			append(conv("3x3_reduce", cfg.Reduce3x3, 1), conv("3x3", cfg.C3x3, 3)...),
			append(conv("5x5_reduce", cfg.Reduce5x5, 1), conv("5x5", cfg.C5x5, 5)...),
			append([]Layer{pool}, conv("pool_proj", cfg.PoolProj, 1)...),
		}
	} else {
		br = [][]Layer{conv("1x1", cfg.C1x1, 1), conv("3x3", cfg.C3x3, 3), conv("5x5", cfg.C5x5, 5), {pool}}
	}
	return Spec{Input: cfg.Input, Layers: []Layer{{Type: Concat, Name: name, Branches: br}}}
}

// InceptionComparison analyses the naive and the reduced module for the same filter counts.
type InceptionComparison struct {
	Naive, Reduced *Result
	// ParamSaving is naive params / reduced params; MACSaving likewise for MACs.
	ParamSaving, MACSaving string
	Working                string
}

// CompareInception analyses cfg in both forms (cfg.Reduced is ignored).
func CompareInception(cfg InceptionConfig, opt Options) (*InceptionComparison, error) {
	cfg.Reduced = false
	naive, err := Analyze(Inception("naive", cfg), opt)
	if err != nil {
		return nil, err
	}
	cfg.Reduced = true
	red, err := Analyze(Inception("reduced", cfg), opt)
	if err != nil {
		return nil, err
	}
	np, rp := naive.Total.Params, red.Total.Params
	cmp := &InceptionComparison{Naive: naive, Reduced: red,
		ParamSaving: Ratio(np, rp), MACSaving: Ratio(naive.Total.MACs, red.Total.MACs)}
	cmp.Working = "params " + Comma(np) + " / " + Comma(rp) + " = " + cmp.ParamSaving +
		"×; MACs " + Comma(naive.Total.MACs) + " / " + Comma(red.Total.MACs) + " = " + cmp.MACSaving + "×"
	return cmp, nil
}
