// A syscall failure below netlink or bpf reaches the runtime with that layer's CNI code (102, 103),
// whatever syscall the native addon made: the layers type their errors, lib/cni reads the type.
import t from 'tap';
import { Code, toCniError } from '../lib/cni/index.js';
import { Netlink } from '../lib/netlink/index.js';
import { mapLookup } from '../lib/bpf/syscalls.js';
import { Errno, nativeSys, type Sys } from '../lib/sys/index.js';

const NO_FD = 987654; // not open: the kernel answers EBADF
const skip = process.geteuid?.() !== 0 && 'needs root (loads the native addon)';

/** The real addon, except that `name` runs on a closed fd: the kernel's EBADF, raised as the addon raises it. */
function failing(sys: Sys, name: 'sendto' | 'recv'): Sys {
  const fns = sys as unknown as Record<string, (...a: unknown[]) => unknown>;
  return { ...sys, [name]: (_fd: number, ...rest: unknown[]) => fns[name]!(NO_FD, ...rest) } as Sys;
}

for (const syscall of ['sendto', 'recv'] as const) {
  t.test(`a netlink ${syscall} failure is CNI code 102, not 999`, { skip }, async (t) => {
    const nl = Netlink.open(failing(nativeSys(), syscall));
    try {
      const e = t.throws(() => nl.links()) as Errno;
      t.ok(e instanceof Errno, 'still an Errno: the netlink layer branches on errno');
      t.equal(e.syscall, syscall);
      t.equal(e.code, 'EBADF');
      t.equal(toCniError(e).code, Code.Netlink);
    } finally {
      nl.close();
    }
  });
}

t.test('a bpf(2) failure is CNI code 103', { skip }, async (t) => {
  const sys = nativeSys();
  const e = t.throws(() => mapLookup(sys, NO_FD, Buffer.alloc(4), Buffer.alloc(4))) as Errno;
  t.ok(e instanceof Errno);
  t.equal(e.syscall, 'bpf');
  t.equal(toCniError(e).code, Code.Bpf);
});

t.test('an Errno outside netlink and bpf stays 999', { skip }, async (t) => {
  const e = t.throws(() => nativeSys().close(NO_FD));
  t.equal(toCniError(e).code, Code.Internal);
});
