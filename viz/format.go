package viz

import (
	"math"
	"strconv"
	"strings"
)

// FormatInt formats n with thousands separators: 60000 → "60,000".
func FormatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	s = groupThousands(s)
	if neg {
		return "−" + s
	}
	return s
}

// FormatFloat formats v with the given number of decimals and thousands separators in the integer
// part: 12345.678 with 2 → "12,345.68". Negative numbers use a minus sign (U+2212); NaN is "–".
func FormatFloat(v float64, decimals int) string {
	if math.IsNaN(v) {
		return "–"
	}
	if math.IsInf(v, 0) {
		if v > 0 {
			return "∞"
		}
		return "−∞"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	s = groupThousands(intPart)
	if frac != "" {
		s += "." + frac
	}
	if v < 0 && strings.Trim(s, "0.,") != "" {
		return "−" + s
	}
	return s
}

// FormatSig formats v with about sig significant digits (at least 0 and at most 6 decimals),
// suitable for parameters that range from 1e-4 to 1e3.
func FormatSig(v float64, sig int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return FormatFloat(v, 0)
	}
	d := sig - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	return FormatFloat(v, min(max(d, 0), 6))
}

func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
