// Programs on a node device's ingress: from-uplink on the node's uplinks, from-tunnel on the tunnel
// device. A tcx ingress link pinned at uplinks/<ifName>/<role>, or a clsact ingress filter without tcx.
// May import: lib/bpf, ./load, ./paths, ./endpoint.
import * as fs from 'node:fs';
import { BpfLink, attachTcx, ensurePinDir } from '../bpf/index.js';
import { DatapathError } from './plan.js';
import { unpinLink, type DatapathDeps } from './endpoint.js';
import { openDatapath } from './load.js';
import { PROGRAM_NAMES, pinPaths } from './paths.js';

export interface UplinkSpec {
  bpfRoot: string;
  ifName: string;
  ifindex: number;
  tcx: boolean;
  /** Which program: from-uplink (default) or, on the tunnel device, from-tunnel. */
  role?: 'from-uplink' | 'from-tunnel';
}

const pinOf = (u: UplinkSpec) =>
  u.role === 'from-tunnel' ? pinPaths(u.bpfRoot).tunnelPin(u.ifName) : pinPaths(u.bpfRoot).uplinkPin(u.ifName);

export function describeUplink(u: UplinkSpec): string {
  const prog = PROGRAM_NAMES[u.role ?? 'from-uplink'];
  return u.tcx
    ? `bpf: create tcx ingress link running ${prog} on ${u.ifName} (ifindex ${u.ifindex}), pin at ${pinOf(u)}`
    : `tc: attach ${prog} to tc clsact ingress of ${u.ifName} (ifindex ${u.ifindex})`;
}

/** Ensure the role's program runs on the device's ingress (reuses a live pin; replaces a defunct one). */
export function attachUplink(deps: DatapathDeps, u: UplinkSpec): string {
  const dp = openDatapath(deps.sys, u.bpfRoot, { object: deps.object });
  const role = u.role ?? 'from-uplink';
  try {
    const prog = dp.programs.get(role)!;
    if (!u.tcx) {
      if (!deps.tc) throw new DatapathError(`attach ${role} to ${u.ifName}`, 'no tcx and no tc client');
      deps.tc.ensureClsact(u.ifindex);
      deps.tc.replaceBpfFilter(u.ifindex, 'ingress', prog.fd, PROGRAM_NAMES[role]);
      return describeUplink(u);
    }
    const pin = pinOf(u);
    ensurePinDir(dp.paths.uplinkDir(u.ifName));
    if (fs.existsSync(pin)) {
      const link = BpfLink.openPinned(deps.sys, pin);
      try {
        const info = link.info();
        if (info.ifindex === u.ifindex) {
          if (info.progId !== prog.info().id) link.update(prog);
          return describeUplink(u);
        }
      } finally {
        link.close();
      }
      unpinLink(deps.sys, pin);
    }
    const link = attachTcx(deps.sys, { program: prog, ifindex: u.ifindex, direction: 'ingress' });
    try {
      link.pin(pin);
    } finally {
      link.close();
    }
    return describeUplink(u);
  } finally {
    dp.close();
  }
}

export function detachUplink(deps: DatapathDeps, u: Omit<UplinkSpec, 'tcx'> & { tcx?: boolean }): boolean {
  const paths = pinPaths(u.bpfRoot);
  let removed = unpinLink(deps.sys, pinOf({ ...u, tcx: u.tcx ?? true }));
  try {
    fs.rmdirSync(paths.uplinkDir(u.ifName));
  } catch {
    // missing or not empty
  }
  if (u.tcx === false && deps.tc) removed = deps.tc.deleteBpfFilter(u.ifindex, 'ingress') || removed;
  return removed;
}
