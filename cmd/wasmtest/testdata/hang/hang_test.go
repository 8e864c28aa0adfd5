//go:build js

package hang

import "testing"

func TestHang(t *testing.T) { select {} }
