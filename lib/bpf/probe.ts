// Feature probes, behavioural: try the operation and read the errno. A LINK_CREATE on ifindex
// 0xFFFFFFFF reaches the device lookup only if the kernel knows the attach type, so ENODEV means
// "supported" and EINVAL "unknown attach type". Only conclusive answers are cached (per Sys).
// May import: lib/sys, ./syscalls, ./consts, ./errors.
import { E, Errno, type Sys } from '../sys/index.js';
import * as K from './consts.js';
import { BpfError } from './errors.js';
import * as S from './syscalls.js';

const cache = new WeakMap<Sys, Map<string, boolean>>();

/** r0 = -1 (TCX_NEXT); exit. */
const PROBE_INSNS = Buffer.from('b7000000ffffffff9500000000000000', 'hex');

function cached(sys: Sys, what: string, run: () => boolean): boolean {
  let m = cache.get(sys);
  if (!m) cache.set(sys, (m = new Map()));
  const hit = m.get(what);
  if (hit !== undefined) return hit;
  const v = run(); // throws when inconclusive: nothing cached
  m.set(what, v);
  return v;
}

/** Does the kernel accept LINK_CREATE with this attach type for a SCHED_CLS program? */
export function probeLinkAttachType(sys: Sys, attachType: number): boolean {
  const what = `probe ${K.ATTACH_TYPE_NAMES[attachType] ?? attachType} links`;
  let prog: number;
  try {
    prog = S.progLoad(sys, {
      progType: K.BPF_PROG_TYPE_SCHED_CLS,
      insns: PROBE_INSNS,
      license: 'GPL',
      name: 'pl_probe',
      expectedAttachType: 0,
      logLevel: 0,
    });
  } catch (e) {
    throw new BpfError(what, `cannot load the probe program: ${(e as Error).message}`, { errno: (e as Errno).errno, cause: e });
  }
  try {
    const link = S.linkCreate(sys, {
      progFd: prog,
      targetIfindex: 0xffffffff,
      attachType,
      flags: 0,
      relativeFdOrId: 0,
      expectedRevision: 0n,
    });
    sys.close(link); // cannot happen (no such device), but then it is supported
    return true;
  } catch (e) {
    if (e instanceof Errno && e.errno === E.ENODEV) return true;
    if (e instanceof Errno && e.errno === E.EINVAL) return false;
    throw new BpfError(what, `inconclusive: ${(e as Error).message}`, { errno: (e as Errno).errno, cause: e });
  } finally {
    sys.close(prog);
  }
}

/** tcx (BPF_TCX_INGRESS/EGRESS links), Linux 6.6+. */
export function haveTcx(sys: Sys): boolean {
  return cached(sys, 'tcx', () => probeLinkAttachType(sys, K.BPF_TCX_INGRESS));
}

/** netkit links (BPF_NETKIT_PRIMARY/PEER), Linux 6.7+ with CONFIG_NETKIT. */
export function haveNetkit(sys: Sys): boolean {
  return cached(sys, 'netkit', () => probeLinkAttachType(sys, K.BPF_NETKIT_PRIMARY));
}
