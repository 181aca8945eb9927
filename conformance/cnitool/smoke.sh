#!/usr/bin/env bash
# Smoke test of our cnitool against Debian's reference ptp + host-local:
# add / check / del with a .conflist and a legacy .conf, in a throw-away
# netns, with NETCONFPATH, libcni's cache and host-local's dataDir all under
# conformance/.work/. Uses 10.231.7.0/24 only. Leaves nothing behind.
#
# Exit: 0 pass, 1 fail, 77 skip (not root, no go/libcni, no reference plugins).
set -uo pipefail

self=${BASH_SOURCE[0]}
case $self in */*) ;; *) self=./$self ;; esac
here=$(cd "${self%/*}" && pwd)
work="${here%/*}/.work"
refdir=${CNI_REF_DIR:-/usr/lib/cni}
ns=podlink-cnitool-smoke-$$
net_list=pl-cnitool-list
net_conf=pl-cnitool-conf

skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (ip netns add)"
[ -x "$refdir/ptp" ] && [ -x "$refdir/host-local" ] || skip "no reference plugins in $refdir (apt-get install containernetworking-plugins)"
bash "$here/build.sh" || { rc=$?; [ "$rc" = 77 ] && skip "cnitool not built"; exit "$rc"; }

mkdir -p "$work"
tmp=$(mktemp -d "$work/cnitool-smoke.XXXXXX")
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/net.d" "$tmp/ipam" "$tmp/cache"

# ptp installs each route via the gateway; naming the gw in the IPAM routes
# keeps ptp's CHECK from looking for a gateway-less route that was never made.
ipam() {
  printf '{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.231.7.0/24","gateway":"10.231.7.1"}]],"routes":[{"dst":"10.231.0.0/16","gw":"10.231.7.1"}]}' "$tmp/ipam"
}
printf '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"ptp","ipam":%s}]}\n' "$net_list" "$(ipam)" >"$tmp/net.d/10-list.conflist"
printf '{"cniVersion":"0.4.0","name":"%s","type":"ptp","ipam":%s}\n' "$net_conf" "$(ipam)" >"$tmp/net.d/20-single.conf"

export NETCONFPATH="$tmp/net.d" CNI_PATH="$refdir" CNI_CACHE_DIR="$tmp/cache"
unset CNI_CONTAINERID CNI_ARGS CAP_ARGS CNI_IFNAME
ip netns add "$ns" || exit 1
nspath=/run/netns/$ns
tool="$here/cnitool"
fails=0
step() { # step NAME COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi
}
expect_rc() { local want=$1; shift; "$@" >/dev/null 2>&1; [ $? = "$want" ]; }
has_addr() { ip -n "$ns" -4 -o addr show dev eth0 2>/dev/null | grep -q "10\.231\.7\."; }
no_eth0() { ! ip -n "$ns" link show eth0 >/dev/null 2>&1; }
no_leases() { ! ls "$tmp/ipam"/*/10.* >/dev/null 2>&1; }

for net in "$net_list" "$net_conf"; do
  step "$net: add prints a result" sh -c "'$tool' add $net $nspath | grep -q '\"ips\"'"
  step "$net: address in netns" has_addr
  step "$net: check" "$tool" check "$net" "$nspath"
  step "$net: cache entry under CNI_CACHE_DIR" test -n "$(ls "$tmp/cache/results" 2>/dev/null)"
  step "$net: del" "$tool" del "$net" "$nspath"
  step "$net: eth0 gone" no_eth0
  step "$net: lease released" no_leases
  step "$net: second del" "$tool" del "$net" "$nspath"
done

want_id=cnitool-$(printf %s "$nspath" | sha512sum | cut -c1-20)
"$tool" add "$net_list" "$nspath" >/dev/null
step "derived container ID is $want_id" sh -c "ls '$tmp/ipam/$net_list'/10.* | xargs head -n1 | tr -d '\r' | grep -qx '$want_id'"
"$tool" del "$net_list" "$nspath"
step "gc exits 2" expect_rc 2 "$tool" gc "$net_list" "$nspath"
step "status exits 2" expect_rc 2 "$tool" status "$net_list" "$nspath"
step "unknown network fails" expect_rc 1 "$tool" add no-such-net "$nspath"
step "unknown CNI_ARGS key rejected by ptp" expect_rc 1 env CNI_ARGS=FOO=bar "$tool" add "$net_list" "$nspath"
"$tool" del "$net_list" "$nspath" >/dev/null 2>&1

echo "$fails failed"
[ "$fails" = 0 ]
