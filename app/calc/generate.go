package calc

//go:generate go tool vugugen -skip-go-mod -skip-main
//go:generate gofmt -w calculators_gen.go
