#!/usr/bin/env bash
# The quick-start demo: two pods created through podlink (host-local IPAM) ping each other and the node,
# then are deleted, and nothing is left. Everything happens inside namespaces this script creates: a
# "node" netns where podlink runs (as kubelet would run it in the host netns) and two pod netns.
set -euo pipefail
cd "$(dirname "$0")/.."
# Under `npm run`, node_modules/.bin (with the Node 22 that pkg needs) precedes the system Node 20.
export PATH="/usr/bin:$PATH"
bash conformance/setup.sh >&2

ID=$$
NODE=podlink-demo-node-$ID
PODS=(podlink-demo-a-$ID podlink-demo-b-$ID)
WORK=$(mktemp -d /tmp/podlink-demo.XXXXXX)
BIN=$PWD/dist/podlink
cleanup() {
  for p in "${PODS[@]}"; do ip netns del "$p" 2>/dev/null || true; done
  ip netns del "$NODE" 2>/dev/null || true
  rm -rf "$WORK"
  rm -rf "/sys/fs/bpf/podlink-demo-$ID" 2>/dev/null || true
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
in_node() { nsenter --net="/run/netns/$NODE" "$@"; }

say "a node netns with the node address 10.0.0.1, and two pod netns"
ip netns add "$NODE"
ip -n "$NODE" link set lo up
ip -n "$NODE" addr add 10.0.0.1/32 dev lo
for p in "${PODS[@]}"; do ip netns add "$p"; done

cat > "$WORK/10-podlink.conf" <<JSON
{
  "cniVersion": "1.1.0", "name": "demo", "type": "podlink", "mode": "auto",
  "modeFile": "$WORK/mode.json", "stateDir": "$WORK/state", "bpfRoot": "/sys/fs/bpf/podlink-demo-$ID",
  "logFile": "$WORK/podlink.log",
  "ipam": { "type": "host-local", "dataDir": "$WORK/ipam",
            "ranges": [[{ "subnet": "10.88.0.0/24" }], [{ "subnet": "fd00:88::/64" }]] }
}
JSON
cat "$WORK/10-podlink.conf"

say "podlink probe --write   (what the DaemonSet init container runs)"
in_node "$BIN" probe --write --mode-file "$WORK/mode.json" --bpf-root "/sys/fs/bpf/podlink-demo-$ID"

cni() { # cni COMMAND CONTAINER NETNS
  in_node env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_CONTAINERID="$2" \
    CNI_NETNS="/run/netns/$3" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$BIN" < "$WORK/10-podlink.conf"
}

for i in 0 1; do
  say "CNI ADD pod-$i"
  cni ADD "pod-$i" "${PODS[$i]}" | tee "$WORK/result-$i.json"
  echo
done

say "podlink status"
in_node "$BIN" status --mode-file "$WORK/mode.json" --state-dir "$WORK/state" --bpf-root "/sys/fs/bpf/podlink-demo-$ID"

ip4() { python3 -c 'import json,sys; print([i["address"].split("/")[0] for i in json.load(open(sys.argv[1]))["ips"] if ":" not in i["address"]][0])' "$1"; }
ip6() { python3 -c 'import json,sys; print([i["address"].split("/")[0] for i in json.load(open(sys.argv[1]))["ips"] if ":" in i["address"]][0])' "$1"; }
A4=$(ip4 "$WORK/result-0.json"); B4=$(ip4 "$WORK/result-1.json"); B6=$(ip6 "$WORK/result-1.json"); A6=$(ip6 "$WORK/result-0.json")

say "pod-0 ($A4) pings pod-1 ($B4), pod-1 pings pod-0 over IPv6, pod-0 pings the node"
ip netns exec "${PODS[0]}" ping -c 2 -W 2 "$B4"
ip netns exec "${PODS[1]}" ping -6 -c 2 -W 2 "$A6"
ip netns exec "${PODS[0]}" ping -c 1 -W 2 10.0.0.1

say "podlink status again: the FAST PATH column counts packets BPF host routing redirected pod to pod"
in_node "$BIN" status --mode-file "$WORK/mode.json" --state-dir "$WORK/state" --bpf-root "/sys/fs/bpf/podlink-demo-$ID" | tail -3

say "CNI DEL both pods"
for i in 0 1; do cni DEL "pod-$i" "${PODS[$i]}"; done

say "nothing is left: links in the node netns, pod routes, endpoint records, IPAM allocations"
ip -n "$NODE" -br link
ip -n "$NODE" route
echo "records: $(ls "$WORK/state/endpoints" 2>/dev/null | wc -l)"
echo "IPAM allocations: $(ls "$WORK/ipam/demo" 2>/dev/null | grep -cE '^[0-9a-f.:]+$' || true)"
left=$(ip -n "$NODE" -br link | grep -vc '^lo' || true)
[[ $left -eq 0 ]] || { echo "demo: $left links left behind" >&2; exit 1; }
say "demo passed"
