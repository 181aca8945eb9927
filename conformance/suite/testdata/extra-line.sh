#!/bin/sh
# extra-line: podlink plus a log line on stdout after every CNI call, the commonest way to break
# stdout (§1.5). For selftest.test.ts only: the suite must fail it.
here=$(cd "$(dirname "$0")" && pwd)
real=${PODLINK_REAL:-$here/../../../dist/podlink}
"$real" "$@"
rc=$?
[ -n "${CNI_COMMAND:-}" ] && echo "podlink: $CNI_COMMAND done (exit $rc)"
exit $rc
