// The pinned pl_cidrs LPM trie (BPF host routing's scope, bpf-objects/podlink.h) as two owners share
// it: ADD writes the netconf's clusterCIDRs (value 0, "configured"), the agent writes the pod CIDRs it
// learns from the nodes (value 1, "learned"). The agent removes only learned entries; an ADD that
// writes a CIDR the agent learned turns it into a configured one, which the agent then leaves alone.
// May import: lib/bpf, lib/sys, lib/codec, ./layout, ./object, ./paths.
import * as fs from 'node:fs';
import * as BPF from '../bpf/consts.js';
import { BpfMap, isBpfErrno } from '../bpf/index.js';
import { u32le } from '../codec/index.js';
import { E } from '../sys/index.js';
import type { Sys } from '../sys/index.js';
import { CIDR_LEARNED, decodeCidrKey, encodeCidrKey, encodeCidrOrigin, MAPS } from './layout.js';
import { datapathObject, type DatapathObject } from './object.js';
import { pinPaths } from './paths.js';

/** The pinned pl_cidrs map of this executable's object layout; undefined until the probe pinned it. */
export function openClusterCidrs(sys: Sys, bpfRoot: string, object: DatapathObject = datapathObject()): BpfMap | undefined {
  const spec = object.sharedMaps.find((m) => m.name === MAPS.cidrs);
  const pin = pinPaths(bpfRoot).mapPin(object.layoutHash, MAPS.cidrs);
  if (!spec || !fs.existsSync(pin)) return undefined;
  return BpfMap.openPinned(sys, pin, spec);
}

/** Every entry: CIDR → origin (CIDR_CONFIGURED or CIDR_LEARNED). */
export function readClusterCidrs(map: BpfMap): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of map.entries()) out.set(decodeCidrKey(k), u32le(v, 0));
  return out;
}

/** Adds a learned CIDR unless any entry for it exists (a configured one stays configured). */
export function addLearnedCidr(map: BpfMap, cidr: string): void {
  try {
    map.update(encodeCidrKey(cidr), encodeCidrOrigin(CIDR_LEARNED), BPF.BPF_NOEXIST);
  } catch (e) {
    if (!isBpfErrno(e, E.EEXIST)) throw e; // someone holds it already
  }
}

/** Removes a CIDR only while it is still a learned one. */
export function removeLearnedCidr(map: BpfMap, cidr: string): boolean {
  const key = encodeCidrKey(cidr);
  const v = map.lookup(key);
  if (!v || u32le(v, 0) !== CIDR_LEARNED) return false;
  return map.delete(key);
}
