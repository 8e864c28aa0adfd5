//go:build tools

// Package tools pins the modules the project uses before every package imports them,
// so parallel work never races on go.mod. Remove a line once a real import holds it.
package tools

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/hajimehoshi/ebiten/v2"
	_ "github.com/vugu/vjson"
	_ "github.com/vugu/vugu"
	_ "gonum.org/v1/gonum/blas/blas32"
	_ "gonum.org/v1/gonum/stat"
)
