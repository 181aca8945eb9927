// Reverse of attach: unpin the links, remove the tc filters (when a tc client is given) and the map
// entries. Idempotent: everything missing is fine, and an IP already owned by another ifindex (a
// newer pod) is left alone. May import: lib/bpf, lib/sys, ./load, ./layout, ./paths, ./endpoint.
import * as fs from 'node:fs';
import { BpfLink } from '../bpf/index.js';
import * as L from './layout.js';
import { openDatapathMaps } from './load.js';
import { pinPaths, type EndpointLinkRole } from './paths.js';
import { unpinLink, type DatapathDeps } from './endpoint.js';

export interface DetachSpec {
  bpfRoot: string;
  hostIfName: string;
  /** Proven ours by the caller; when unknown it is read from our pinned links, else no entry is removed. */
  hostIfindex?: number;
  ips: string[];
}

/** Unpin the links, remove the tc filters (if a tc client is given) and the map entries. Idempotent. */
export function detachEndpoint(deps: DatapathDeps, d: DetachSpec): string[] {
  const { sys } = deps;
  const paths = pinPaths(d.bpfRoot);
  const done: string[] = [];
  let ifindex = d.hostIfindex;
  for (const role of ['from-pod', 'to-pod'] as EndpointLinkRole[]) {
    const pin = paths.linkPin(d.hostIfName, role);
    if (ifindex === undefined && fs.existsSync(pin)) {
      try {
        const link = BpfLink.openPinned(sys, pin);
        try {
          ifindex = link.info().ifindex || undefined;
        } finally {
          link.close();
        }
      } catch {
        // unreadable pin: removed below anyway
      }
    }
    if (unpinLink(sys, pin)) done.push(`unpinned ${pin}`);
  }
  try {
    fs.rmdirSync(paths.linksDir(d.hostIfName));
  } catch {
    // missing or not empty
  }
  if (deps.tc && ifindex !== undefined) {
    for (const dir of ['ingress', 'egress'] as const) {
      try {
        if (deps.tc.filters(ifindex, dir).some((f) => f.bpfName?.startsWith('pl_'))) {
          deps.tc.deleteBpfFilter(ifindex, dir);
          done.push(`deleted tc ${dir} filter on ifindex ${ifindex}`);
        }
      } catch {
        // the device is usually gone already, and its filters with it
      }
    }
  }
  const maps = openDatapathMaps(sys, d.bpfRoot, deps.object);
  if (!maps) return done;
  try {
    const eps = maps.get(L.MAPS.endpoints)!;
    for (const ip of d.ips) {
      const key = L.encodeEndpointKey(ip);
      const v = eps.lookup(key);
      if (!v) continue;
      // The IP may already belong to a newer pod: only remove our own entry, and none when we cannot
      // tell which ifindex is ours.
      if (ifindex === undefined || L.decodeEndpointInfo(v).ifindex !== ifindex) continue;
      if (eps.delete(key)) done.push(`deleted ${L.MAPS.endpoints}[${ip}]`);
    }
    if (ifindex !== undefined) {
      const key = L.encodeIfindexKey(ifindex);
      if (maps.get(L.MAPS.podCfg)!.delete(key)) done.push(`deleted ${L.MAPS.podCfg}[${ifindex}]`);
      if (maps.get(L.MAPS.stats)!.delete(key)) done.push(`deleted ${L.MAPS.stats}[${ifindex}]`);
    }
  } finally {
    maps.close();
  }
  return done;
}
