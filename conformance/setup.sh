#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need on a fresh Debian 12 machine (as root),
# then builds dist/podlink. Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  iproute2 iputils-ping iptables kmod util-linux      # netns, ping, DNAT tests, nsenter
  containernetworking-plugins                         # host-local IPAM, ptp/portmap/bandwidth/tuning/loopback
  clang llvm libbpf-dev bpftool                       # BPF objects (recompile check) and observation
  golang-go golang-github-appc-cni-dev                # cnitool, built offline from Debian's libcni
  qemu-system-x86 zstd busybox-static lz4             # kvm-run VM tiers (netkit 6.12, no-tcx 6.1)
  hyperfine                                           # benchmarks
  python3 make g++                                    # node-gyp
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then echo "setup: need root to install: ${missing[*]}" >&2; exit 1; fi
  echo "setup: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# `npm install` honours package-lock.json. (`npm ci` refuses this lock: npm 11 leaves cbor-x's optional
# per-platform accelerator packages out of it and then reports them missing; podlink never loads them.)
# nodedir=/usr: node-gyp uses the installed headers instead of downloading them.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm install (from package-lock.json)" >&2
  npm_config_nodedir=/usr npm install --no-audit --no-fund --loglevel=error
fi

node build.mjs --with-test-build
