#!/usr/bin/env bash
# Runs inside the kvm-run VM: each bundled test file with plain node; prints one line per file.
# With --suite first, then also the conformance suite's VM subset (conformance/suite/vm-suite.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
suite=0
[[ ${1:-} == --suite ]] && { suite=1; shift; }
echo "guest kernel $(uname -r)"
# tap's per-test timeout (30 s when a file runs standalone) is far too short under CPU emulation.
export TAP_TIMEOUT=1500
export PODLINK_VM_TIER=1
# 6.12 has netkit: test the modes the host cannot; 6.1 (no tcx) re-runs veth over the cls_bpf path.
case $(uname -r) in
  6.1.*) export PODLINK_TEST_MODES=veth ;;
  *) export PODLINK_TEST_MODES=netkit,netkit-l2 ;;
esac
mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf 2>/dev/null || true
rc=0
for b in "$@"; do
  start=$SECONDS
  out=$(node "$b" 2>&1); r=$?
  line=$(printf '%s\n' "$out" | grep -E '^# \{' | tail -1)
  if [[ $r -ne 0 ]]; then
    printf '%s\n' "$out" | grep -E -B2 -A25 '^\s*not ok' | head -120
    rc=1
  fi
  echo "vm: $b exit $r $line ($((SECONDS - start))s)"
done
if ((suite)); then
  bash conformance/suite/vm-suite.sh || rc=1
fi
exit $rc
