package nncore

// ReLU: y = max(x, 0), elementwise over any shape of len(x) elements.
//
// Backward adds dy where y > 0 (PyTorch's threshold_backward on the output) into dx.

// ReLUForward writes y = max(x, 0).
func ReLUForward(y, x []float32) { reluForward(y, x) }

// ReLUBackward adds dy·[y > 0] into dx.
func ReLUBackward(dx, dy, y []float32) { reluBackward(dx, dy, y) }

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

func reluBackward[T Float](dx, dy, y []T) {
	need("relu", len(y), dx, dy)
	dx, dy = dx[:len(y)], dy[:len(y)]
	for i, v := range y {
		if v > 0 {
			dx[i] += dy[i]
		}
	}
}
