// Pod MTU: the config's, else the MTU of the device holding the default route in the runtime's netns.
// Found with one FIB lookup per family (no route dump: dumps grow with the number of pods) for a
// documentation address that only a default route covers (RFC 5737 / RFC 3849).
import type { Netlink } from '../netlink/index.js';

export const FALLBACK_MTU = 1500;
const PROBE_DST = ['203.0.113.1', '2001:db8::1'];

export interface PodMtu {
  mtu: number;
  /** Where it came from, in words. */
  from: string;
}

export function podMtu(configured: number | undefined, nl: Netlink): PodMtu {
  if (configured !== undefined) return { mtu: configured, from: 'from the config' };
  for (const dst of PROBE_DST) {
    const r = nl.routeTo(dst);
    if (r?.oif !== undefined) {
      const l = nl.linkByIndex(r.oif);
      if (l?.mtu) return { mtu: l.mtu, from: `of ${l.name}, the default-route device` };
    }
  }
  return { mtu: FALLBACK_MTU, from: 'fallback: no default route' };
}
