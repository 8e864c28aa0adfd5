package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testSite(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"index.html":     "<!doctype html><title>x</title>" + strings.Repeat("<p>hello</p>", 100),
		"ui.wasm":        "\x00asm\x01\x00\x00\x00" + strings.Repeat("\x00", 5000),
		"worker.js":      strings.Repeat("postMessage(1);\n", 100),
		"style.css":      "body{}",
		"data/x.gz":      "\x1f\x8b not really",
		"sub/index.html": "<p>sub</p>",
		"manifest.json":  `{"a":1}`,
		"wasm_exec.js":   "// go",
		"unknown.zzzqqq": "?",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, h http.Handler, method, path string, hdr map[string]string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func TestContentTypes(t *testing.T) {
	h := Handler(testSite(t))
	cases := map[string]string{
		"/":               "text/html; charset=utf-8",
		"/index.html":     "text/html; charset=utf-8",
		"/ui.wasm":        "application/wasm",
		"/worker.js":      "text/javascript; charset=utf-8",
		"/style.css":      "text/css; charset=utf-8",
		"/data/x.gz":      "application/gzip",
		"/manifest.json":  "application/json",
		"/sub/":           "text/html; charset=utf-8",
		"/unknown.zzzqqq": "application/octet-stream",
	}
	for path, want := range cases {
		res := get(t, h, "GET", path, nil)
		if res.StatusCode != 200 {
			t.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", path, got, want)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", path, got)
		}
	}
}

func TestGzipNegotiated(t *testing.T) {
	dir := testSite(t)
	h := Handler(dir)
	raw, _ := os.ReadFile(filepath.Join(dir, "ui.wasm"))
	for _, c := range []struct {
		accept string
		gz     bool
	}{{"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.5", true}, {"", false}, {"deflate", false}, {"gzip;q=0", false}} {
		res := get(t, h, "GET", "/ui.wasm", map[string]string{"Accept-Encoding": c.accept})
		body, _ := io.ReadAll(res.Body)
		if got := res.Header.Get("Content-Encoding") == "gzip"; got != c.gz {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", c.accept, got, c.gz)
			continue
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: no Vary: Accept-Encoding", c.accept)
		}
		if c.gz {
			if len(body) >= len(raw) {
				t.Errorf("gzip body %d bytes, raw %d: not compressed", len(body), len(raw))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, err = io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(body, raw) {
			t.Errorf("Accept-Encoding %q: body differs from the file", c.accept)
		}
	}
	// The MNIST files are already gzip data: served as they are, never wrapped again.
	res := get(t, h, "GET", "/data/x.gz", map[string]string{"Accept-Encoding": "gzip"})
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("data/x.gz sent with Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	// A repeated request with the ETag gets 304.
	res = get(t, h, "GET", "/worker.js", map[string]string{"Accept-Encoding": "gzip"})
	etag := res.Header.Get("ETag")
	res = get(t, h, "GET", "/worker.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if etag == "" || res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with ETag %q: status %d, want 304", etag, res.StatusCode)
	}
}

func TestNotFound(t *testing.T) {
	h := Handler(testSite(t))
	for _, path := range []string{"/nope.wasm", "/data/", "/../../etc/passwd", "/sub/missing.js"} {
		if res := get(t, h, "GET", path, nil); res.StatusCode != 404 {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
	}
	if res := get(t, h, "POST", "/index.html", nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
	if res := get(t, h, "HEAD", "/ui.wasm", map[string]string{"Accept-Encoding": "gzip"}); res.StatusCode != 200 || res.ContentLength <= 0 {
		t.Errorf("HEAD: status %d length %d", res.StatusCode, res.ContentLength)
	}
}

func TestCopyMNISTVerifies(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range MNISTFiles {
		os.WriteFile(filepath.Join(src, name), []byte("not mnist"), 0o644)
	}
	_, err := CopyMNIST(src, dst)
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("CopyMNIST of corrupt files: error %v, want a sha256 mismatch", err)
	}
	if _, err := os.Stat(filepath.Join(dst, MNISTFiles[0])); err == nil {
		t.Error("a corrupt file was copied")
	}
}
