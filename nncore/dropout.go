package nncore

import "math"

// Dropout: inverted dropout with the contract's counter-based hash, so every engine draws the same
// mask (docs/CONTRACT.md, "Dropout masks").
//
//	x, y   any shape, len(x) elements; element i has the global index elem = offset + i
//	       (the flat NCHW index in the whole batch; data-parallel workers pass their batch offset)
//
// keep = DropoutBits(seed, step, layer, elem) >= DropoutThreshold(p); y = keep ? x·scale : 0.
// Backward adds dy·scale into dx where kept, recomputing the mask from the hash.

// mix32 is the contract's 32-bit finalizer (lowbias32).
func mix32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}

// dropoutKey is the part of the hash that does not depend on the element.
func dropoutKey(seed uint64, step, layer uint32) uint32 {
	seed32 := uint32(seed) ^ uint32(seed>>32)
	return mix32(mix32(mix32(seed32^0x9e3779b9)^step) ^ (layer * 0x85ebca6b))
}

// DropoutBits returns the contract's hash of (seed, step, layer, elem).
func DropoutBits(seed uint64, step, layer, elem uint32) uint32 {
	return mix32(dropoutKey(seed, step, layer) ^ elem)
}

// DropoutThreshold returns min(floor(p·2³²), 2³²−1), computed in float64; an element is kept when
// its bits are at least the threshold.
func DropoutThreshold(p float32) uint32 {
	t := math.Floor(float64(p) * (1 << 32))
	if t < 0 {
		return 0
	}
	if t > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(t)
}

// DropoutScale returns float32(1/(1−p)), the factor applied to kept elements.
func DropoutScale(p float32) float32 {
	if !(p >= 0 && p < 1) {
		panic("nncore: dropout: p must be in [0, 1)")
	}
	return float32(1 / (1 - float64(p)))
}

// DropoutKeep reports whether element elem is kept.
func DropoutKeep(seed uint64, step, layer, elem uint32, p float32) bool {
	return DropoutBits(seed, step, layer, elem) >= DropoutThreshold(p)
}

// DropoutForward writes y = mask·x·scale.
func DropoutForward(y, x []float32, seed uint64, step, layer uint32, p float32, offset uint32) {
	dropoutForward(y, x, seed, step, layer, p, offset)
}

// DropoutBackward adds mask·dy·scale into dx.
func DropoutBackward(dx, dy []float32, seed uint64, step, layer uint32, p float32, offset uint32) {
	dropoutBackward(dx, dy, seed, step, layer, p, offset, true)
}

func dropoutForward[T Float](y, x []T, seed uint64, step, layer uint32, p float32, offset uint32) {
	need("dropout y", len(x), y)
	key, thr, scale := dropoutKey(seed, step, layer), DropoutThreshold(p), T(DropoutScale(p))
	y = y[:len(x)]
	for i, v := range x {
		if mix32(key^(offset+uint32(i))) >= thr {
			y[i] = v * scale
		} else {
			y[i] = 0
		}
	}
}

// dropoutBackward adds into dx, or overwrites it when acc is false.
func dropoutBackward[T Float](dx, dy []T, seed uint64, step, layer uint32, p float32, offset uint32, acc bool) {
	need("dropout dx", len(dy), dx)
	key, thr, scale := dropoutKey(seed, step, layer), DropoutThreshold(p), T(DropoutScale(p))
	dx = dx[:len(dy)]
	if !acc {
		for i, v := range dy {
			if mix32(key^(offset+uint32(i))) >= thr {
				dx[i] = v * scale
			} else {
				dx[i] = 0
			}
		}
		return
	}
	for i, v := range dy {
		if mix32(key^(offset+uint32(i))) >= thr {
			dx[i] += v * scale
		}
	}
}

// dropoutMask writes keep[i] = 1 for the kept elements offset..offset+len(keep)-1.
func dropoutMask(keep []byte, seed uint64, step, layer uint32, p float32, offset uint32) {
	key, thr := dropoutKey(seed, step, layer), DropoutThreshold(p)
	for i := range keep {
		keep[i] = 0
		if mix32(key^(offset+uint32(i))) >= thr {
			keep[i] = 1
		}
	}
}
