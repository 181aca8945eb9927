#!/bin/sh
# fake-first: a minimal interface plugin for the chaining items (§7). Run first in a conflist, it
# creates "side0" (a veth pair whose both ends stay in CNI_NETNS: this kernel may lack the dummy
# driver) with 10.99.0.5/24 and a route 10.98.0.0/16 via 10.99.0.1, and reports them plus DNS in
# the config's cniVersion. The plugin after it must keep all of that in its own result.
# DEL removes side0 (idempotent); CHECK verifies it exists. Needs only sh, ip, nsenter and sed.
set -u
conf=$(cat)
# The first "cniVersion" in the text is the top-level one (libcni writes keys in sorted order and a
# first plugin has no prevResult).
ver=$(printf '%s' "$conf" | grep -o '"cniVersion"[[:space:]]*:[[:space:]]*"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$ver" ] || ver=0.1.0
err() { printf '{"cniVersion":"%s","code":%s,"msg":"fake-first: %s"}\n' "$ver" "$1" "$2"; exit 1; }
inns() { nsenter --net="$CNI_NETNS" "$@"; }

case "${CNI_COMMAND:-}" in
VERSION)
  printf '{"cniVersion":"%s","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n' "$ver"
  ;;
ADD)
  [ -n "${CNI_NETNS:-}" ] || err 4 "CNI_NETNS missing"
  inns ip link add side0 type veth peer name side0p >&2 || err 999 "create side0"
  inns ip link set side0p up >&2 && inns ip link set side0 up >&2 &&
    inns ip addr add 10.99.0.5/24 dev side0 >&2 &&
    inns ip route add 10.98.0.0/16 via 10.99.0.1 dev side0 >&2 || err 999 "configure side0"
  mac=$(inns ip -o link show side0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
  case $ver in
  0.3.*|0.4.*) v4='"version":"4",' ;;
  1.*) v4='' ;;
  *) err 1 "cniVersion $ver not supported" ;;
  esac
  printf '{"cniVersion":"%s","interfaces":[{"name":"side0","mac":"%s","sandbox":"%s"}],"ips":[{%s"address":"10.99.0.5/24","gateway":"10.99.0.1","interface":0}],"routes":[{"dst":"10.98.0.0/16","gw":"10.99.0.1"}],"dns":{"nameservers":["10.96.0.10"],"domain":"cluster.local","search":["svc.cluster.local"],"options":["ndots:5"]}}\n' \
    "$ver" "$mac" "$CNI_NETNS" "$v4"
  ;;
DEL)
  if [ -n "${CNI_NETNS:-}" ] && [ -e "$CNI_NETNS" ]; then inns ip link del side0 >/dev/null 2>&1; fi
  exit 0
  ;;
CHECK)
  inns ip link show side0 >/dev/null 2>&1 || err 999 "side0 is missing"
  ;;
*)
  err 4 "unknown CNI_COMMAND: ${CNI_COMMAND:-}"
  ;;
esac
