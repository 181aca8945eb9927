// (i) flannel's vxlan backend built by hand, the peer a user would otherwise pick: on each of two node
// netns a kernel vxlan device `flannel.1` (VNI 1, local = the node's underlay address, UDP 8472, no
// learning, MTU uplink − 50) holding the network address of the node's pod subnet as a /32; for the
// other node a route `<its pod subnet> via <its vxlan address> dev flannel.1 onlink`, a permanent
// neighbour (its vxlan address → its vxlan MAC) and an FDB entry (its vxlan MAC → its underlay
// address): what flanneld programs. Pods are plain veth pairs routed by the node (ptp-like), so the
// node stacks forward, as with flannel's cni0 bridge. No podlink code runs here.
import type { Netns } from '../harness.js';
import { vethPair } from '../../support/link.js';
import { nsBatch, nsSysctl } from '../../support/netns.js';
import { sh } from '../../support/sh.js';
import { NET, TUNNEL_UNDERLAY_MTU, VXLAN_OVERHEAD } from './config.js';
import { CLIENT_SYSCTLS } from './measure.js';
import { createNode } from './pods.js';
import { joinNodes } from './two-node.js';

export const FLANNEL_DEV = 'flannel.1';
export const FLANNEL_PORT = 8472;

export interface FlannelNode {
  /** netns name */
  name: string;
  /** pod subnet, a /24 */
  subnet: string;
  /** underlay address */
  underlay: string;
  /** flannel.1's MAC */
  mac: string;
}

/** `10.218.1.0/24` → 10.218.1.0 + n. */
export function hostIn(subnet: string, n: number): string {
  const [a, b, c, d] = subnet.split('/')[0]!.split('.').map(Number);
  return [a, b, c, d! + n].join('.');
}

/** The `ip -batch` lines of one node: its vxlan device, and the route and neighbour to the other node. */
export function flannelIpLines(self: FlannelNode, other: FlannelNode, uplinkMtu: number): string[] {
  return [
    `link add ${FLANNEL_DEV} address ${self.mac} mtu ${uplinkMtu - VXLAN_OVERHEAD} type vxlan id 1 local ${self.underlay} dev ul0 dstport ${FLANNEL_PORT} nolearning`,
    `addr add ${hostIn(self.subnet, 0)}/32 dev ${FLANNEL_DEV}`,
    `link set ${FLANNEL_DEV} up`,
    `neigh add ${hostIn(other.subnet, 0)} lladdr ${other.mac} dev ${FLANNEL_DEV} nud permanent`,
    `route add ${other.subnet} via ${hostIn(other.subnet, 0)} dev ${FLANNEL_DEV} onlink`,
  ];
}

/** The `bridge -batch` line of one node: the other node's vxlan MAC lives behind its underlay address. */
export function flannelFdbLines(other: FlannelNode): string[] {
  return [`fdb add ${other.mac} dev ${FLANNEL_DEV} dst ${other.underlay} self permanent`];
}

export interface PlainPod {
  ns: string;
  ip: string;
}

/**
 * A pod as a plain veth pair: the pod's address as a /32 with its default route via the node-side
 * gateway (the subnet's .1, on every node-side end), and the node's /32 route to the pod.
 */
export function plainPod(netns: Netns, node: string, subnet: string, ns: string, index: number, mtu: number, client: boolean): PlainPod {
  netns.create([ns]);
  nsBatch(ns, ['link set lo up']);
  if (client) nsSysctl(ns, CLIENT_SYSCTLS);
  const ip = hostIn(subnet, 10 + index);
  const gw = hostIn(subnet, 1);
  const dev = `fp${index}`;
  vethPair(
    { ns: node, dev, addrs: [`${gw}/32`], then: [`route add ${ip}/32 dev ${dev} scope link`] },
    { ns, dev: 'eth0', addrs: [`${ip}/32`], then: [`route add default via ${gw} dev eth0 onlink`] },
    { mtu },
  );
  return { ns, ip };
}

export interface FlannelBed {
  nodes: [string, string];
  pods: Record<'c1500' | 's1500' | 'c9000' | 's9000', PlainPod>;
}

/** Two node netns `<id>-fl1`/`<id>-fl2` on their own underlay, flannel.1 on each, a client and a server pod per MTU. */
export function buildFlannel(netns: Netns, id: string): FlannelBed {
  const spec = (i: 1 | 2): FlannelNode => ({
    name: `${id}-fl${i}`, subnet: i === 1 ? NET.flannel1 : NET.flannel2, underlay: NET.flannelUnderlay[i - 1]!, mac: `0a:58:0a:da:0${i}:00`,
  });
  const [a, b] = [spec(1), spec(2)];
  for (const n of [a, b]) createNode(netns, n.name, { uplink: false });
  joinNodes(a, b, NET.flannelUnderlay, TUNNEL_UNDERLAY_MTU);
  for (const [self, other] of [[a, b], [b, a]] as const) {
    nsBatch(self.name, flannelIpLines(self, other, TUNNEL_UNDERLAY_MTU));
    sh('bridge', ['-n', self.name, '-batch', '-'], { input: `${flannelFdbLines(other).join('\n')}\n` });
  }
  return {
    nodes: [a.name, b.name],
    pods: {
      c1500: plainPod(netns, a.name, a.subnet, `${id}-fl-c1500`, 0, 1500, true),
      c9000: plainPod(netns, a.name, a.subnet, `${id}-fl-c9000`, 1, 9000, true),
      s1500: plainPod(netns, b.name, b.subnet, `${id}-fl-s1500`, 0, 1500, false),
      s9000: plainPod(netns, b.name, b.subnet, `${id}-fl-s9000`, 1, 9000, false),
    },
  };
}
