#!/usr/bin/env bash
# LeNet Lab build script.
#   ./build.sh            build the static site into dist/
#   ./build.sh serve      build, then serve dist/ on http://127.0.0.1:8080 (-addr HOST:PORT to change)
#   ./build.sh test       run every test (Go tests, fuzz smoke, browser tests)
set -euo pipefail
cd "$(dirname "$0")"

cmd="${1:-build}"
[ $# -gt 0 ] && shift

DIST="$PWD/dist"
WASMFLAGS=(-trimpath -ldflags="-s -w")

# wasm_exec.js moved from misc/wasm to lib/wasm in Go 1.24.
wasm_exec() {
  local root
  root="$(go env GOROOT)"
  for f in "$root/lib/wasm/wasm_exec.js" "$root/misc/wasm/wasm_exec.js"; do
    [ -f "$f" ] && { echo "$f"; return; }
  done
  echo "build.sh: wasm_exec.js not found under $root" >&2
  return 1
}

site() {
  echo "== vugu: go generate ./app/..."
  go generate ./app/...
  rm -rf "$DIST"
  mkdir -p "$DIST/data"
  echo "== static files -> dist/"
  cp -R static/. "$DIST/"
  cp "$(wasm_exec)" "$DIST/wasm_exec.js"
  local wasms=(ui trainer)
  [ -d wasm/viz ] && ls wasm/viz/*.go >/dev/null 2>&1 && wasms+=(viz)
  [ -d wasm/bench ] && wasms+=(bench) # the benchmark page (bench.html)
  for w in "${wasms[@]}"; do
    echo "== GOOS=js GOARCH=wasm go build ./wasm/$w -> dist/$w.wasm"
    GOOS=js GOARCH=wasm go build "${WASMFLAGS[@]}" -o "$DIST/$w.wasm" "./wasm/$w"
  done
  echo "== MNIST -> dist/data/"
  go run ./cmd/serve -copy-mnist "$DIST/data"
  echo "== sizes"
  local files=()
  for w in "${wasms[@]}"; do files+=("dist/$w.wasm"); done
  go run ./cmd/serve -gzip-size "${files[@]}"
  echo "site written to $DIST (serve it with: ./build.sh serve)"
}

fuzz_smoke() {
  # Every Fuzz target of every package, 5 s each.
  go test -list '^Fuzz' ./... | awk '
    /^Fuzz/ { fz[n++] = $1; next }
    /^ok/   { for (i = 0; i < n; i++) print $2, fz[i]; n = 0 }
  ' | while read -r pkg target; do
    echo "-- fuzz $pkg $target"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime=5s "$pkg"
  done
}

case "$cmd" in
  build) site ;;
  serve) site; go run ./cmd/serve -dir dist "$@" ;;
  test)
    echo "== go vet"; go vet ./...
    echo "== go vet (js/wasm)"; GOOS=js GOARCH=wasm go vet ./wasm/... ./app/... ./protocol/... ./gpu/...
    echo "== go test"; go test -count=1 ./...
    echo "== fuzz smoke"; fuzz_smoke
    echo "== build the site"; site
    echo "== browser tests"
    LENETLAB_E2E=1 LENETLAB_DIST="$DIST" go test -count=1 -timeout 20m ./e2e/... ./wasm/viz/browsertest/...
    if [ -d cmd/wasmtest ]; then
      echo "== WebGPU browser tests"; go run ./cmd/wasmtest ./gpu/...
    fi
    ;;
  *) echo "usage: $0 [build|serve|test]" >&2; exit 2 ;;
esac
