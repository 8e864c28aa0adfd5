package mnist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Perm returns the order in which epoch (0-based) visits n training images:
// rand.New(rand.NewPCG(seed, 0x5eed0000+epoch)).Perm(n), as docs/CONTRACT.md fixes it.
func Perm(seed uint64, epoch, n int) []int32 {
	if epoch < 0 || n < 0 || n > math.MaxInt32 {
		panic(fmt.Sprintf("mnist: Perm: epoch %d, n %d out of range", epoch, n))
	}
	p := rand.New(rand.NewPCG(seed, 0x5eed0000+uint64(epoch))).Perm(n)
	out := make([]int32, n)
	for i, v := range p {
		out[i] = int32(v)
	}
	return out
}

// Batches cuts perm into consecutive batches of size batch, the last one partial (PyTorch's
// drop_last=False). With skipSingleton a final batch of one image is left out, as BatchNorm cannot
// train on it. The batches are subslices of perm.
func Batches(perm []int32, batch int, skipSingleton bool) [][]int32 {
	if batch <= 0 {
		panic(fmt.Sprintf("mnist: Batches: batch size %d, want > 0", batch))
	}
	out := make([][]int32, 0, (len(perm)+batch-1)/batch)
	for lo := 0; lo < len(perm); lo += batch {
		b := perm[lo:min(lo+batch, len(perm)):min(lo+batch, len(perm))]
		if skipSingleton && len(b) == 1 {
			break
		}
		out = append(out, b)
	}
	return out
}
