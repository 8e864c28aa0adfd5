package mnist

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPerm(t *testing.T) {
	const n = 1000
	a := Perm(42, 3, n)
	if !slices.Equal(a, Perm(42, 3, n)) {
		t.Fatal("same seed and epoch gave different orders")
	}
	seen := make([]bool, n)
	for _, v := range a {
		if v < 0 || v >= n || seen[v] {
			t.Fatalf("not a permutation: %d repeated or out of range", v)
		}
		seen[v] = true
	}
	if slices.Equal(a, Perm(42, 4, n)) || slices.Equal(a, Perm(43, 3, n)) {
		t.Error("another epoch or seed gave the same order")
	}
	if slices.IsSorted(a) {
		t.Error("order is not shuffled")
	}
	// The contract's generator, spelled out independently.
	want := rand.New(rand.NewPCG(42, 0x5eed0003)).Perm(n)
	for i := range want {
		if int(a[i]) != want[i] {
			t.Fatalf("Perm(42, 3)[%d] = %d, want %d", i, a[i], want[i])
		}
	}
	if len(Perm(1, 0, 0)) != 0 {
		t.Error("Perm of 0 items is not empty")
	}
}

func TestBatches(t *testing.T) {
	perm := Perm(7, 0, 10)
	sizes := func(bs [][]int32) (s []int) {
		for _, b := range bs {
			s = append(s, len(b))
		}
		return s
	}
	tests := []struct {
		n, batch int
		skip     bool
		want     []int
	}{
		{10, 3, false, []int{3, 3, 3, 1}},
		{10, 3, true, []int{3, 3, 3}},
		{10, 4, true, []int{4, 4, 2}},
		{9, 3, true, []int{3, 3, 3}},
		{10, 10, true, []int{10}},
		{10, 64, false, []int{10}},
		{1, 4, false, []int{1}},
		{1, 4, true, nil},
		{0, 4, false, nil},
	}
	for _, tc := range tests {
		bs := Batches(perm[:tc.n], tc.batch, tc.skip)
		if got := sizes(bs); !slices.Equal(got, tc.want) {
			t.Errorf("Batches(n=%d, %d, %v) sizes %v, want %v", tc.n, tc.batch, tc.skip, got, tc.want)
			continue
		}
		if joined := slices.Concat(bs...); !slices.Equal(joined, perm[:len(joined)]) {
			t.Errorf("Batches(n=%d, %d) do not follow perm in order", tc.n, tc.batch)
		}
	}
	// Appending to a batch must not overwrite the next one.
	bs := Batches(perm, 3, false)
	_ = append(bs[0], -1)
	if bs[1][0] == -1 {
		t.Error("batches share capacity")
	}
	defer func() {
		if recover() == nil {
			t.Error("batch size 0 did not panic")
		}
	}()
	Batches(perm, 0, false)
}
