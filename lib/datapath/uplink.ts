// from-uplink on the node's uplink devices: tcx ingress link pinned at uplinks/<ifName>/from-uplink,
// or a clsact ingress filter without tcx. May import: lib/bpf, ./load, ./paths, ./endpoint.
import * as fs from 'node:fs';
import { BpfLink, attachTcx, ensurePinDir } from '../bpf/index.js';
import { DatapathError } from './plan.js';
import { unpinLink, type DatapathDeps } from './endpoint.js';
import { openDatapath } from './load.js';
import { pinPaths } from './paths.js';

export interface UplinkSpec {
  bpfRoot: string;
  ifName: string;
  ifindex: number;
  tcx: boolean;
}

export function describeUplink(u: UplinkSpec): string {
  return u.tcx
    ? `bpf: create tcx ingress link running pl_from_uplink on ${u.ifName} (ifindex ${u.ifindex}), ` +
        `pin at ${pinPaths(u.bpfRoot).uplinkPin(u.ifName)}`
    : `tc: attach pl_from_uplink to tc clsact ingress of ${u.ifName} (ifindex ${u.ifindex})`;
}

/** Ensure pl_from_uplink runs on the uplink's ingress (reuses a live pin; replaces a defunct one). */
export function attachUplink(deps: DatapathDeps, u: UplinkSpec): string {
  const dp = openDatapath(deps.sys, u.bpfRoot, { object: deps.object });
  try {
    const prog = dp.programs.get('from-uplink')!;
    if (!u.tcx) {
      if (!deps.tc) throw new DatapathError(`attach uplink ${u.ifName}`, 'no tcx and no tc client');
      deps.tc.ensureClsact(u.ifindex);
      deps.tc.replaceBpfFilter(u.ifindex, 'ingress', prog.fd, 'pl_from_uplink');
      return describeUplink(u);
    }
    const pin = dp.paths.uplinkPin(u.ifName);
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
  let removed = unpinLink(deps.sys, paths.uplinkPin(u.ifName));
  try {
    fs.rmdirSync(paths.uplinkDir(u.ifName));
  } catch {
    // missing or not empty
  }
  if (u.tcx === false && deps.tc) removed = deps.tc.deleteBpfFilter(u.ifindex, 'ingress') || removed;
  return removed;
}
