#!/usr/bin/env bash
# The CNI conformance suite (`npm run conformance`, and the "conformance suite" tier of `npm test`).
#
#   bash conformance/suite/run.sh
#
# 1. dist/podlink: built with `node build.mjs` when missing (npm test has built it already).
# 2. cnitool: conformance/cnitool/build.sh (offline, Debian's libcni). Without Go the cnitool-driven
#    cases (chain.test.ts) are skipped with the build script's reason. CNITOOL=<path or name on PATH>
#    uses that (e.g. an upstream) cnitool instead and skips the build.
# 3. tap runs the suite files two at a time, then concurrency.test.ts alone (it is the one case that
#    runs eight plugins at once). Every case records its outcome under
#    conformance/.work/suite-results/<kernel>/ (PODLINK_SUITE_RESULTS overrides the directory).
# 4. conformance/suite/report.ts writes conformance/report.md: one row per checklist item and kernel,
#    for every kernel with records there (this one, and VM kernels whose runs wrote there too).
#
# Output: ONE summary line, e.g. "conformance: 212 passed, 0 failed, 6 skipped (no netkit on this
# kernel) in 180s". The tap output goes to conformance/.work/suite/run.log. Exit 0 only when nothing
# failed on this kernel (and the tools could be built).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

start=$SECONDS
kernel=$(uname -r)
work=conformance/.work/suite
log=$work/run.log
results=${PODLINK_SUITE_RESULTS:-conformance/.work/suite-results}
mkdir -p "$work"
: >"$log"
notes=()
infra_failed=0

if [[ $(id -u) -ne 0 ]]; then
  echo "conformance: 0 passed, 0 failed, all skipped (needs root: ip netns, nsenter)"
  exit 0
fi

rm -rf "${results:?}/$kernel"

if [[ ! -x dist/podlink ]]; then
  echo "run.sh: dist/podlink missing, building" >>"$log"
  if ! node build.mjs >>"$log" 2>&1; then
    echo "conformance: not run: node build.mjs failed (see $log)"
    exit 1
  fi
fi

if [[ -n ${CNITOOL:-} ]]; then
  echo "run.sh: using CNITOOL=$CNITOOL" >>"$log"
  notes+=("cnitool: CNITOOL=$CNITOOL")
else
  bash conformance/cnitool/build.sh >"$work/cnitool-build.log" 2>&1
  rc=$?
  cat "$work/cnitool-build.log" >>"$log"
  case $rc in
    0) notes+=("cnitool: conformance/cnitool/cnitool (libcni from Debian)") ;;
    77)
      reason=$(grep -m1 'skipped' "$work/cnitool-build.log" || echo "cnitool build skipped")
      export PODLINK_SUITE_CNITOOL_SKIP=${reason#cnitool build skipped: }
      notes+=("cnitool cases skipped: $PODLINK_SUITE_CNITOOL_SKIP")
      ;;
    *)
      export PODLINK_SUITE_CNITOOL_SKIP="cnitool build failed (exit $rc, see $log)"
      notes+=("cnitool build FAILED (exit $rc): cnitool cases not run")
      infra_failed=1
      ;;
  esac
fi

tap=(node_modules/.bin/tap --reporter=terse --disable-coverage --allow-empty-coverage --timeout=1800)
files=(conformance/suite/datapath-mode.test.ts conformance/suite/spec-versions.test.ts conformance/suite/spec-protocol.test.ts conformance/suite/spec-ipam.test.ts
  conformance/suite/chain.test.ts conformance/suite/selftest.test.ts)
"${tap[@]}" --jobs=2 "${files[@]}" >>"$log" 2>&1
tap_rc=$?
"${tap[@]}" --jobs=1 conformance/suite/concurrency.test.ts >>"$log" 2>&1
tap_rc2=$?

mkdir -p "$results/$kernel"
printf '%s\n' "${notes[@]}" >"$results/$kernel/notes.txt"
summary=$(node --import tsx conformance/suite/report.ts --kernel "$kernel" --seconds $((SECONDS - start)) 2>>"$log")
report_rc=$?

rc=0
((tap_rc || tap_rc2 || report_rc || infra_failed)) && rc=1
if ((rc)); then
  extra=""
  ((infra_failed)) && extra="; cnitool build failed"
  ((report_rc == 0 && (tap_rc || tap_rc2))) && extra="$extra; tap reported errors outside the recorded cases"
  echo "${summary:-conformance: no summary (report.ts failed)}$extra — see conformance/report.md and $log"
else
  echo "$summary"
fi
exit $rc
