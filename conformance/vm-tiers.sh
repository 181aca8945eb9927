#!/usr/bin/env bash
# VM tiers: the privileged tests again under kvm-run, on kernels this machine does not run:
#   6.12 — netkit, netkit-l2, auto → netkit, mixed-mode nodes;
#   6.1  — no tcx: the legacy tc cls_bpf attach path, auto → veth.
# One kvm-run call per kernel (the VM's CPU is emulated: boots and process starts are slow). Tests run
# as pre-bundled JavaScript (conformance/bundle-vm-tests.mjs), not through tsx and tap's runner.
# Exit 0 when every tier passed or was skipped (printed as SKIP with the reason); 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

TESTS_612=(conformance/integration/netlink-pair.test.ts conformance/integration/plugin.test.ts)
TESTS_61=(conformance/integration/netlink-pair.test.ts conformance/integration/plugin.test.ts)
for f in lib/datapath/netkit.test.ts lib/datapath/tc-legacy.test.ts conformance/integration/datapath.test.ts; do
  [[ -f $f ]] && { TESTS_612+=("$f"); TESTS_61+=("$f"); }
done

node conformance/bundle-vm-tests.mjs "${TESTS_612[@]}" "${TESTS_61[@]}" >/dev/null || exit 1

failed=0
summary=()
tier() { # tier KERNEL FILES...
  local kernel=$1; shift
  local bundles=()
  for f in "$@"; do bundles+=("build/vm-tests/$(basename "${f%.ts}").mjs"); done
  echo "--- kernel $kernel: ${bundles[*]}"
  local start=$SECONDS rc=0 log
  log=$(mktemp)
  VM_TIER_RETRIES=${VM_TIER_RETRIES:-2} bash conformance/vm/run-vm-tier.sh --kernel "$kernel" --timeout 1500 -- \
    bash conformance/vm-guest.sh "${bundles[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  case $rc in
    0) summary+=("kernel $kernel: PASS (${took}s)") ;;
    77) summary+=("kernel $kernel: SKIPPED (see SKIP line above)") ;;
    125)
      # Debian 12's virtiofsd is sometimes killed by its own seccomp filter (sched_getaffinity), which
      # wedges the guest: that is the VM tool failing, not the code under test. Reported, not failed.
      if grep -q 'died while the VM was running' "$log"; then
        summary+=("kernel $kernel: INCONCLUSIVE (kvm-run's virtiofsd was killed by seccomp on every attempt; ${took}s)")
      else
        summary+=("kernel $kernel: FAIL (VM died, exit 125, ${took}s)"); failed=1
      fi ;;
    *) summary+=("kernel $kernel: FAIL (exit $rc, ${took}s)"); failed=1 ;;
  esac
  rm -f "$log"
}

tier 6.12 "${TESTS_612[@]}"
tier 6.1 "${TESTS_61[@]}"
printf '%s\n' "VM tiers:" "${summary[@]/#/  }"
exit $failed
