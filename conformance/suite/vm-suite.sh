#!/usr/bin/env bash
# The conformance suite inside a VM tier (run by conformance/vm-guest.sh under kvm-run): the bundled
# suite (build/vm-tests/vm-entry.mjs, from vm-entry.ts) in two shards at once, with the subset this
# kernel needs and the time budget allows. Records go to conformance/.work/suite-results/<kernel>/ in
# the host checkout; the host renders them (conformance/vm-tiers.sh runs report.ts).
#   6.12: netkit and netkit-l2 (veth runs on the host kernel), cniVersion 1.0.0: datapath-mode
#         (auto → netkit), spec-versions, concurrency;
#   6.1:  veth over cls_bpf (no tcx), one cniVersion per result-shape family (0.2.0, 0.4.0, 1.0.0):
#         datapath-mode (auto → veth), spec-versions.
# A case costs 10-25 s here (each podlink run starts node on an emulated CPU), so the subset is what
# fits the time budget (~7 minutes for both kernels): the cases that exercise the datapath. Cases
# without a datapath mode (environment, stdin, VERSION, ...) and the protocol, IPAM and chain files
# run on the host kernel only. Every case left out is recorded as skipped, with the reason.
# VM_SUITE_FILES_612/_61 and VM_SUITE_VERSIONS_612/_61 widen or narrow the subset.
# Output: one line, "vm suite: <kernel>: shards exited A B in Ns"; failing cases' TAP on failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
kernel=$(uname -r)
work=conformance/.work/suite
results=${PODLINK_SUITE_RESULTS:-conformance/.work/suite-results}
mkdir -p "$work"
rm -rf "${results:?}/$kernel"
start=$SECONDS

case $kernel in
  6.1.*)
    export PODLINK_SUITE_MODES=veth PODLINK_SUITE_EXPECT_AUTO=veth
    export PODLINK_SUITE_VERSIONS=${VM_SUITE_VERSIONS_61:-0.2.0,0.4.0,1.0.0}
    export PODLINK_SUITE_FILES=${VM_SUITE_FILES_61:-datapath-mode,spec-versions} ;;
  *)
    export PODLINK_SUITE_MODES=netkit,netkit-l2 PODLINK_SUITE_EXPECT_AUTO=netkit
    export PODLINK_SUITE_VERSIONS=${VM_SUITE_VERSIONS_612:-1.0.0}
    export PODLINK_SUITE_FILES=${VM_SUITE_FILES_612:-datapath-mode,spec-versions,concurrency} ;;
esac
export PODLINK_SUITE_MODELESS_SKIP="VM subset: no datapath mode, runs on the host kernel only"
export PODLINK_SUITE_TIMEOUT_SCALE=5 TAP_TIMEOUT=1500
mkdir -p "$results/$kernel"
echo "VM tier (kvm-run, emulated CPU), a SUBSET of the suite: files $PODLINK_SUITE_FILES; modes $PODLINK_SUITE_MODES, and auto in datapath-mode (must resolve to $PODLINK_SUITE_EXPECT_AUTO); cniVersions $PODLINK_SUITE_VERSIONS; cases without a datapath mode run on the host kernel only. Cases left out are recorded as skipped, with the reason." >"$results/$kernel/notes.txt"

# One probe for the whole run: each testbed starts with a copy of its mode file (see suite.ts).
mode_file=$work/vm-mode-$kernel.json
probe_ns=pl-vmsuite-$$
probe_bpf=/sys/fs/bpf/podlink-vmsuite-$$
ip netns add "$probe_ns"
nsenter --net=/run/netns/"$probe_ns" dist/podlink probe --write --mode-file "$mode_file" --bpf-root "$probe_bpf" >"$work/vm-probe-$kernel.log" 2>&1
probe_rc=$?
ip netns del "$probe_ns"
rm -rf "$probe_bpf"
if ((probe_rc)); then
  echo "vm suite: $kernel: podlink probe --write failed (exit $probe_rc):"; cat "$work/vm-probe-$kernel.log"
  exit 1
fi
export PODLINK_SUITE_MODE_FILE=$mode_file

pids=()
for i in 0 1; do
  PODLINK_SUITE_SHARD=$i/2 node build/vm-tests/vm-entry.mjs >"$work/vm-$kernel-shard$i.log" 2>&1 &
  pids+=($!)
done
rcs=()
for p in "${pids[@]}"; do wait "$p"; rcs+=($?); done
rm -f "$mode_file"
rc=0
for i in 0 1; do
  if ((rcs[i])); then
    rc=1
    grep -E -B2 -A25 '^\s*not ok' "$work/vm-$kernel-shard$i.log" | head -80
  fi
done
echo "vm suite: $kernel: shards exited ${rcs[*]} in $((SECONDS - start))s"
exit $rc
