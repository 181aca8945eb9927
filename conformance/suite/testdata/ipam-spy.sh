#!/bin/sh
# ipam-spy: a delegated IPAM plugin for the §8 items. It records every call (environment and stdin)
# and then behaves like a spec-1.1.0 IPAM plugin built on host-local:
#   ADD, DEL, CHECK  → runs the plugin named by ipam.delegate (host-local) with the same env and stdin;
#   STATUS, GC       → answers itself: success, nothing on stdout (host-local 1.1.1 predates them);
#   ipam.fail = CMD  → that command fails with {"code":11,"msg":"ipam-spy: try again later"}.
# Records go to ipam.spyDir as NNN-<CNI_COMMAND>.env (sorted env) and NNN-<CNI_COMMAND>.stdin.
# It also writes one line to stderr, which the calling plugin must copy to its own stderr (§8.3).
set -u
conf=$(cat)
field() { printf '%s' "$conf" | grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'; }
dir=$(field spyDir)
delegate=$(field delegate)
fail=$(field fail)
cmd=${CNI_COMMAND:-}
if [ -n "$dir" ]; then
  mkdir -p "$dir"
  n=$(ls "$dir" | grep -c '\.stdin$')
  n=$(printf '%03d' "$n")
  env | grep '^CNI_' | LC_ALL=C sort >"$dir/$n-$cmd.env"
  printf '%s' "$conf" >"$dir/$n-$cmd.stdin"
fi
echo "ipam-spy: $cmd for ${CNI_CONTAINERID:-?}" >&2
if [ "$fail" = "$cmd" ]; then
  printf '{"cniVersion":"1.0.0","code":11,"msg":"ipam-spy: try again later","details":"ipam.fail is %s"}\n' "$cmd"
  exit 1
fi
case $cmd in
  STATUS|GC) exit 0 ;;
  VERSION) printf '{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}\n'; exit 0 ;;
esac
[ -n "$delegate" ] || { printf '{"cniVersion":"1.0.0","code":7,"msg":"ipam-spy: ipam.delegate missing"}\n'; exit 1; }
printf '%s' "$conf" | "$delegate"
