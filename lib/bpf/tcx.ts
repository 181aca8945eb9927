// tcx attach: a BPF_TCX_INGRESS/EGRESS link on a device in the caller's netns (Linux 6.6+).
// The probe runs only after a failure, to turn EINVAL into an explanation. May import: ./link, ./probe.
import { E, Errno, type Sys } from '../sys/index.js';
import * as K from './consts.js';
import { BpfError } from './errors.js';
import { BpfLink, type Anchor } from './link.js';
import { haveTcx } from './probe.js';
import type { BpfProgram } from './program.js';

export type TcxDirection = 'ingress' | 'egress';

export interface TcxOptions {
  program: BpfProgram;
  ifindex: number;
  direction: TcxDirection;
  anchor?: Anchor;
  expectedRevision?: bigint;
}

export const tcxAttachType = (d: TcxDirection): number => (d === 'ingress' ? K.BPF_TCX_INGRESS : K.BPF_TCX_EGRESS);

export function attachTcx(sys: Sys, o: TcxOptions): BpfLink {
  const step = `attach ${o.program.name} to tcx ${o.direction} of ifindex ${o.ifindex}`;
  try {
    return BpfLink.createRaw(sys, {
      program: o.program,
      attachType: tcxAttachType(o.direction),
      ifindex: o.ifindex,
      anchor: o.anchor,
      expectedRevision: o.expectedRevision,
    });
  } catch (e) {
    if (!(e instanceof Errno)) throw e;
    let hint: string | undefined;
    if (e.errno === E.ENODEV) hint = `no device with ifindex ${o.ifindex} in this netns`;
    else if (e.errno === E.EEXIST) hint = 'this program is already attached to that hook';
    else if (e.errno === E.ESTALE) hint = 'the hook changed since the expected revision';
    else if (e.errno === E.EINVAL && !safeHave(() => haveTcx(sys)))
      hint = 'tcx not supported (requires Linux >= 6.6); use the legacy tc attach';
    throw new BpfError(step, e.message, { errno: e.errno, hint, cause: e });
  }
}

function safeHave(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return true; // inconclusive: do not blame the kernel version
  }
}
export { safeHave };
