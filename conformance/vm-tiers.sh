#!/usr/bin/env bash
# VM tiers: the privileged tests again under kvm-run, on kernels this machine does not run:
#   6.12 — netkit, netkit-l2, auto → netkit, mixed-mode nodes;
#   6.1  — no tcx: the legacy tc cls_bpf attach path, auto → veth.
# Each tier also runs a subset of the conformance suite (conformance/suite/vm-suite.sh); its records
# land in conformance/.work/suite-results/<guest kernel>/, and report.ts adds that kernel to
# conformance/report.md and prints its one summary line.
# One kvm-run call per kernel (the VM's CPU is emulated: boots and process starts are slow). Tests run
# as pre-bundled JavaScript (conformance/bundle-vm-tests.mjs), not through tsx and tap's runner.
# Exit 0 when every tier passed or was skipped (printed as SKIP with the reason); 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

TESTS_612=(conformance/integration/netlink-pair.test.ts conformance/integration/plugin.test.ts)
TESTS_61=(conformance/integration/netlink-pair.test.ts conformance/integration/plugin.test.ts)
for f in lib/datapath/netkit.test.ts lib/datapath/tc-legacy.test.ts lib/datapath/fastpath-mark.test.ts conformance/integration/datapath.test.ts \
  conformance/multinode/agent-routing.test.ts conformance/multinode/tunnel-security.test.ts; do
  [[ -f $f ]] && { TESTS_612+=("$f"); TESTS_61+=("$f"); }
done

node conformance/bundle-vm-tests.mjs "${TESTS_612[@]}" "${TESTS_61[@]}" conformance/suite/vm-entry.ts >/dev/null || exit 1
# Records of an earlier VM run must not pass for this one (a skipped tier leaves none).
for d in conformance/.work/suite-results/*-cloud-amd64; do
  [[ -d $d && ${d##*/} != "$(uname -r)" ]] && rm -rf "$d"
done

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
    bash conformance/vm-guest.sh --suite "${bundles[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  local retried=''
  grep -aq '==== retrying the whole command' "$log" && retried=", after $(grep -ac '==== retrying the whole command' "$log") retry (see above)"
  case $rc in
    0) summary+=("kernel $kernel: PASS (${took}s$retried)") ;;
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
  # The suite's line for this kernel (report.ts also rewrites conformance/report.md with its rows).
  local gk
  gk=$(grep -m1 -o '^guest kernel .*' "$log")
  gk=${gk#guest kernel }
  if [[ -n $gk && -d conformance/.work/suite-results/$gk ]]; then
    summary+=("$(node --import tsx conformance/suite/report.ts --kernel "$gk" --label "  conformance on $gk (VM subset)" 2>&1)")
  fi
  rm -f "$log"
}

tier 6.12 "${TESTS_612[@]}"
tier 6.1 "${TESTS_61[@]}"
# report.md again, also when a tier was skipped: VM records of earlier runs were dropped above.
node --import tsx conformance/suite/report.ts >/dev/null 2>&1
printf '%s\n' "VM tiers:" "${summary[@]/#/  }"
exit $failed
