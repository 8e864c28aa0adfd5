package lab

//go:generate go tool vugugen -skip-go-mod -skip-main
//go:generate gofmt -w lab_gen.go
