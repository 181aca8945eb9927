#!/bin/sh
# strict-del: podlink, except that DEL insists on a live CNI_NETNS and fails with code 3
# ("container unknown") otherwise — the mistake §2 "DEL" and §6 warn about. For selftest.test.ts only.
here=$(cd "$(dirname "$0")" && pwd)
real=${PODLINK_REAL:-$here/../../../dist/podlink}
if [ "${CNI_COMMAND:-}" = DEL ] && { [ -z "${CNI_NETNS:-}" ] || [ ! -e "$CNI_NETNS" ]; }; then
  cat >/dev/null
  printf '{"cniVersion":"1.0.0","code":3,"msg":"container netns %s does not exist"}\n' "${CNI_NETNS:-}"
  exit 1
fi
exec "$real" "$@"
