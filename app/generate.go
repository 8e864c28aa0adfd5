package app

//go:generate go tool vugugen -skip-go-mod -skip-main
//go:generate gofmt -w root_gen.go
