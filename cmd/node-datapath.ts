// The node-level BPF setup `podlink probe --write` and `podlink install` do: load and pin the programs
// once, move existing pods' links onto them after an upgrade, attach pl_from_uplink to the uplinks:
// the devices of the main table's default routes (IPv4 and IPv6; multipath nexthops are not
// expanded), or the names the operator gives.
import { attachUplink, ensureLoaded, upgradePinnedLinks, type UpgradeReport } from '../lib/datapath/index.js';
import * as NL from '../lib/netlink/constants.js';
import { Netlink } from '../lib/netlink/index.js';
import type { Sys } from '../lib/sys/index.js';

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
      const hint = 'pass --uplink auto, none or existing device names';
      if (!l) throw Object.assign(new Error(`uplink ${name} does not exist`), { hint });
      return { name, ifindex: l.index };
    });
  }
  const oifs = new Set<number>();
  for (const fam of [4, 6] as const) {
    for (const r of nl.routes(fam)) if (r.dst.endsWith('/0') && r.table === NL.RT_TABLE_MAIN && r.oif !== undefined) oifs.add(r.oif);
  }
  return [...oifs]
    .sort((a, b) => a - b)
    .flatMap((i) => {
      const l = nl.linkByIndex(i);
      return l ? [{ name: l.name, ifindex: i }] : [];
    });
}

export interface NodeDatapathReport {
  /** This call loaded and pinned the programs (false: they were pinned already). */
  loaded: boolean;
  upgrade: UpgradeReport;
  uplinks: string[];
}

export function setUpNodeDatapath(sys: Sys, bpfRoot: string, tcx: boolean, uplinkChoice: string): NodeDatapathReport {
  const loaded = ensureLoaded(sys, bpfRoot);
  const nl = Netlink.open(sys);
  try {
    const deps = { sys, tc: nl };
    const upgrade = upgradePinnedLinks(deps, bpfRoot);
    const uplinks = resolveUplinks(nl, uplinkChoice).map((u) => {
      attachUplink(deps, { bpfRoot, ifName: u.name, ifindex: u.ifindex, tcx });
      return `${u.name} (ifindex ${u.ifindex}): pl_from_uplink on ${tcx ? 'tcx' : 'tc clsact'} ingress`;
    });
    return { loaded, upgrade, uplinks };
  } finally {
    nl.close();
  }
}

/** One paragraph for the operator (probe and install print it). */
export function describeNodeDatapath(n: NodeDatapathReport, bpfRoot: string): string[] {
  const u = n.upgrade;
  const links = `${u.updated.length} moved to the new programs, ${u.current} current, ${u.defunct.length} defunct (left for DEL/GC)`;
  return [
    `programs ${n.loaded ? 'loaded and pinned' : 'already pinned'} under ${bpfRoot}`,
    u.skipped ?? `pod links: ${links}`,
    `uplinks: ${n.uplinks.length ? n.uplinks.join('; ') : 'none (no default route, or --uplink none)'}`,
  ];
}
