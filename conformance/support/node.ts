// A "node" netns: where podlink runs in tests, as kubelet would run it in the host netns.
import type { Cleanup } from './cleanup.js';
import { vethPair } from './link.js';
import { addNetns, nsBatch, nsSysctl } from './netns.js';

/** The node's own addresses on lo, as the integration testbed and the bench have them. */
export const NODE_LO_ADDRS = ['10.0.0.1/32', 'fd00:ffff::1/128'];

export interface Uplink {
  dev: string;
  mtu?: number;
  addrs: string[];
  /** Default-route gateways (IPv4 and/or IPv6) via the uplink. */
  gateways: string[];
}

export interface NodeOptions {
  /** Addresses put on lo (lo is always up). */
  loAddrs?: string[];
  /**
   * Like a real node, an uplink holding the default routes (podlink takes the pod MTU from the
   * default-route device). No dummy driver on every kernel: a veth whose peer `<dev>p` stays in the node.
   */
  uplink?: Uplink;
  /** net.ipv4.ip_forward; left as the kernel default when undefined. */
  forwarding?: boolean;
}

/** Creates the node netns (its deletion registered with c) and sets it up. */
export function addNode(name: string, c: Cleanup | undefined, o: NodeOptions = {}): string {
  addNetns(name, c);
  configureNode(name, o);
  return name;
}

/** Sets up an existing netns as a node. */
export function configureNode(name: string, o: NodeOptions = {}): void {
  nsBatch(name, ['link set lo up', ...(o.loAddrs ?? []).map((a) => `addr add ${a} dev lo`)]);
  if (o.uplink) {
    const u = o.uplink;
    vethPair({ ns: name, dev: u.dev, addrs: u.addrs, then: u.gateways.map((gw) => `route add default via ${gw} dev ${u.dev}`) }, { ns: name, dev: `${u.dev}p` }, { mtu: u.mtu });
  }
  if (o.forwarding !== undefined) nsSysctl(name, [`net.ipv4.ip_forward=${o.forwarding ? 1 : 0}`]);
}
