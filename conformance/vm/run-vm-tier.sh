#!/usr/bin/env bash
# Run one command of the VM test tier under kvm-run (a throw-away QEMU VM
# with a Debian 6.12 or 6.1 kernel; see ../shared/tools/README.md).
#
#   conformance/vm/run-vm-tier.sh [--kernel 6.12|6.1] [KVM-RUN-OPTIONS...] -- COMMAND [ARGS...]
#
# The command runs as root inside the VM with the repository root as working
# directory (shared read-write: reports written there reach the host).
# KVM-RUN-OPTIONS (--timeout, --mem, -e NAME=VAL, -v, ...) are passed through.
#
# Exit: the command's exit code, as reported by kvm-run; 77 = skip (printed
# as "SKIP: <reason>" on stderr) when no VM can run here; kvm-run's own 124
# (timeout) and 125 (VM died before the command finished); 125 also when the
# VM wedged (virtiofsd died) on every attempt.
#
# Environment:
#   VM_TIER_KERNEL        default kernel (6.12)
#   KVM_RUN               path of kvm-run (default: ../shared/tools/kvm-run
#                         next to the checkout, else kvm-run on PATH)
#   VM_TIER_RETRIES       how often to rerun the command after the VM wedged
#                         because a virtiofsd died, or its kernel panicked
#                         outside the network and BPF code (default 1; see
#                         watch_vm and emulator-panic.sh; the rerun after a
#                         panic uses kvm-run's default guest CPU, max)
#   VM_TIER_REQUIRE_KVM=1 skip when /dev/kvm is absent instead of using
#                         TCG software emulation (by default a missing
#                         /dev/kvm only costs speed; on the reference machine
#                         /dev/kvm exists but is PVM and TCG is used anyway)
set -uo pipefail

self=${BASH_SOURCE[0]}
case $self in */*) ;; *) self=./$self ;; esac
here=$(cd "${self%/*}" && pwd)
repo=$(cd "$here/../.." && pwd)

skip() { echo "SKIP: $*" >&2; exit 77; }
usage() {
  echo "usage: ${0##*/} [--kernel 6.12|6.1] [kvm-run options...] -- COMMAND [ARGS...]" >&2
  exit 2
}

# Debian 12's C virtiofsd runs a seccomp filter without sched_getaffinity (syscall 204), and glibc
# 2.36 calls it when a new thread first needs a malloc arena (arena_get2 -> __get_nprocs_sched): the
# thread pool then dies with SIGSYS and the guest wedges. A fixed arena limit skips that call
# (glibc malloc/arena.c). Inherited by kvm-run's virtiofsd; harmless in the guest.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}

# The guest CPU under TCG: Nehalem (x86-64-v2: SSE4.2, POPCNT, no AVX) instead of kvm-run's default
# "max". With max, the guest's Node 22 (dist/podlink) runs code that TCG emulates slowly: in one VM,
# three `CNI_COMMAND=VERSION dist/podlink` took 20.3 s against 11.4 s, `podlink --version` 14.2-19.3 s
# against 10.0, `podlink status --help` 31.4 s against 18.3 (2026-12-06; qemu64 and SandyBridge, which
# also lack AVX2, were as quick as Nehalem). The tiers test kernel features, not CPU ones.
export KVM_RUN_CPU_MODEL=${KVM_RUN_CPU_MODEL:-Nehalem}

kernel=${VM_TIER_KERNEL:-6.12}
passthrough=()
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
    --kernel=*) kernel=${1#--kernel=}; shift ;;
    --) shift; break ;;
    -h|--help) usage ;;
    # options of kvm-run that take a value
    --mem|--cpus|--timeout|--accel|--modules|-e|--env|--kernel-deb)
      [ $# -ge 2 ] || usage; passthrough+=("$1" "$2"); shift 2 ;;
    -*) passthrough+=("$1"); shift ;;
    *) usage ;;
  esac
done
[ $# -gt 0 ] || usage
case $kernel in
  6.12|6.1|linux-image-*) ;;
  *) echo "${0##*/}: unknown kernel '$kernel' (6.12, 6.1 or a linux-image-* package)" >&2; exit 2 ;;
esac

# kvm-run is not part of this repository: it is provided next to the
# checkout on the machines we know of, and nothing promises it elsewhere.
kvm_run=${KVM_RUN:-}
if [ -z "$kvm_run" ]; then
  if [ -x "$repo/../shared/tools/kvm-run" ]; then
    kvm_run=$(cd "$repo/../shared/tools" && pwd)/kvm-run
  else
    kvm_run=$(command -v kvm-run || true)
  fi
fi
[ -n "$kvm_run" ] && [ -x "$kvm_run" ] ||
  skip "kvm-run not found (looked at \$KVM_RUN, $repo/../shared/tools/kvm-run, PATH)"
[ "$(id -u)" = 0 ] || skip "kvm-run needs root (virtiofsd)"
if [ ! -e /dev/kvm ]; then
  [ "${VM_TIER_REQUIRE_KVM:-}" = 1 ] && skip "/dev/kvm is absent and VM_TIER_REQUIRE_KVM=1"
  echo "${0##*/}: note: /dev/kvm absent: kvm-run will use TCG software emulation (slow)" >&2
fi

# Watchdog for a wedged VM. On this machine Debian 12's C virtiofsd (QEMU
# 7.2) is occasionally killed by its own seccomp filter: a glib thread-pool
# worker calls sched_getaffinity (x86_64 syscall 204), which is not on its
# allow-list (host dmesg: "audit: type=1326 ... exe=/usr/lib/qemu/virtiofsd
# sig=31 syscall=204"). The guest's FUSE requests then never complete, every
# process touching / or the checkout blocks in D state, and kvm-run waits
# for its --timeout (1200 s by default). kvm-run is not ours to change, so:
# poll kvm-run's children; when one of its virtiofsd daemons has gone while
# QEMU (under `timeout`, also kvm-run's child) still runs, for two polls in a
# row, SIGTERM kvm-run (its trap stops QEMU and cleans up) and retry.
watch_vm() { # watch_vm KVM_RUN_PID FLAG_FILE
  local kpid=$1 flag=$2 seen=0 strikes=0 vfs vm stat comm
  while kill -0 "$kpid" 2>/dev/null; do
    sleep 2
    vfs=0 vm=0
    while read -r stat comm; do
      case $stat in Z*) continue ;; esac
      case $comm in virtiofsd) vfs=$((vfs + 1)) ;; timeout) vm=$((vm + 1)) ;; esac
    done < <(ps -o stat=,comm= --ppid "$kpid" 2>/dev/null)
    [ "$vfs" -gt "$seen" ] && seen=$vfs
    if [ "$seen" -gt 0 ] && [ "$vfs" -lt "$seen" ] && [ "$vm" -gt 0 ]; then
      strikes=$((strikes + 1))
    else
      strikes=0
    fi
    if [ "$strikes" -ge 2 ]; then
      : >"$flag"
      echo "${0##*/}: a virtiofsd of kvm-run (pid $kpid) died while the VM was running" \
        "(see host dmesg for 'virtiofsd ... sig=31': seccomp); the guest is wedged, stopping it" >&2
      kill -TERM "$kpid" 2>/dev/null
      return
    fi
  done
}

cd "$repo" || exit 1
retries=${VM_TIER_RETRIES:-1}
flag=$(mktemp "${TMPDIR:-/tmp}/run-vm-tier.XXXXXX") || exit 1
errlog=$(mktemp "${TMPDIR:-/tmp}/run-vm-tier-err.XXXXXX") || exit 1
kpid='' wpid=''
on_signal() {
  [ -n "$kpid" ] && kill -TERM "$kpid" 2>/dev/null
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  rm -f "$flag" "$errlog"
  exit $((128 + $1))
}
trap 'on_signal 2' INT
trap 'on_signal 15' TERM
attempt=0
while :; do
  rm -f "$flag"
  # kvm-run's stderr goes on to ours and into $errlog, complete once tee has exited.
  exec 4> >(tee "$errlog" >&2)
  tpid=$!
  "$kvm_run" --kernel "$kernel" "${passthrough[@]}" -- "$@" 2>&4 4>&- &
  kpid=$!
  watch_vm "$kpid" "$flag" 4>&- &
  wpid=$!
  rc=0
  wait "$kpid" || rc=$?
  kill "$wpid" 2>/dev/null
  wait "$wpid" 2>/dev/null
  exec 4>&-
  # (a daemon of kvm-run's that outlived it would keep tee's pipe open: wait at most 5 s)
  for _ in $(seq 50); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
  kpid='' wpid=''
  if [ -e "$flag" ]; then
    why="the VM wedged (virtiofsd died)"
  elif [ "$rc" = 125 ] && [ "$KVM_RUN_CPU_MODEL" != max ] && bash "$here/emulator-panic.sh" "$errlog"; then
    # Once: the rerun is on max, which takes about twice as long (see KVM_RUN_CPU_MODEL above), so a
    # --timeout given for Nehalem is doubled for it.
    why="the guest kernel panicked outside the network and BPF code"
    export KVM_RUN_CPU_MODEL=max
    for i in "${!passthrough[@]}"; do
      [ "${passthrough[$i]}" = --timeout ] && passthrough[i + 1]=$((passthrough[i + 1] * 2))
    done
  else
    break
  fi
  if [ "$attempt" -ge "$retries" ]; then
    echo "${0##*/}: $why (attempt $((attempt + 1)) of $((retries + 1))); giving up" >&2
    rc=125
    break
  fi
  attempt=$((attempt + 1))
  echo "${0##*/}: ==== retrying the whole command (attempt $((attempt + 1)) of $((retries + 1)), guest CPU" \
    "$KVM_RUN_CPU_MODEL): $why; output above is from that VM ====" >&2
done
rm -f "$flag" "$errlog"
if [ "$rc" = 77 ]; then
  echo "SKIP: exit 77 from kvm-run --kernel $kernel (no VM could start here, see kvm-run's message above, or the command itself skipped)" >&2
fi
exit "$rc"
