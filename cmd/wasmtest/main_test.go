package main

import (
	"os/exec"
	"testing"
	"time"
)

// TestRun runs fixture packages in Chromium: a passing one (page and worker), a failing one and one
// that hangs; the exit codes must say so.
func TestRun(t *testing.T) {
	if _, err := findBrowser(); err != nil {
		t.Skip(err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	old := *flagTimeout
	defer func() { *flagTimeout = old }()
	*flagTimeout = 40 * time.Second
	if code := run([]string{"./testdata/pass"}, []string{"-test.v"}); code != 0 {
		t.Errorf("passing package: exit %d, want 0", code)
	}
	*flagMode = "page"
	defer func() { *flagMode = "both" }()
	if code := run([]string{"./testdata/fail"}, nil); code != 1 {
		t.Errorf("failing package: exit %d, want 1", code)
	}
	*flagTimeout = 8 * time.Second
	if code := run([]string{"./testdata/hang"}, nil); code != 1 {
		t.Errorf("hanging package: exit %d, want 1", code)
	}
}
