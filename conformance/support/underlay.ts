// An underlay for multi-node tests: a bridge netns joining node netns with veth (`ul0` in each node),
// IPv4 and IPv6 addresses per node, and optionally a router netns joining a second subnet (its own
// bridge) so that nodes there are one routed hop away.
import type { Cleanup } from './cleanup.js';
import { vethPair } from './link.js';
import { addNetns, nsBatch, nsSysctl } from './netns.js';

export interface UnderlaySubnet {
  /** The first three octets, e.g. '10.77.1': nodes get .1, .2, ...; the router .254. */
  v4: string;
  /** A /64 prefix without the trailing '::', e.g. 'fd00:77:1'. */
  v6: string;
}

export interface UnderlayNode {
  ns: string;
  /** The node's underlay device. */
  dev: string;
  ip4: string;
  ip6: string;
  subnet: UnderlaySubnet;
}

export interface UnderlaySpec {
  /** Unique per run (include the pid): names the bridge and router netns. */
  tag: string;
  /** Existing node netns on the first subnet. */
  nodes: string[];
  subnet: UnderlaySubnet;
  mtu?: number;
  /** Node netns on a second subnet behind a router netns. */
  routed?: { nodes: string[]; subnet: UnderlaySubnet };
  /** Underlay device name in each node (default ul0). */
  dev?: string;
}

export interface Underlay {
  /** The netns holding the bridge(s). */
  bridge: string;
  router?: string;
  nodes: UnderlayNode[];
}

const ROUTER_HOST = 254;

function attach(bridgeNs: string, br: string, port: string, node: string, dev: string, s: UnderlaySubnet, host: number, mtu?: number, then: string[] = []): UnderlayNode {
  const ip4 = `${s.v4}.${host}`;
  const ip6 = `${s.v6}::${host.toString(16)}`;
  vethPair({ ns: node, dev, addrs: [`${ip4}/24`, `${ip6}/64`], then }, { ns: bridgeNs, dev: port, then: [`link set ${port} master ${br}`] }, { mtu });
  return { ns: node, dev, ip4, ip6, subnet: s };
}

/** Builds the underlay; the bridge and router netns are registered with c, the node netns are the caller's. */
export function addUnderlay(c: Cleanup, spec: UnderlaySpec): Underlay {
  const dev = spec.dev ?? 'ul0';
  const mtu = spec.mtu ? ` mtu ${spec.mtu}` : '';
  const bridge = `${spec.tag}-br`;
  addNetns(bridge, c, { loUp: true });
  nsBatch(bridge, [`link add br0${mtu} type bridge mcast_snooping 0`, 'link set br0 up']);
  const viaRouter = (s: UnderlaySubnet, other?: UnderlaySubnet) =>
    other ? [`route add ${other.v4}.0/24 via ${s.v4}.${ROUTER_HOST}`, `route add ${other.v6}::/64 via ${s.v6}::${ROUTER_HOST.toString(16)}`] : [];
  const routed = spec.routed;
  const nodes = spec.nodes.map((n, i) => attach(bridge, 'br0', `p${i}`, n, dev, spec.subnet, i + 1, spec.mtu, viaRouter(spec.subnet, routed?.subnet)));
  if (!routed) return { bridge, nodes };
  const router = `${spec.tag}-rt`;
  // A router sends neighbour solicitations from its link-local address: no DAD, or the first seconds drop.
  addNetns(router, c, { loUp: true, noDad: true });
  nsSysctl(router, ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  nsBatch(bridge, [`link add br1${mtu} type bridge mcast_snooping 0`, 'link set br1 up']);
  attach(bridge, 'br0', 'r0', router, 'ra', spec.subnet, ROUTER_HOST, spec.mtu);
  attach(bridge, 'br1', 'r1', router, 'rb', routed.subnet, ROUTER_HOST, spec.mtu);
  const far = routed.nodes.map((n, i) => attach(bridge, 'br1', `q${i}`, n, dev, routed.subnet, i + 1, spec.mtu, viaRouter(routed.subnet, spec.subnet)));
  return { bridge, router, nodes: [...nodes, ...far] };
}

/**
 * A host on the first subnet of an underlay that is no node (a stranger, e.g. a forged-traffic sender):
 * the netns is created and registered with c; it gets address `host` of the subnet.
 */
export function addUnderlayHost(c: Cleanup, ul: Underlay, ns: string, host: number, o: { dev?: string; mtu?: number } = {}): UnderlayNode {
  addNetns(ns, c, { loUp: true, noDad: true });
  return attach(ul.bridge, 'br0', `h${host}`, ns, o.dev ?? 'ul0', ul.nodes[0]!.subnet, host, o.mtu);
}
