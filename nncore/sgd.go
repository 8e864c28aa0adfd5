package nncore

// SGD: PyTorch's torch.optim.SGD (dampening 0, no Nesterov).
//
//	w, g, v   same length; v is the momentum buffer (ignored when momentum is 0)
//
//	g' = g + wd·w;  momentum > 0: v = m·v + g', w −= lr·v;  else w −= lr·g'
//
// A zero-initialized v gives PyTorch's first step (v = g').

// SGDStep updates w in place.
func SGDStep(w, g, v []float32, lr, momentum, wd float32) { sgdStep(w, g, v, lr, momentum, wd) }

func sgdStep[T Float](w, g, v []T, lr, momentum, wd float32) {
	need("sgd g", len(w), g)
	g = g[:len(w)]
	l, m, d := T(lr), T(momentum), T(wd)
	if momentum == 0 {
		for i, gv := range g {
			if wd != 0 {
				gv += d * w[i]
			}
			w[i] -= l * gv
		}
		return
	}
	need("sgd v", len(w), v)
	v = v[:len(w)]
	for i, gv := range g {
		if wd != 0 {
			gv += d * w[i]
		}
		v[i] = m*v[i] + gv
		w[i] -= l * v[i]
	}
}
