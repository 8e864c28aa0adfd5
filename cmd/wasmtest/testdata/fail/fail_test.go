//go:build js

package fail

import "testing"

func TestFail(t *testing.T) { t.Fatal("this test fails on purpose") }
