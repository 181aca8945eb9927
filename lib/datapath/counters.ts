// Per-endpoint counters from pl_stats (per-CPU, summed here). May import: lib/bpf, ./load, ./layout.
import type { Sys } from '../sys/index.js';
import * as L from './layout.js';
import { openDatapathMaps } from './load.js';
import type { DatapathObject } from './object.js';

/** Counters of a host ifindex (an endpoint's host side, or an uplink); zeros when there is no entry. */
export function readCounters(sys: Sys, bpfRoot: string, ifindex: number, object?: DatapathObject): L.Counters {
  const maps = openDatapathMaps(sys, bpfRoot, object);
  if (!maps) return L.emptyCounters();
  try {
    const v = maps.get(L.MAPS.stats)!.lookupPerCpu(L.encodeIfindexKey(ifindex));
    return v ? L.decodeStats(v) : L.emptyCounters();
  } finally {
    maps.close();
  }
}
