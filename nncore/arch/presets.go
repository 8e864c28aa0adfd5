package arch

import (
	"fmt"
	"sort"
	"strings"
)

// PresetInfo describes a preset.
type PresetInfo struct {
	Name        string
	Description string
	build       func() Spec
}

var presets = []PresetInfo{
	{"lenet5", "the lab's LeNet-5 on 32×32×1: conv 6 5×5, pool, conv 16 5×5, pool, fc 120-84-10", func() Spec { return lenet5(false, false) }},
	{"lenet5_bn", "lenet5 with BN after each hidden conv and fc (conv → BN → ReLU → pool)", func() Spec { return lenet5(true, false) }},
	{"lenet5_bn_input", "lenet5_bn with a BN on the raw input too", func() Spec { return lenet5(true, true) }},
	{"alexnet", "AlexNet (Krizhevsky et al. 2012), single-tower layout on 227×227×3: 96-256-384-384-256, fc 4096-4096-1000", func() Spec { return alexnet(false) }},
	{"alexnet-grouped", "AlexNet with the paper's two-GPU split: conv2, conv4, conv5 with groups = 2", func() Spec { return alexnet(true) }},
	{"alexnet-torchvision", "torchvision's AlexNet on 224×224×3: 64-192-384-256-256, adaptive 6×6 avg pool, no LRN", alexnetTorchvision},
	{"vgg11", "VGG configuration A (Simonyan & Zisserman 2014) on 224×224×3", func() Spec { return vgg("vgg11", false) }},
	{"vgg13", "VGG configuration B on 224×224×3", func() Spec { return vgg("vgg13", false) }},
	{"vgg16", "VGG configuration D on 224×224×3", func() Spec { return vgg("vgg16", false) }},
	{"vgg19", "VGG configuration E on 224×224×3", func() Spec { return vgg("vgg19", false) }},
	{"vgg11_bn", "vgg11 with BN after every conv (torchvision's vgg11_bn)", func() Spec { return vgg("vgg11", true) }},
	{"vgg13_bn", "vgg13 with BN after every conv", func() Spec { return vgg("vgg13", true) }},
	{"vgg16_bn", "vgg16 with BN after every conv", func() Spec { return vgg("vgg16", true) }},
	{"vgg19_bn", "vgg19 with BN after every conv", func() Spec { return vgg("vgg19", true) }},
	{"inception-naive", "naive Inception module on 32×32×256: 1×1 128, 3×3 192, 5×5 96, 3×3 max pool", func() Spec { return Inception("inception", LabInception(false)) }},
	{"inception-reduced", "Inception with dimension reductions on 32×32×256: 1×1 128; 128→3×3 192; 32→5×5 96; pool→64", func() Spec { return Inception("inception", LabInception(true)) }},
	{"googlenet-3a", "GoogLeNet's inception (3a) on 28×28×192: 64, 96→128, 16→32, pool→32, ReLU after each conv", func() Spec { return Inception("3a", GoogLeNet3a()) }},
}

// Presets lists the preset names in display order.
func Presets() []string {
	out := make([]string, len(presets))
	for i, p := range presets {
		out[i] = p.Name
	}
	return out
}

// PresetInfos lists every preset with its description, in display order.
func PresetInfos() []PresetInfo { return append([]PresetInfo(nil), presets...) }

// Preset returns a fresh copy of the named preset's spec.
func Preset(name string) (Spec, error) {
	for _, p := range presets {
		if p.Name == name {
			return p.build(), nil
		}
	}
	names := Presets()
	sort.Strings(names)
	return Spec{}, fmt.Errorf("unknown model %q: use one of %s", name, strings.Join(names, ", "))
}

func lenet5(bn, bnInput bool) Spec {
	var ls []Layer
	if bnInput {
		ls = append(ls, Simple(BN, "bn0"))
	}
	block := func(i int, conv Layer) {
		ls = append(ls, conv)
		if bn {
			ls = append(ls, Simple(BN, fmt.Sprintf("bn%d", i)))
		}
		ls = append(ls, Simple(ReLU, fmt.Sprintf("relu%d", i)))
	}
	block(1, ConvL("conv1", 6, 5, 1, 0))
	ls = append(ls, MaxPoolL("pool1", 2, 2, 0))
	block(2, ConvL("conv2", 16, 5, 1, 0))
	ls = append(ls, MaxPoolL("pool2", 2, 2, 0), Simple(Flatten, "flatten"))
	block(3, FCL("fc1", 120))
	block(4, FCL("fc2", 84))
	ls = append(ls, FCL("fc3", 10))
	return Spec{Input: Shape{1, 32, 32}, Layers: ls}
}

func alexnet(grouped bool) Spec {
	g := 1
	if grouped {
		g = 2
	}
	conv := func(name string, out, k, s, p, groups int) Layer {
		l := ConvL(name, out, k, s, p)
		l.Groups = groups
		return l
	}
	lrn := Layer{Type: LRN, Size: 5}
	ls := []Layer{
		conv("conv1", 96, 11, 4, 0, 1), Simple(ReLU, "relu1"), named(lrn, "lrn1"), MaxPoolL("pool1", 3, 2, 0),
		conv("conv2", 256, 5, 1, 2, g), Simple(ReLU, "relu2"), named(lrn, "lrn2"), MaxPoolL("pool2", 3, 2, 0),
		conv("conv3", 384, 3, 1, 1, 1), Simple(ReLU, "relu3"),
		conv("conv4", 384, 3, 1, 1, g), Simple(ReLU, "relu4"),
		conv("conv5", 256, 3, 1, 1, g), Simple(ReLU, "relu5"), MaxPoolL("pool5", 3, 2, 0),
		Simple(Flatten, "flatten"),
		FCL("fc6", 4096), Simple(ReLU, "relu6"), Layer{Type: Dropout, Name: "drop6", Rate: 0.5},
		FCL("fc7", 4096), Simple(ReLU, "relu7"), Layer{Type: Dropout, Name: "drop7", Rate: 0.5},
		FCL("fc8", 1000),
	}
	return Spec{Input: Shape{3, 227, 227}, Layers: ls}
}

func named(l Layer, name string) Layer {
	l.Name = name
	return l
}

func alexnetTorchvision() Spec {
	ls := []Layer{
		ConvL("conv1", 64, 11, 4, 2), Simple(ReLU, "relu1"), MaxPoolL("pool1", 3, 2, 0),
		ConvL("conv2", 192, 5, 1, 2), Simple(ReLU, "relu2"), MaxPoolL("pool2", 3, 2, 0),
		ConvL("conv3", 384, 3, 1, 1), Simple(ReLU, "relu3"),
		ConvL("conv4", 256, 3, 1, 1), Simple(ReLU, "relu4"),
		ConvL("conv5", 256, 3, 1, 1), Simple(ReLU, "relu5"), MaxPoolL("pool5", 3, 2, 0),
		{Type: AdaptiveAvgPool, Name: "avgpool", Size: 6},
		Simple(Flatten, "flatten"),
		{Type: Dropout, Name: "drop6", Rate: 0.5}, FCL("fc6", 4096), Simple(ReLU, "relu6"),
		{Type: Dropout, Name: "drop7", Rate: 0.5}, FCL("fc7", 4096), Simple(ReLU, "relu7"),
		FCL("fc8", 1000),
	}
	return Spec{Input: Shape{3, 224, 224}, Layers: ls}
}

// vggConfigs are Table 1 of Simonyan & Zisserman (2014): filters per 3×3 conv, 0 = 2×2 max pool.
var vggConfigs = map[string][]int{
	"vgg11": {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
	"vgg13": {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
	"vgg16": {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
	"vgg19": {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0},
}

func vgg(name string, bn bool) Spec {
	cfg, ok := vggConfigs[name]
	if !ok {
		panic("arch: no VGG config " + name)
	}
	var ls []Layer
	stage, idx := 1, 1
	for _, v := range cfg {
		if v == 0 {
			ls = append(ls, MaxPoolL(fmt.Sprintf("pool%d", stage), 2, 2, 0))
			stage++
			idx = 1
			continue
		}
		id := fmt.Sprintf("%d_%d", stage, idx)
		ls = append(ls, ConvL("conv"+id, v, 3, 1, 1))
		if bn {
			ls = append(ls, Simple(BN, "bn"+id))
		}
		ls = append(ls, Simple(ReLU, "relu"+id))
		idx++
	}
	ls = append(ls, Simple(Flatten, "flatten"),
		FCL("fc6", 4096), Simple(ReLU, "relu6"), Layer{Type: Dropout, Name: "drop6", Rate: 0.5},
		FCL("fc7", 4096), Simple(ReLU, "relu7"), Layer{Type: Dropout, Name: "drop7", Rate: 0.5},
		FCL("fc8", 1000))
	return Spec{Input: Shape{3, 224, 224}, Layers: ls}
}
