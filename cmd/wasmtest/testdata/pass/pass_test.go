//go:build js

package pass

import (
	"os"
	"syscall/js"
	"testing"
)

func TestPass(t *testing.T) {
	if js.Global().Get("navigator").IsUndefined() {
		t.Fatal("not in a browser")
	}
	if os.Getenv("WASMTEST") == "" {
		t.Fatal("WASMTEST not set")
	}
	t.Log("in", os.Getenv("WASMTEST"))
}
