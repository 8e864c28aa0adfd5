package arch

import "fmt"

// RFRow is one layer of a receptive-field stack: square kernel K, stride S, dilation D.
// Padding moves where the field starts, not its size; P is optional.
type RFRow struct {
	K, S, D, P int
}

// RFStep is the state after one row, with its working.
type RFStep struct {
	RF, Jump                          int64
	Start                             float64
	RFWorking, JumpWorking, StartWork string
}

// RFStack applies, row by row,
//
//	r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1},   j_l = j_{l−1}·s_l,
//	start_l = start_{l−1} + ((k_l − 1)·d_l/2 − p_l)·j_{l−1},
//
// from r_0 = 1, j_0 = 1, start_0 = 0.5 (pixel centres). A zero S or D means 1. A kernel
// below 1, a negative field or an overflow is an error naming the row (1-based).
func RFStack(rows []RFRow) ([]RFStep, error) {
	a := &analyzer{tot: &Totals{}}
	st := state{rf: 1, jump: 1, start: 0.5}
	out := make([]RFStep, 0, len(rows))
	for i, r := range rows {
		loc := fmt.Sprintf("row %d", i+1)
		if r.K < 1 {
			return nil, errf(loc, "kernel must be at least 1, got %s", c(r.K))
		}
		for _, f := range []struct {
			n string
			v int
		}{{"kernel", r.K}, {"stride", r.S}, {"dilation", r.D}, {"padding", r.P}} {
			if f.v < 0 {
				return nil, errf(loc, "%s must not be negative, got %s", f.n, c(f.v))
			}
			if f.v > MaxField {
				return nil, errf(loc, "%s %s is absurdly large (limit %s)", f.n, c(f.v), c(MaxField))
			}
		}
		var row LayerResult
		st = a.rfStep(&row, st, r.K, def(r.S, 1), r.P, def(r.D, 1))
		if a.o.bad {
			return nil, errf(loc, "the receptive field overflows int64")
		}
		out = append(out, RFStep{RF: st.rf, Jump: st.jump, Start: st.start,
			RFWorking: row.Working.RF, JumpWorking: row.Working.Jump, StartWork: row.Working.Start})
	}
	return out, nil
}

// StackedRF is the receptive field of n stride-1, undilated f×f convolutions, n·f − n + 1,
// with the derivation in words. It is an error if n < 1 or f < 1, or the result overflows.
func StackedRF(n, f int) (int64, string, error) {
	if n < 1 || f < 1 {
		return 0, "", errf("stack", "need at least one layer and a kernel of at least 1, got N = %s, F = %s", c(n), c(f))
	}
	var o ovf
	rf := o.add(o.mul(int64(n), int64(f)), 1)
	if o.bad || rf-int64(n) < 1 {
		return 0, "", errf("stack", "N = %s, F = %s overflows int64", c(n), c(f))
	}
	rf -= int64(n)
	text := fmt.Sprintf("With stride 1 the jump stays j = 1, so each layer adds (F − 1)·j = %s − 1 = %s pixels to the field "+
		"(a kernel of F reaches (F − 1)/2 further on each side). Starting from r₀ = 1: "+
		"r = 1 + N·(F − 1) = NF − N + 1 = %s·%s − %s + 1 = %s. "+
		"In general r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1} and j_l = j_{l−1}·s_l.",
		c(f), c(f-1), c(n), c(f), c(n), Comma(rf))
	return rf, text, nil
}
