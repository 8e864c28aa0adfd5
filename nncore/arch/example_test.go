package arch_test

import (
	"fmt"

	"github.com/lenetlab/lenetlab/nncore/arch"
)

// Every row carries its working: the formula with the numbers put in.
func ExampleAnalyze() {
	spec, _ := arch.Preset("lenet5")
	r, _ := arch.Analyze(spec, arch.Options{})
	for _, l := range r.Layers {
		if l.Type == arch.Conv || l.Type == arch.FC {
			fmt.Printf("%-5s %-9v %s\n", l.Name, l.OutShape, l.Working.Params)
		}
	}
	fmt.Println("total", arch.Comma(r.Total.Params), "=", r.Total.Working["params"])
	// Output:
	// conv1 6×28×28   (5·5·1)·6 + 6 = 156
	// conv2 16×10×10  (5·5·6)·16 + 16 = 2,416
	// fc1   120×1×1   400·120 + 120 = 48,120
	// fc2   84×1×1    120·84 + 84 = 10,164
	// fc3   10×1×1    84·10 + 10 = 850
	// total 61,706 = 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706
}

// The totals of every preset. The counts agree with PyTorch (testdata/reference.json).
func ExamplePresets() {
	for _, name := range arch.Presets() {
		spec, _ := arch.Preset(name)
		r, _ := arch.Analyze(spec, arch.Options{})
		t := r.Total
		fmt.Printf("%-19s %11s params %14s MACs  out %v\n", name, arch.Comma(t.Params), arch.Comma(t.MACs), t.OutShape)
	}
	// Output:
	// lenet5                   61,706 params        416,520 MACs  out 10×1×1
	// lenet5_bn                62,158 params        416,520 MACs  out 10×1×1
	// lenet5_bn_input          62,160 params        416,520 MACs  out 10×1×1
	// alexnet              62,378,344 params  1,135,256,096 MACs  out 1,000×1×1
	// alexnet-grouped      60,965,224 params    724,406,816 MACs  out 1,000×1×1
	// alexnet-torchvision  61,100,840 params    714,188,480 MACs  out 1,000×1×1
	// vgg11               132,863,336 params  7,609,090,048 MACs  out 1,000×1×1
	// vgg13               133,047,848 params 11,308,466,176 MACs  out 1,000×1×1
	// vgg16               138,357,544 params 15,470,264,320 MACs  out 1,000×1×1
	// vgg19               143,667,240 params 19,632,062,464 MACs  out 1,000×1×1
	// vgg11_bn            132,868,840 params  7,609,090,048 MACs  out 1,000×1×1
	// vgg13_bn            133,053,736 params 11,308,466,176 MACs  out 1,000×1×1
	// vgg16_bn            138,365,992 params 15,470,264,320 MACs  out 1,000×1×1
	// vgg19_bn            143,678,248 params 19,632,062,464 MACs  out 1,000×1×1
	// inception-naive       1,089,952 params  1,115,684,864 MACs  out 672×32×32
	// inception-reduced       388,736 params    397,410,304 MACs  out 480×32×32
	// googlenet-3a            163,696 params    128,049,152 MACs  out 256×28×28
}

// Output sizes show the floor when the division is not exact.
func ExampleAnalyze_floor() {
	spec := arch.Spec{Input: arch.Shape{C: 3, H: 224, W: 224}, Layers: []arch.Layer{arch.ConvL("conv1", 64, 11, 4, 2)}}
	r, _ := arch.Analyze(spec, arch.Options{})
	fmt.Println(r.Layers[1].Working.OutShape)
	fmt.Println(r.Layers[1].Notes[0])
	// Output:
	// H = W = ⌊(224 − 11 + 2·2)/4⌋ + 1 = 55
	// H: (224 − 11 + 2·2)/4 = 217/4 is not whole; the framework floors it to 54 (so the last padded row is not covered)
}

// Memory for training and inference, with definitions in the working.
func ExampleAnalyze_memory() {
	spec, _ := arch.Preset("vgg16")
	r, _ := arch.Analyze(spec, arch.Options{Momentum: true})
	m := r.Total.MemoryBytes[arch.FP32]
	fmt.Println("inference:", arch.Bytes(m.Inference))
	fmt.Println(" ", m.InferenceWorking)
	fmt.Println("training:", arch.Bytes(m.Training))
	fmt.Println(" ", m.TrainingWorking)
	// Output:
	// inference: 579,120,288 B (552.3 MiB)
	//   (params 138,357,544 + buffers 0 + peak live activations 6,422,528 at "relu1_1" (its input + output))·4 B = 579,120,288
	// training: 1,775,596,928 B (1.7 GiB)
	//   (input 150,528 + activations 28,676,072 + 3·params 138,357,544 (weights + gradients + SGD momentum) + buffers 0)·4 B = 1,775,596,928
}

// N stride-1 F×F convolutions see NF − N + 1 pixels.
func ExampleStackedRF() {
	rf, why, _ := arch.StackedRF(3, 3)
	fmt.Println(rf)
	fmt.Println(why)
	// Output:
	// 7
	// With stride 1 the jump stays j = 1, so each layer adds (F − 1)·j = 3 − 1 = 2 pixels to the field (a kernel of F reaches (F − 1)/2 further on each side). Starting from r₀ = 1: r = 1 + N·(F − 1) = NF − N + 1 = 3·3 − 3 + 1 = 7. In general r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1} and j_l = j_{l−1}·s_l.
}

// A receptive-field stack: rows of kernel, stride, dilation.
func ExampleRFStack() {
	steps, _ := arch.RFStack([]arch.RFRow{{K: 3, S: 1}, {K: 3, S: 2}, {K: 3, S: 1, D: 2}})
	for _, s := range steps {
		fmt.Printf("%-28s %s\n", s.RFWorking, s.JumpWorking)
	}
	// Output:
	// r = 1 + (3 − 1)·1·1 = 3      j = 1·1 = 1
	// r = 3 + (3 − 1)·1·1 = 5      j = 1·2 = 2
	// r = 5 + (3 − 1)·2·2 = 13     j = 2·1 = 2
}

// The naive Inception module against the one with 1×1 reductions, on the lab's input.
func ExampleCompareInception() {
	cmp, _ := arch.CompareInception(arch.LabInception(true), arch.Options{})
	for _, r := range []*arch.Result{cmp.Naive, cmp.Reduced} {
		for i, b := range r.Layers[1].BranchTotals {
			fmt.Printf("%s branch %d: %v, %s params\n", r.Layers[1].Name, i+1, b.OutShape, arch.Comma(b.Params))
		}
	}
	fmt.Println(cmp.Working)
	// Output:
	// naive branch 1: 128×32×32, 32,896 params
	// naive branch 2: 192×32×32, 442,560 params
	// naive branch 3: 96×32×32, 614,496 params
	// naive branch 4: 256×32×32, 0 params
	// reduced branch 1: 128×32×32, 32,896 params
	// reduced branch 2: 192×32×32, 254,272 params
	// reduced branch 3: 96×32×32, 85,120 params
	// reduced branch 4: 64×32×32, 16,448 params
	// params 1,089,952 / 388,736 = 2.80×; MACs 1,115,684,864 / 397,410,304 = 2.81×
}

// Bad specs are errors that name the layer and the reason.
func ExampleParseSpec() {
	for _, s := range []string{
		`{"input":[3,227,227],"layers":[{"type":"conv","name":"conv1","out":96,"k":11,"s":4,"p":0},{"type":"maxpool","k":3,"s":2},{"type":"fc","out":4096}]}`,
		`{"input":[3,8,8],"layers":[{"type":"conv","name":"conv1","out":96,"k":11}]}`,
		`{"input":[3,8,8],"layers":[{"type":"conv","name":"g","out":8,"k":3,"groups":2}]}`,
	} {
		spec, err := arch.ParseSpec([]byte(s))
		if err == nil {
			var r *arch.Result
			if r, err = arch.Analyze(spec, arch.Options{}); err == nil {
				fmt.Println("ok:", arch.Comma(r.Total.Params), "params")
				continue
			}
		}
		fmt.Println("error:", err)
	}
	// Output:
	// ok: 286,693,504 params
	// error: layer 1 "conv1": kernel 11 is larger than the padded input 8 (8 + 2·0) along H, so the output size would be ⌊(8 − 11 + 2·0)/1⌋ + 1 = −2, not at least 1
	// error: layer 1 "g": input channels 3 are not divisible by groups 2
}
