// Default pod MTU: the MTU of the device holding the default route in the runtime's netns.
import type { Netlink } from '../netlink/index.js';

export const FALLBACK_MTU = 1500;

export function defaultRouteMtu(nl: Netlink): number {
  for (const fam of [4, 6] as const) {
    const def = nl.routes(fam).find((r) => r.table === 254 && (r.dst === '0.0.0.0/0' || r.dst === '::/0') && r.oif !== undefined);
    if (def?.oif !== undefined) {
      const l = nl.linkByIndex(def.oif);
      if (l?.mtu) return l.mtu;
    }
  }
  return FALLBACK_MTU;
}
