package lab

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Thousands formats n with comma thousands separators: 60000 → "60,000".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// Fixed formats f with the given number of decimals and thousands separators in the integer part;
// NaN and infinities print as "NaN", "∞" and "-∞".
func Fixed(f float64, decimals int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "∞"
	case math.IsInf(f, -1):
		return "-∞"
	}
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err == nil {
		intPart = Thousands(n)
	}
	if hasFrac {
		intPart += "." + frac
	}
	if neg {
		return "-" + intPart
	}
	return intPart
}

// Percent formats a fraction as a percentage with two decimals: 0.98765 → "98.77%".
func Percent(frac float64) string {
	return Fixed(frac*100, 2) + "%"
}

// Plain formats f as a plain decimal for data attributes (no separators, no exponent).
func Plain(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// Duration formats seconds for people: "42.1 s", "3 min 05 s", "1 h 02 min".
func Duration(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) || sec < 0 {
		return "–"
	}
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", sec)
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%s h %02d min", Thousands(int64(d/time.Hour)), int(d%time.Hour/time.Minute))
}

// Bytes formats a byte count as MB with one decimal and separators: 11594722 → "11.6 MB".
func Bytes(n int64) string {
	return Fixed(float64(n)/1e6, 1) + " MB"
}

func nan() float64 { return math.NaN() }
