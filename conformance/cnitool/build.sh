#!/usr/bin/env bash
# Build conformance/cnitool/cnitool from main.go, fully offline.
#
# Uses Debian's Go toolchain (golang-go) and libcni 1.1.2 source
# (golang-github-appc-cni-dev, /usr/share/gocode) in GOPATH mode: no module
# download, no network. Everything the build writes (GOPATH tree, GOCACHE)
# lives under the gitignored conformance/.work/.
#
# Exit codes: 0 built or already up to date; 77 skipped (go or libcni source
# missing; message on stderr); anything else: build failure.
#
# Environment: CNITOOL_FORCE=1 rebuilds even if the binary is up to date;
# CNI_GOCODE overrides /usr/share/gocode.
set -euo pipefail

self=${BASH_SOURCE[0]}
case $self in */*) ;; *) self=./$self ;; esac
here=$(cd "${self%/*}" && pwd)
conformance=${here%/*}
work="$conformance/.work"
gocode=${CNI_GOCODE:-/usr/share/gocode}
src="$here/main.go"
out="$here/cnitool"

if ! command -v go >/dev/null 2>&1; then
  echo "cnitool build skipped: go not installed (apt-get install golang-go)" >&2
  exit 77
fi
if [ ! -f "$gocode/src/github.com/containernetworking/cni/libcni/api.go" ]; then
  echo "cnitool build skipped: libcni source not found under $gocode (apt-get install golang-github-appc-cni-dev)" >&2
  exit 77
fi

if [ -z "${CNITOOL_FORCE:-}" ] && [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$self" ]; then
  echo "cnitool is up to date: $out" >&2
  exit 0
fi

gopath="$work/cnitool-gopath"
pkgdir="$gopath/src/podlink.local/cnitool"
mkdir -p "$pkgdir" "$work/go-cache"
cp "$src" "$pkgdir/main.go"

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
# HOME may be unset in CI: GOCACHE is explicit and GOENV=off avoids the
# per-user go.env lookup. CGO_ENABLED=0 gives a static binary without gcc.
(
  cd "$pkgdir"
  env GO111MODULE=off GOPROXY=off GOFLAGS= GOENV=off CGO_ENABLED=0 \
    GOPATH="$gopath:$gocode" GOCACHE="$work/go-cache" \
    go build -trimpath -o "$tmp" .
)
# Rename into place: never leave a half-written binary that a running test
# could exec ("text file busy" / truncated ELF).
mv -f "$tmp" "$out"
trap - EXIT
echo "built $out ($(go version | awk '{print $3}'), libcni from $gocode)" >&2
