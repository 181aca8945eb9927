#!/usr/bin/env bash
# Installs what the demo, the tests and the benchmarks need on a fresh Debian 12 machine (as root),
# then builds dist/podlink. Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  iproute2 iputils-ping iptables kmod util-linux      # netns, ping, DNAT tests, nsenter
  containernetworking-plugins                         # host-local IPAM, ptp/portmap/bandwidth/tuning/loopback
  clang llvm libbpf-dev bpftool                       # BPF objects (recompile check) and observation
  strace                                              # observation: what a CNI call opens
  golang-go golang-github-appc-cni-dev                # cnitool, built offline from Debian's libcni
  qemu-system-x86 zstd busybox-static lz4             # kvm-run VM tiers (netkit 6.12, no-tcx 6.1)
  hyperfine                                           # benchmarks
  python3 make g++                                    # node-gyp
  ca-certificates skopeo containerd runc              # the OCI image: its CA bundle, inspect, import and run it
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user  # arm64: cross-compiled addon (its libc headers are only
                                                      # a Recommends, which --no-install-recommends skips), qemu-aarch64
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

# `npm ci`: exactly the lock, as in CI; only when node_modules is missing or older than the lock or package.json.
# The lock lists cbor-x's optional per-platform accelerators (@cbor-extract/*) that npm ci requires; podlink
# never loads them. nodedir=/usr: node-gyp uses the installed headers instead of downloading them.
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package-lock.json -nt $stamp || package.json -nt $stamp ]]; then
  echo "setup: npm ci (from package-lock.json)" >&2
  npm_config_nodedir=/usr npm ci --no-audit --no-fund --loglevel=error
fi

node build.mjs --with-test-build
node build.mjs --arch arm64
