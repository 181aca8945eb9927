#!/usr/bin/env bash
# emulator-panic.sh ERR_LOG: exit 0 when kvm-run's stderr (ERR_LOG) shows the VM died in a guest
# kernel oops that names nothing of the network or BPF code podlink drives; 1 otherwise.
# kvm-run ends its stderr with the last 40 console lines after "last guest console lines:".
#
# CI once saw the 6.12 guest die on Nehalem under TCG with a page fault in fuse_readahead ->
# fuse_request_alloc -> kmem_cache_alloc and an impossible EFLAGS (0dfebe42, reserved bits set) in
# the saved frame, while agent-routing had passed and tunnel-security was starting its agents: the
# emulator or the guest's virtiofs, not the code under test. run-vm-tier.sh reruns such a VM on
# kvm-run's default CPU model (max). A trace that names a network or BPF function may be ours and is
# never rerun (the "Modules linked in" line names vxlan and veth in every oops, so it is ignored).
set -uo pipefail
log=${1:?usage: emulator-panic.sh ERR_LOG}
grep -aq 'the VM stopped before the command reported an exit status' "$log" || exit 1
console=$(sed -n '/last guest console lines:/,$p' "$log" | grep -av 'Modules linked in')
grep -aqE 'Kernel panic - not syncing|Call Trace:|RIP: ' <<<"$console" || exit 1
! grep -aqE 'bpf|tcx|netkit|veth|vxlan|cls_|sch_|tc_|rtnl|netlink|netif|dev_queue|skb|xdp|nf_|ip6?_|udp|tcp|fib|neigh' <<<"$console"
