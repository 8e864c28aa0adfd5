// Package vizui holds LeNet Lab's visualization components (vugu): violin plots of learned BN
// parameters (Violins), per-channel BN statistics (BNStats) and the Concepts page with its live
// demos (Concepts, fed through a *Demo). The drawing and statistics live in package viz; the files
// here without a .vugu sibling are plain Go and natively tested.
package vizui

//go:generate go tool vugugen -skip-go-mod -skip-main
//go:generate gofmt -w violins_gen.go BNStats_gen.go concepts_gen.go
