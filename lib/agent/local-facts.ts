// This node's own networks, read from the kernel on every reconcile (addresses come and go).
import * as NL from '../netlink/constants.js';
import { bytesToIp, ipToBytes, type Netlink } from '../netlink/index.js';
import { parsePrefix, type Prefix } from './cidr.js';
import type { LocalFacts } from './desired.js';

/** Global-scope addresses of every device but loopback, with the network each one is on. */
export function connectedNetworks(nl: Netlink): LocalFacts['connected'] {
  const lo = nl.links().find((l) => l.name === 'lo')?.index;
  const out: LocalFacts['connected'] = [];
  for (const a of nl.addrs()) {
    if (a.index === lo || a.scope !== NL.RT_SCOPE_UNIVERSE) continue;
    const p = parsePrefix(networkOf(a.address, a.prefix));
    if (!('error' in p)) out.push({ prefix: p, address: a.address });
  }
  return out;
}

/** The network of an interface address: 192.168.1.10/24 → 192.168.1.0/24. */
function networkOf(address: string, prefix: number): string {
  const b = ipToBytes(address);
  for (let bit = prefix; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return `${bytesToIp(b)}/${prefix}`;
}

export function parseServiceCIDRs(texts: readonly string[]): Prefix[] {
  return texts.map((t) => {
    const p = parsePrefix(t);
    if ('error' in p) throw new RangeError(`--service-cidr: ${p.error}`);
    return p;
  });
}

/**
 * The MTU the underlay offers: that of the device holding this node's own address (IPv4 first), else of
 * the default route's device, else 1500. The tunnel device gets it minus the encapsulation.
 */
export function underlayMtu(nl: Netlink, selfAddresses: readonly string[]): number {
  const addrs = nl.addrs();
  for (const a of selfAddresses) {
    const held = addrs.find((x) => x.address === a);
    const mtu = held && nl.linkByIndex(held.index)?.mtu;
    if (mtu) return mtu;
  }
  const via = nl.routeTo('203.0.113.1') ?? nl.routeTo('2001:db8::1'); // documentation addresses: only a default route covers them
  return (via?.oif !== undefined && nl.linkByIndex(via.oif)?.mtu) || 1500;
}
