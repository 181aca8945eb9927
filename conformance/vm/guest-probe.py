#!/usr/bin/python3
"""Report what the VM tier can rely on in the current kernel.

Run inside the VM (`conformance/vm/run-vm-tier.sh -- /usr/bin/python3
conformance/vm/guest-probe.py`) or on the host. Prints one "key: value" line
per fact, so the output can be pasted into a report or grepped by a test:

  kernel             uname -r
  guest              KVM_RUN_GUEST (1 inside kvm-run)
  bpffs              is /sys/fs/bpf a bpf filesystem
  tcx                BPF_LINK_CREATE of a SCHED_CLS program as BPF_TCX_INGRESS
                     on a veth device in a throw-away netns (6.6+)
  netns              `ip netns add` + `ip netns del` work
  iproute2_netkit    `ip link add ... type netkit` works with this iproute2
  cwd_writable       a file can be created and removed in the working directory

Exit 0 always (it is a report, not a test). Python standard library only;
bpf(2) constants are the uapi names from include/uapi/linux/bpf.h.
"""
import ctypes
import ctypes.util
import os
import platform
import socket
import struct
import subprocess
import sys

SYS_bpf = 321  # x86_64
BPF_PROG_LOAD, BPF_LINK_CREATE = 5, 28
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_TCX_INGRESS = 46
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.syscall.restype = ctypes.c_long


def sh(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, len(attr))
    fd = libc.syscall(SYS_bpf, cmd, buf, len(attr))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return fd


def probe_bpffs():
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if parts[1] == "/sys/fs/bpf":
                return f"yes ({parts[2]})" if parts[2] == "bpf" else f"no (type {parts[2]})"
    return "no (not mounted)"


def probe_tcx():
    # r0 = 0 (TC_ACT_OK); exit
    insns = struct.pack("<BBhi", 0xB7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0)
    insn_buf = ctypes.create_string_buffer(insns, len(insns))
    license_buf = ctypes.create_string_buffer(b"GPL\0", 4)
    # union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license, ...
    attr = struct.pack("<IIQQ", BPF_PROG_TYPE_SCHED_CLS, 2,
                       ctypes.addressof(insn_buf), ctypes.addressof(license_buf))
    attr += b"\0" * (128 - len(attr))
    try:
        prog_fd = bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        return f"no (prog load: {e.strerror})"
    # Do the attach in a private netns on a veth device: nothing outside changes.
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if libc.unshare(CLONE_NEWNET) != 0:
                os._exit(3)
            # veth, not dummy: this host kernel has no dummy driver; veth is
            # built in or loaded by kvm-run everywhere we run.
            rc, _ = sh("ip", "link", "add", "name", "tcxprobe0", "type", "veth",
                       "peer", "name", "tcxprobe1")
            if rc != 0:
                os._exit(4)
            # not /sys/class/net: sysfs shows the netns it was mounted in
            ifindex = socket.if_nametoindex("tcxprobe0")
            # BPF_LINK_CREATE: prog_fd, target_ifindex, attach_type, flags, tcx{relative_fd, expected_revision}
            link_attr = struct.pack("<IIII", prog_fd, ifindex, BPF_TCX_INGRESS, 0)
            link_attr += b"\0" * (64 - len(link_attr))
            try:
                link_fd = bpf(BPF_LINK_CREATE, link_attr)
                os.close(link_fd)
                code = 0
            except OSError as e:
                code = 10 + (e.errno if e.errno < 100 else 99)
        except Exception as e:  # report, never raise out of the forked child
            print(f"tcx probe: {e}", file=sys.stderr, flush=True)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    os.close(prog_fd)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return "yes (BPF_TCX_INGRESS link created)"
    if code >= 10:
        errno = code - 10
        return f"no (link create: {os.strerror(errno)})"
    return f"unknown (probe setup failed, code {code})"


def probe_netns():
    name = f"podlink-probe-{os.getpid()}"
    rc, out = sh("ip", "netns", "add", name)
    if rc != 0:
        return f"no ({out})"
    rc, out = sh("ip", "netns", "del", name)
    return "yes" if rc == 0 else f"add ok, del failed ({out})"


def probe_iproute2_netkit():
    pid = os.fork()
    if pid == 0:
        if libc.unshare(CLONE_NEWNET) != 0:
            os._exit(3)
        r = subprocess.run(["ip", "link", "add", "name", "nkprobe0", "type", "netkit"],
                           capture_output=True, text=True)
        print(f"iproute2_netkit: {'yes' if r.returncode == 0 else 'no (' + r.stderr.strip() + ')'}",
              flush=True)
        os._exit(0)
    os.waitpid(pid, 0)


def probe_cwd():
    path = os.path.join(os.getcwd(), f".podlink-probe-{os.getpid()}")
    try:
        with open(path, "w") as f:
            f.write("x")
        os.unlink(path)
        return f"yes ({os.getcwd()})"
    except OSError as e:
        return f"no ({os.getcwd()}: {e.strerror})"


def main():
    print(f"kernel: {platform.release()}")
    print(f"guest: {os.environ.get('KVM_RUN_GUEST', '0')}")
    print(f"bpffs: {probe_bpffs()}")
    print(f"tcx: {probe_tcx()}", flush=True)
    print(f"netns: {probe_netns()}", flush=True)
    probe_iproute2_netkit()
    print(f"cwd_writable: {probe_cwd()}")


if __name__ == "__main__":
    main()
