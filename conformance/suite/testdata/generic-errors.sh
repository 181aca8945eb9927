#!/bin/sh
# generic-errors: podlink with every error code turned into 999 and the message replaced, so
# errors no longer say which variable or field is wrong (§2 code 4, §3 codes 6/7). For
# selftest.test.ts only: the suite must fail it.
here=$(cd "$(dirname "$0")" && pwd)
real=${PODLINK_REAL:-$here/../../../dist/podlink}
out=$("$real" "$@")
rc=$?
if [ "$rc" -ne 0 ] && [ -n "$out" ]; then
  printf '%s\n' "$out" | sed 's/"code":[0-9]*/"code":999/; s/"msg":"[^"]*"/"msg":"internal error"/'
else
  [ -n "$out" ] && printf '%s\n' "$out"
fi
exit $rc
