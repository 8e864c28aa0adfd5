package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lenetlab/lenetlab/mnist"
)

// synthetic replaces MNIST: class k is a bar at a class-specific place, plus noise.
func synthetic() (train, test *mnist.Set, err error) {
	r := rand.New(rand.NewPCG(1, 2))
	mk := func(n int) *mnist.Set {
		s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
		for i := range n {
			k := r.IntN(10)
			s.Labels[i] = byte(k)
			for y := 3 + 2*k; y < 6+2*k; y++ {
				for x := 4; x < 24; x++ {
					s.Images[i*784+y*28+x] = 255
				}
			}
			for p := range 784 {
				s.Images[i*784+p] |= byte(r.IntN(40))
			}
		}
		return s
	}
	return mk(300), mk(100), nil
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestBadUsage(t *testing.T) {
	loadData = synthetic
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"fly"}, `unknown command "fly"`},
		{[]string{"train", "-variant", "lenet"}, `unknown variant "lenet"`},
		{[]string{"train", "-input", "crop"}, `unknown preprocessing mode "crop"`},
		{[]string{"train", "-input-dropout", "conv9"}, `unknown input dropout "conv9"`},
		{[]string{"train", "-batch", "0"}, "batch size is 0"},
		{[]string{"train", "-lr", "-1"}, "learning rate is -1"},
		{[]string{"train", "-momentum", "1.5"}, "momentum is 1.5"},
		{[]string{"train", "-wd", "-0.1"}, "weight decay is -0.1"},
		{[]string{"train", "-epochs", "0"}, "epochs is 0"},
		{[]string{"train", "-train-limit", "-5"}, "limits"},
		{[]string{"train", "-epochs", "two"}, `invalid value "two"`},
		{[]string{"train", "-nosuch"}, "flag provided but not defined"},
		{[]string{"train", "extra"}, `unexpected argument "extra"`},
		{[]string{"bench", "-batches", "0"}, "batches is 0"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("lenet %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestTrainJSON(t *testing.T) {
	loadData = synthetic
	code, out, stderr := runCmd("train", "-variant", "bn-dropout", "-epochs", "2", "-batch", "32", "-json", "-test-limit", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out)
	}
	for i, l := range lines {
		var m map[string]float64
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "images_per_sec"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d lacks %s: %s", i, k, l)
			}
		}
		if len(m) != 6 || m["epoch"] != float64(i+1) || m["test_acc"] < 0 || m["test_acc"] > 1 || m["images_per_sec"] <= 0 {
			t.Errorf("line %d: %s", i, l)
		}
	}
	// The same flags give the same numbers (speed aside).
	_, out2, _ := runCmd("train", "-variant", "bn-dropout", "-epochs", "2", "-batch", "32", "-json", "-test-limit", "50")
	strip := func(s string) string {
		var b strings.Builder
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			var m map[string]float64
			json.Unmarshal([]byte(l), &m)
			delete(m, "images_per_sec")
			j, _ := json.Marshal(m)
			b.Write(j)
		}
		return b.String()
	}
	if strip(out) != strip(out2) {
		t.Errorf("runs differ:\n%s\n%s", out, out2)
	}
}

func TestTrainTableAndBench(t *testing.T) {
	loadData = synthetic
	code, out, stderr := runCmd("train", "-epochs", "1", "-batch", "50", "-input", "pad", "-momentum", "0.9", "-wd", "5e-4")
	if code != 0 || !strings.Contains(out, "test acc") || !strings.Contains(out, "pad input") || !strings.Contains(out, "300 training images") {
		t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	code, out, stderr = runCmd("bench", "-variant", "plain", "-batches", "3", "-batch", "50")
	if code != 0 || !strings.Contains(out, "150 images") || !strings.Contains(out, "images/s") {
		t.Errorf("bench: exit %d, out %q, stderr %q", code, out, stderr)
	}
	loadData = func() (*mnist.Set, *mnist.Set, error) { return nil, nil, errors.New("no MNIST here") }
	if code, _, stderr := runCmd("train"); code != 1 || !strings.Contains(stderr, "no MNIST here") {
		t.Errorf("load failure: exit %d, %q", code, stderr)
	}
}
