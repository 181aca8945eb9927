#!/bin/sh
# broken-version: podlink with the result's cniVersion rewritten (1.0.0 → 1.1.0, anything else →
# 1.0.0), the kind of bug a wrong converter makes. For selftest.test.ts only: the suite must fail it.
here=$(cd "$(dirname "$0")" && pwd)
real=${PODLINK_REAL:-$here/../../../dist/podlink}
out=$("$real" "$@")
rc=$?
case $out in
  *'"cniVersion":"1.0.0"'*) new=1.1.0 ;;
  *) new=1.0.0 ;;
esac
[ -n "$out" ] && printf '%s\n' "$out" | sed "s/\"cniVersion\":\"[^\"]*\"/\"cniVersion\":\"$new\"/"
exit $rc
