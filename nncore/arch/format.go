package arch

import (
	"strconv"
	"strings"
)

// Comma writes n with thousands separators: 34944 → "34,944", -1234 → "−1,234".
func Comma(n int64) string {
	neg := n < 0
	var u uint64
	if neg {
		u = uint64(-(n + 1)) + 1 // also right for math.MinInt64
	} else {
		u = uint64(n)
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	lead := len(s) % 3
	if lead == 0 {
		lead = 3
	}
	b.WriteString(s[:lead])
	for i := lead; i < len(s); i += 3 {
		b.WriteByte(',')
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// c is Comma for an int.
func c(n int) string { return Comma(int64(n)) }

// Half writes a multiple of ½ (a receptive-field start) exactly: 5.5 → "5.5", 2 → "2",
// with thousands separators on the whole part.
func Half(x float64) string {
	neg := x < 0
	if neg {
		x = -x
	}
	whole := int64(x)
	s := Comma(whole)
	if x-float64(whole) >= 0.25 {
		s += ".5"
	}
	if neg && s != "0" {
		s = "−" + s
	}
	return s
}

// Bytes writes a byte count with thousands separators and, from 1 KiB up, the binary
// unit in brackets: "244,728,672 (233.4 MiB)".
func Bytes(n int64) string {
	s := Comma(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n)
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u < 0 {
		return s + " B"
	}
	return s + " B (" + strconv.FormatFloat(v, 'f', 1, 64) + " " + units[u] + ")"
}

// Ratio writes a/b with two decimals ("2.80"); b must be positive.
func Ratio(a, b int64) string {
	return strconv.FormatFloat(float64(a)/float64(b), 'f', 2, 64)
}

// sumWorking writes "a + b + c = total" with separators; one term is just "a".
func sumWorking(terms []int64, total int64) string {
	if len(terms) == 0 {
		return "0"
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = Comma(t)
	}
	if len(terms) == 1 {
		return parts[0]
	}
	return strings.Join(parts, " + ") + " = " + Comma(total)
}
