//go:build !js

package main

import (
	"fmt"
	"os"
)

// The trainer runs in a browser's Web Worker (GOOS=js); natively only its tests run.
func main() {
	fmt.Fprintln(os.Stderr, "trainer: build with GOOS=js GOARCH=wasm; it runs in the page's Web Worker (static/worker.js)")
	os.Exit(2)
}
