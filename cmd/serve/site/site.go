// Package site serves the built static site (dist/) over HTTP and copies the MNIST files into it.
// cmd/serve wraps it in a command; the browser tests (e2e/) mount the same handler in-process.
package site

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lenetlab/lenetlab/mnist"
)

// contentTypes fixes the types the site needs, whatever the host's mime tables say.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".wasm": "application/wasm",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".gz":   "application/gzip", // the MNIST files, served as they are (the worker gunzips them)
}

// compressible lists the extensions sent gzip-compressed to clients that accept it.
var compressible = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true, ".wasm": true, ".svg": true, ".txt": true}

// ContentType returns the Content-Type the handler sends for a file name.
func ContentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Handler serves the files under dir. "/" and folders serve their index.html. Every response says
// Cache-Control: no-cache (the browser revalidates with the ETag, so a rebuild is seen at once);
// html, js, css, json and wasm are gzip-compressed when the client accepts gzip (compressed once per
// file version and kept in memory). Missing files are 404s; only GET and HEAD are allowed.
func Handler(dir string) http.Handler {
	return &handler{root: dir, gz: map[string]gzEntry{}}
}

type handler struct {
	root string
	mu   sync.Mutex
	gz   map[string]gzEntry // path → compressed body of one file version
}

type gzEntry struct {
	size    int64
	modTime time.Time
	body    []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	full := filepath.Join(h.root, filepath.FromSlash(name))
	fi, err := os.Stat(full)
	if err == nil && fi.IsDir() {
		full = filepath.Join(full, "index.html")
		name = path.Join(name, "index.html")
		fi, err = os.Stat(full)
	}
	if err != nil || !fi.Mode().IsRegular() {
		http.Error(w, "404 not found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", ContentType(name))
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Content-Type-Options", "nosniff")
	etag := fmt.Sprintf(`"%x-%x`, fi.Size(), fi.ModTime().UnixNano())
	ext := strings.ToLower(path.Ext(name))
	if compressible[ext] {
		hdr.Add("Vary", "Accept-Encoding")
	}
	if compressible[ext] && acceptsGzip(r) {
		body, err := h.compressed(full, fi)
		if err != nil {
			http.Error(w, "reading "+name+": "+err.Error(), http.StatusInternalServerError)
			return
		}
		hdr.Set("ETag", etag+`-gz"`)
		if match := r.Header.Get("If-None-Match"); match != "" && match == hdr.Get("ETag") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		hdr.Set("Content-Encoding", "gzip")
		hdr.Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
		return
	}
	f, err := os.Open(full)
	if err != nil {
		http.Error(w, "404 not found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	defer f.Close()
	hdr.Set("ETag", etag+`"`)
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func (h *handler) compressed(full string, fi fs.FileInfo) ([]byte, error) {
	h.mu.Lock()
	e, ok := h.gz[full]
	h.mu.Unlock()
	if ok && e.size == fi.Size() && e.modTime.Equal(fi.ModTime()) {
		return e.body, nil
	}
	raw, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	body, err := Gzip(raw)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.gz[full] = gzEntry{size: fi.Size(), modTime: fi.ModTime(), body: body}
	h.mu.Unlock()
	return body, nil
}

// Gzip compresses b at the best compression level (what the server sends, and what build.sh reports).
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MNISTFiles are the four files the site serves under data/.
var MNISTFiles = []string{mnist.TrainImages, mnist.TrainLabels, mnist.TestImages, mnist.TestLabels}

// CopyMNIST copies the four canonical MNIST files from srcDir (mnist.DefaultDir() when "") into
// dstDir, verifying each one's sha256 first. It returns the bytes written.
func CopyMNIST(srcDir, dstDir string) (int64, error) {
	if srcDir == "" {
		d, err := mnist.DefaultDir()
		if err != nil {
			return 0, err
		}
		srcDir = d
	}
	if err := os.MkdirAll(dstDir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	for _, name := range MNISTFiles {
		b, err := os.ReadFile(filepath.Join(srcDir, name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return total, fmt.Errorf("copying MNIST: %w (set %s to a folder holding the four .gz files)", err, mnist.DirEnv)
			}
			return total, err
		}
		if err := mnist.Verify(name, b); err != nil {
			return total, err
		}
		if err := os.WriteFile(filepath.Join(dstDir, name), b, 0o644); err != nil {
			return total, err
		}
		total += int64(len(b))
	}
	return total, nil
}
