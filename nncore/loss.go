package nncore

import "math"

// SoftmaxCrossEntropy: mean softmax cross-entropy over a batch (PyTorch's F.cross_entropy).
//
//	logits, dlogits  [n, classes]
//	labels           [n], each in 0..classes-1
//
// Per sample, loss_i = logsumexp(z_i) − z_i[label_i] (computed in float64). The batch loss is the
// mean; its gradient (softmax(z_i) − onehot(label_i))/n is added into dlogits (nil skips it).
// correct counts samples whose first maximal logit is the label.

// SoftmaxCrossEntropy returns the mean loss, the sum of per-sample losses and the number correct.
func SoftmaxCrossEntropy(dlogits, logits []float32, labels []int32, n, classes int) (mean, sum float64, correct int) {
	sum, correct = softmaxCrossEntropy(dlogits, logits, labels, n, classes)
	if n > 0 {
		mean = sum / float64(n)
	}
	return mean, sum, correct
}

// Softmax writes the row-wise softmax of logits [n, classes] into probs.
func Softmax(probs, logits []float32, n, classes int) {
	need("softmax", n*classes, probs, logits)
	for i := 0; i < n; i++ {
		z := logits[i*classes : (i+1)*classes]
		m := z[0]
		for _, v := range z {
			m = max(m, v)
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v - m))
		}
		for j, v := range z {
			probs[i*classes+j] = float32(math.Exp(float64(v-m)) / s)
		}
	}
}

func softmaxCrossEntropy[T Float](dlogits, logits []T, labels []int32, n, classes int) (sum float64, correct int) {
	if n < 0 || classes < 1 || len(labels) < n {
		panic("nncore: softmax cross-entropy: bad shape")
	}
	need("softmax cross-entropy logits", n*classes, logits)
	if dlogits != nil {
		need("softmax cross-entropy dlogits", n*classes, dlogits)
	}
	inv := 1 / float64(n)
	for i := 0; i < n; i++ {
		z := logits[i*classes : (i+1)*classes]
		y := int(labels[i])
		if y < 0 || y >= classes {
			panic("nncore: softmax cross-entropy: label out of range")
		}
		m, arg := z[0], 0
		for j, v := range z {
			if v > m {
				m, arg = v, j
			}
		}
		if arg == y {
			correct++
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v) - float64(m))
		}
		ls := math.Log(s)
		sum += ls - (float64(z[y]) - float64(m))
		if dlogits == nil {
			continue
		}
		d := dlogits[i*classes : (i+1)*classes]
		for j, v := range z {
			g := math.Exp(float64(v)-float64(m)-ls) * inv
			if j == y {
				g -= inv
			}
			d[j] += T(g)
		}
	}
	return sum, correct
}
