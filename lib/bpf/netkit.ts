// netkit attach: BPF_NETKIT_PRIMARY/PEER links, always on the *primary's* ifindex (the host side),
// so the host manages the pod side without entering the pod netns (Linux 6.7+, CONFIG_NETKIT).
// May import: ./link, ./probe.
import { E, Errno, type Sys } from '../sys/index.js';
import * as K from './consts.js';
import { BpfError } from './errors.js';
import { BpfLink, type Anchor } from './link.js';
import { haveNetkit } from './probe.js';
import type { BpfProgram } from './program.js';
import { safeHave } from './tcx.js';

export type NetkitHook = 'primary' | 'peer';

export interface NetkitOptions {
  program: BpfProgram;
  primaryIfindex: number;
  /** peer = traffic leaving the pod, primary = traffic entering it. */
  hook: NetkitHook;
  anchor?: Anchor;
  expectedRevision?: bigint;
}

export const netkitAttachType = (h: NetkitHook): number => (h === 'primary' ? K.BPF_NETKIT_PRIMARY : K.BPF_NETKIT_PEER);

export function attachNetkit(sys: Sys, o: NetkitOptions): BpfLink {
  const step = `attach ${o.program.name} to netkit ${o.hook} of ifindex ${o.primaryIfindex}`;
  try {
    return BpfLink.createRaw(sys, {
      program: o.program,
      attachType: netkitAttachType(o.hook),
      ifindex: o.primaryIfindex,
      anchor: o.anchor,
      expectedRevision: o.expectedRevision,
    });
  } catch (e) {
    if (!(e instanceof Errno)) throw e;
    let hint: string | undefined;
    if (e.errno === E.ENODEV) hint = `no device with ifindex ${o.primaryIfindex} in this netns`;
    else if (e.errno === E.ENXIO) hint = `ifindex ${o.primaryIfindex} is not a netkit device`;
    else if (e.errno === E.EACCES) hint = `ifindex ${o.primaryIfindex} is a netkit peer; attach through the primary`;
    else if (e.errno === E.EEXIST) hint = 'this program is already attached to that hook';
    else if (e.errno === E.EINVAL && !safeHave(() => haveNetkit(sys)))
      hint = 'netkit not supported (requires Linux >= 6.7 with CONFIG_NETKIT)';
    throw new BpfError(step, e.message, { errno: e.errno, hint, cause: e });
  }
}
