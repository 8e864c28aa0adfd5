package nncore

import (
	"math/rand/v2"

	"github.com/lenetlab/lenetlab/mnist"
)

// synthSets returns learnable synthetic digit sets: class k is a bright bar at a class-specific
// position plus noise.
func synthSets(nTrain, nTest int, seed uint64) (train, test *mnist.Set) {
	r := rand.New(rand.NewPCG(seed, 7))
	mk := func(n int) *mnist.Set {
		s := &mnist.Set{N: n, Rows: 28, Cols: 28, Images: make([]byte, n*784), Labels: make([]byte, n)}
		for i := 0; i < n; i++ {
			k := r.IntN(10)
			s.Labels[i] = byte(k)
			img := s.Images[i*784 : (i+1)*784]
			for p := range img {
				img[p] = byte(r.IntN(60))
			}
			row := 3 + 2*k
			for y := row; y < row+3; y++ {
				for x := 4 + k; x < 24; x++ {
					img[y*28+x] = byte(200 + r.IntN(56))
				}
			}
		}
		return s
	}
	return mk(nTrain), mk(nTest)
}
