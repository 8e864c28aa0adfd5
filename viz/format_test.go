package viz

import "testing"

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{FormatInt(0), "0"},
		{FormatInt(999), "999"},
		{FormatInt(1000), "1,000"},
		{FormatInt(60000), "60,000"},
		{FormatInt(-1234567), "−1,234,567"},
		{FormatFloat(12345.678, 2), "12,345.68"},
		{FormatFloat(-0.5, 1), "−0.5"},
		{FormatFloat(-0.0001, 2), "0.00"},
		{FormatFloat(1e6, 0), "1,000,000"},
		{FormatSig(0.0012345, 3), "0.00123"},
		{FormatSig(98.76, 3), "98.8"},
		{FormatSig(-12345.6, 3), "−12,346"},
		{FormatSig(0, 3), "0"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
