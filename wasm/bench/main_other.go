//go:build !js

package main

import (
	"fmt"
	"os"
)

// The benchmark runs in a browser's Web Worker (GOOS=js); natively only its tests run.
func main() {
	fmt.Fprintln(os.Stderr, "bench: build with GOOS=js GOARCH=wasm; it runs in static/bench.html's Web Worker")
	os.Exit(2)
}
