#!/usr/bin/env bash
# LeNet Lab build script.
#   ./build.sh            build the static site into dist/
#   ./build.sh serve      build, then serve dist/ on http://127.0.0.1:8080 (-addr HOST:PORT to change)
#   ./build.sh test       run every test (Go tests, fuzz smoke, browser tests)
set -euo pipefail
cd "$(dirname "$0")"

cmd="${1:-build}"
[ $# -gt 0 ] && shift

site() {
  echo "build.sh: the site is not built yet (see issue 'The site')" >&2
  return 1
}

case "$cmd" in
  build) site ;;
  serve) site; go run ./cmd/serve -dir dist "$@" ;;
  test)
    echo "== go vet"; go vet ./...
    echo "== go test"; go test -count=1 ./...
    ;;
  *) echo "usage: $0 [build|serve|test]" >&2; exit 2 ;;
esac
