package nncore

import (
	"testing"
)

func TestSmokeTrain(t *testing.T) {
	train, test := synthSets(512, 128, 1)
	c := DefaultConfig()
	c.Batch = 64
	c.Epochs = 2
	for _, v := range Variants {
		c.Variant = v
		eng, err := NewCPUEngine(c, InitState(c), train, test)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := Train(t.Context(), eng, c, train, Hooks{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s %+v", v, ms)
	}
}
