// A veth pair between two netns (or inside one), named and addressed by the caller.
import { nsBatch } from './netns.js';

export interface VethEnd {
  ns: string;
  dev: string;
  /** CIDRs; IPv6 ones get nodad. */
  addrs?: string[];
  /** Extra `ip` lines run in this end's netns once both ends are up, e.g. routes. */
  then?: string[];
  /** Leave the link down. */
  down?: boolean;
}

/** Creates a.dev in a.ns with its peer b.dev in b.ns (the same netns when b.ns === a.ns). */
export function vethPair(a: VethEnd, b: VethEnd, o: { mtu?: number } = {}): void {
  const mtu = o.mtu ? ` mtu ${o.mtu}` : '';
  const peerNs = b.ns === a.ns ? '' : ` netns ${b.ns}`;
  const setup = (e: VethEnd) => [
    ...(e.addrs ?? []).map((cidr) => `addr add ${cidr} dev ${e.dev}${cidr.includes(':') ? ' nodad' : ''}`),
    ...(e.down ? [] : [`link set ${e.dev} up`]),
  ];
  if (b.ns === a.ns) {
    nsBatch(a.ns, [`link add ${a.dev}${mtu} type veth peer name ${b.dev}${mtu}`, ...setup(a), ...setup(b), ...(a.then ?? []), ...(b.then ?? [])]);
    return;
  }
  // Both ends up before either side's routes: a gateway must be on a link with carrier.
  nsBatch(a.ns, [`link add ${a.dev}${mtu} type veth peer name ${b.dev}${peerNs}${mtu}`, ...setup(a)]);
  nsBatch(b.ns, [...setup(b), ...(b.then ?? [])]);
  nsBatch(a.ns, a.then ?? []);
}
