// Command wasmtest runs a package's tests compiled for GOOS=js GOARCH=wasm in headless Chromium
// with WebGPU enabled, and exits with the tests' status.
//
//	go run ./cmd/wasmtest [flags] [packages] [-- test flags]
//	go run ./cmd/wasmtest ./gpu/...
//	go run ./cmd/wasmtest -mode worker -run TestDevice ./gpu
//
// For each package it builds the test binary with `go test -c`, serves it with the Go release's
// wasm_exec.js on 127.0.0.1, opens a page in Chromium through chromedp, and streams the test's
// output. By default (-mode both) each binary runs twice: on the page, and inside a dedicated Web
// Worker as the site's trainer does (the worker posts its output lines to the page; the test sees
// WASMTEST=page or worker). The working directory has no meaning in the browser: a test fetches
// its package's files from location.origin + "/pkg/" (the package directory is served there).
// Environment variables whose names start with LENETLAB_ or WASMTEST_ are passed to the test.
// Chromium runs headless with --enable-unsafe-webgpu --enable-unsafe-swiftshader (WebGPU on the
// CPU where there is no GPU); WASMTEST_FLAGS adds flags, WASMTEST_BROWSER picks the binary.
//
// A package fails when its test binary exits non-zero, throws, or does not finish within
// -timeout. wasmtest exits 1 when any package failed, 2 on a usage or setup error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

var (
	flagTimeout = flag.Duration("timeout", 6*time.Minute, "fail a package whose tests run longer than this")
	flagMode    = flag.String("mode", "both", "where the test binary runs: page, worker (a dedicated Web Worker, as the site's trainer), or both (twice)")
	flagRun     = flag.String("run", "", "passed to the test binary as -test.run")
	flagV       = flag.Bool("v", false, "passed to the test binary as -test.v")
	flagBrowser = flag.String("browser", "", "browser binary (default: $WASMTEST_BROWSER, chromium, chromium-browser, google-chrome)")
	flagKeep    = flag.Bool("keep", false, "keep the built test binaries (prints their folder)")
	flagServe   serveFlags
)

// serveFlags is the repeatable -serve /path/=DIR flag.
type serveFlags map[string]string

func (s *serveFlags) String() string { return fmt.Sprint(map[string]string(*s)) }

func (s *serveFlags) Set(v string) error {
	p, dir, ok := strings.Cut(v, "=")
	if !ok || !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || p == "/" {
		return fmt.Errorf("want /path/=DIR, got %q", v)
	}
	if *s == nil {
		*s = serveFlags{}
	}
	(*s)[p] = dir
	return nil
}

func init() {
	flag.Var(&flagServe, "serve", "also serve DIR at /path/ (repeatable), e.g. -serve /mnist/=$HOME/mnist")
}

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: wasmtest [flags] [packages] [-- test flags]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	args := flag.Args()
	var testArgs []string
	for i, a := range args {
		if a == "--" {
			testArgs = args[i+1:]
			args = args[:i]
			break
		}
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if *flagV {
		testArgs = append([]string{"-test.v"}, testArgs...)
	}
	if *flagRun != "" {
		testArgs = append([]string{"-test.run=" + *flagRun}, testArgs...)
	}
	os.Exit(run(args, testArgs))
}

type pkgInfo struct {
	ImportPath string
	Dir        string
	TestGoFiles,
	XTestGoFiles []string
}

func run(patterns, testArgs []string) int {
	browser, err := findBrowser()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtest:", err)
		return 2
	}
	pkgs, err := listPackages(patterns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtest:", err)
		return 2
	}
	execJS, err := wasmExecJS()
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtest:", err)
		return 2
	}
	tmp, err := os.MkdirTemp("", "wasmtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmtest:", err)
		return 2
	}
	if *flagKeep {
		fmt.Fprintln(os.Stderr, "wasmtest: binaries in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	var modes []bool
	switch *flagMode {
	case "page":
		modes = []bool{false}
	case "worker":
		modes = []bool{true}
	case "both":
		modes = []bool{false, true}
	default:
		fmt.Fprintf(os.Stderr, "wasmtest: -mode %q: use page, worker or both\n", *flagMode)
		return 2
	}
	failed := 0
	ran := 0
	for _, p := range pkgs {
		if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			fmt.Printf("?   \t%s\t[no test files]\n", p.ImportPath)
			continue
		}
		bin := filepath.Join(tmp, strings.ReplaceAll(p.ImportPath, "/", "_")+".test.wasm")
		cmd := exec.Command("go", "test", "-c", "-o", bin, p.ImportPath)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Printf("FAIL\t%s [build failed]\n", p.ImportPath)
			failed++
			continue
		}
		for _, worker := range modes {
			ran++
			where := "page"
			if worker {
				where = "worker"
			}
			start := time.Now()
			code, err := runInBrowser(browser, bin, execJS, p.Dir, worker, testArgs)
			el := time.Since(start).Seconds()
			switch {
			case err != nil:
				fmt.Printf("FAIL\t%s (%s) %.1fs: %v\n", p.ImportPath, where, el, err)
				failed++
			case code != 0:
				fmt.Printf("FAIL\t%s (%s) %.1fs: exit status %d\n", p.ImportPath, where, el, code)
				failed++
			default:
				fmt.Printf("ok  \t%s (%s, wasm) %.1fs\n", p.ImportPath, where, el)
			}
		}
	}
	if failed > 0 {
		fmt.Printf("wasmtest: %d of %d runs failed\n", failed, ran)
		return 1
	}
	return 0
}

func findBrowser() (string, error) {
	if *flagBrowser != "" {
		return *flagBrowser, nil
	}
	if b := os.Getenv("WASMTEST_BROWSER"); b != "" {
		return b, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: install chromium (Debian: apt-get install chromium) or set WASMTEST_BROWSER")
}

func listPackages(patterns []string) ([]pkgInfo, error) {
	cmd := exec.Command("go", append([]string{"list", "-json"}, patterns...)...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v", strings.Join(patterns, " "), err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkgInfo
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

func wasmExecJS() ([]byte, error) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(out))
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("wasm_exec.js not found under %s", root)
}

// runInBrowser serves one test binary and runs it. It returns the binary's exit code.
func runInBrowser(browser, bin string, execJS []byte, pkgDir string, worker bool, testArgs []string) (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	mux := http.NewServeMux()
	argv, _ := json.Marshal(append([]string{"test.wasm"}, testArgs...))
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LENETLAB_") || strings.HasPrefix(k, "WASMTEST_") {
			env[k] = v
		}
	}
	envJSON, _ := json.Marshal(env)
	page := strings.Replace(pageHTML, "ARGV", string(argv), 1)
	page = strings.Replace(page, "ENV", string(envJSON), 1)
	if worker {
		page = strings.Replace(page, "WORKER", "true", 1)
	} else {
		page = strings.Replace(page, "WORKER", "false", 1)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(page))
	})
	mux.HandleFunc("/wasm_exec.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(execJS)
	})
	mux.HandleFunc("/runner.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write([]byte(runnerJS))
	})
	mux.HandleFunc("/test.wasm", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, bin)
	})
	mux.Handle("/pkg/", http.StripPrefix("/pkg/", http.FileServer(http.Dir(pkgDir))))
	for p, dir := range flagServe {
		mux.Handle(p, http.StripPrefix(p, http.FileServer(http.Dir(dir))))
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-gpu-sandbox", true),
		chromedp.Flag("enable-unsafe-webgpu", true),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	if extra := os.Getenv("WASMTEST_FLAGS"); extra != "" {
		for _, f := range strings.Fields(extra) {
			k, v, ok := strings.Cut(strings.TrimLeft(f, "-"), "=")
			if ok {
				opts = append(opts, chromedp.Flag(k, v))
			} else {
				opts = append(opts, chromedp.Flag(k, true))
			}
		}
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()

	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	var once sync.Once
	finish := func(r result) { once.Do(func() { done <- r }) }
	listener := func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, argString(a))
			}
			line := strings.Join(parts, " ")
			if rest, ok := strings.CutPrefix(line, exitMarker); ok {
				var code int
				if _, err := fmt.Sscan(rest, &code); err != nil {
					finish(result{err: fmt.Errorf("bad exit line %q", line)})
				} else {
					finish(result{code: code})
				}
				return
			}
			if rest, ok := strings.CutPrefix(line, errorMarker); ok {
				finish(result{err: fmt.Errorf("runner: %s", rest)})
				return
			}
			fmt.Println(line)
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			finish(result{err: fmt.Errorf("uncaught exception: %s", msg)})
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listener))
	defer cancel()
	url := "http://" + ln.Addr().String() + "/"
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return 0, fmt.Errorf("starting %s: %v", browser, err)
	}
	select {
	case r := <-done:
		return r.code, r.err
	case <-time.After(*flagTimeout):
		return 0, fmt.Errorf("timed out after %v", *flagTimeout)
	}
}

func argString(a *runtime.RemoteObject) string {
	if a.Type == "string" {
		var s string
		if json.Unmarshal(a.Value, &s) == nil {
			return s
		}
	}
	if len(a.Value) > 0 {
		return string(a.Value)
	}
	if a.Description != "" {
		return a.Description
	}
	return string(a.Type)
}

const (
	exitMarker  = "\x00wasmtest-exit "
	errorMarker = "\x00wasmtest-error "
)
