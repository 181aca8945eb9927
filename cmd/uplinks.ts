// The node's uplinks for pl_from_uplink: the devices of the main table's default routes (IPv4 and
// IPv6; multipath nexthops are not expanded), or the names the operator gives.
import { attachUplink, upgradePinnedLinks, type UpgradeReport } from '../lib/datapath/index.js';
import { Netlink, NL } from '../lib/netlink/index.js';
import type { Sys } from '../lib/sys/index.js';
import { tcPortOver } from './datapath-wiring.js';

export interface Uplink {
  name: string;
  ifindex: number;
}

/** `auto`: default-route devices; `none`: no uplink; else a comma-separated list of device names. */
export function resolveUplinks(nl: Netlink, choice: string): Uplink[] {
  if (choice === 'none') return [];
  if (choice !== 'auto') {
    return choice.split(',').map((name) => {
      const l = nl.linkByName(name);
      if (!l) throw Object.assign(new Error(`uplink ${name} does not exist`), { hint: 'pass --uplink auto, none or existing device names' });
      return { name, ifindex: l.index };
    });
  }
  const oifs = new Set<number>();
  for (const fam of [4, 6] as const) {
    for (const r of nl.routes(fam)) if (r.dst.endsWith('/0') && r.table === NL.RT_TABLE_MAIN && r.oif !== undefined) oifs.add(r.oif);
  }
  return [...oifs].sort((a, b) => a - b).flatMap((i) => {
    const l = nl.linkByIndex(i);
    return l ? [{ name: l.name, ifindex: i }] : [];
  });
}

export interface NodeDatapathReport {
  upgrade: UpgradeReport;
  uplinks: string[];
}

/** After the programs are pinned: move existing links onto them, then attach the uplinks. */
export function setUpNodeDatapath(sys: Sys, bpfRoot: string, tcx: boolean, uplinkChoice: string): NodeDatapathReport {
  const nl = Netlink.open(sys);
  try {
    const deps = { sys, tc: tcPortOver(() => nl) };
    const upgrade = upgradePinnedLinks(deps, bpfRoot);
    const uplinks = resolveUplinks(nl, uplinkChoice).map((u) => {
      attachUplink(deps, { bpfRoot, ifName: u.name, ifindex: u.ifindex, tcx });
      return `${u.name} (ifindex ${u.ifindex}): pl_from_uplink on ${tcx ? 'tcx' : 'tc clsact'} ingress`;
    });
    return { upgrade, uplinks };
  } finally {
    nl.close();
  }
}
