package nncore

// ReLU: y = max(x, 0), elementwise over any shape of len(x) elements.
//
// Backward adds dy where y > 0 (PyTorch's threshold_backward on the output) into dx.

// ReLUForward writes y = max(x, 0).
func ReLUForward(y, x []float32) { reluForward(y, x) }

// ReLUBackward adds dy·[y > 0] into dx.
func ReLUBackward(dx, dy, y []float32) { reluBackward(dx, dy, y, true) }

func reluForward[T Float](y, x []T) {
	need("relu y", len(x), y)
	y = y[:len(x)]
	for i, v := range x {
		if v > 0 {
			y[i] = v
		} else {
			y[i] = 0
		}
	}
}

// reluBackward adds into dx, or overwrites it when acc is false (the engine's backward pass, which
// then needs no zeroing).
func reluBackward[T Float](dx, dy, y []T, acc bool) {
	need("relu", len(y), dx, dy)
	dx, dy = dx[:len(y)], dy[:len(y)]
	if !acc {
		for i, v := range y {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = 0
			}
		}
		return
	}
	for i, v := range y {
		if v > 0 {
			dx[i] += dy[i]
		}
	}
}
