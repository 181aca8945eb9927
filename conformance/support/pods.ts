// Pod netns without podlink (privileged tests of lib/datapath): a "node" netns with pod netns behind
// veth or netkit pairs, /32 routes on the node, default routes in the pods.
import * as fs from 'node:fs';
import type { EndpointSpec } from '../../lib/datapath/index.js';
import { Netlink } from '../../lib/netlink/index.js';
import type { Sys } from '../../lib/sys/index.js';
import { privateBpffs } from './bpffs.js';
import { Cleanup } from './cleanup.js';
import { createNetns, inNetns, type TestNetns } from './netns-handle.js';
import { nsExec } from './netns.js';

export type PodDevice = 'veth' | 'netkit' | 'netkit-l2';

export interface TestPod {
  ns: TestNetns;
  ip: string;
  hostIf: string;
  hostIfindex: number;
  /** Pod-side MAC (zero for netkit L3). */
  mac: string;
  ping(dst: string, opts?: { count?: number; src?: string }): boolean;
}

export interface Topology {
  node: TestNetns;
  pods: TestPod[];
  remove(): void;
}

const GW = '169.254.1.1';

/** A pod's endpoint as lib/datapath takes it: veth on tcx, anti-spoofing, no cluster CIDRs; `over` on top. */
export function podEndpoint(p: TestPod, bpfRoot: string, over: Partial<EndpointSpec> = {}): EndpointSpec {
  const pod = { hostIfName: p.hostIf, hostIfindex: p.hostIfindex, ips: [p.ip], podMac: p.mac };
  return { bpfRoot, mode: 'veth', tcx: true, ...pod, antiSpoof: true, clusterCIDRs: [], ...over };
}

export function buildTopology(sys: Sys, prefix: string, device: PodDevice, ips: string[]): Topology {
  const { value, cleanup } = Cleanup.scope((c) => {
    const node = createNetns(sys, `${prefix}-node`, c);
    const pods: TestPod[] = [];
    // The fast path must not need the stack. /proc/sys/net resolves against the opening thread's netns.
    inNetns(sys, node, () => fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '0'));
    ips.forEach((ip, i) => {
      const ns = createNetns(sys, `${prefix}-p${i + 1}`, c);
      const hostIf = `plt${i + 1}`;
      if (device === 'veth') {
        node.ip('link', 'add', 'name', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name);
      } else {
        const nl = inNetns(sys, node, () => Netlink.open(sys));
        try {
          nl.createLink({
            name: hostIf,
            info: { kind: 'netkit', mode: device === 'netkit' ? 'l3' : 'l2', policy: 'forward', peerPolicy: 'forward', peer: { name: 'eth0', netnsFd: ns.fd } },
          });
        } finally {
          nl.close();
        }
      }
      node.ip('link', 'set', hostIf, 'up');
      ns.ip('link', 'set', 'eth0', 'up');
      ns.ip('addr', 'add', `${ip}/32`, 'dev', 'eth0');
      const hostMac = node.mac(hostIf);
      const mac = ns.mac('eth0');
      if (device === 'netkit') {
        ns.ip('route', 'add', 'default', 'dev', 'eth0');
      } else {
        ns.ip('route', 'add', GW, 'dev', 'eth0', 'scope', 'link');
        ns.ip('route', 'add', 'default', 'via', GW, 'dev', 'eth0');
        ns.ip('neigh', 'replace', GW, 'lladdr', hostMac, 'dev', 'eth0', 'nud', 'permanent');
        node.ip('neigh', 'replace', ip, 'lladdr', mac, 'dev', hostIf, 'nud', 'permanent');
      }
      node.ip('route', 'add', `${ip}/32`, 'dev', hostIf);
      pods.push({
        ns,
        ip,
        hostIf,
        hostIfindex: node.ifindex(hostIf),
        mac,
        ping(dst, o = {}) {
          const args = ['-c', String(o.count ?? 3), '-i', '0.2', '-W', '1', ...(o.src ? ['-I', o.src] : []), dst];
          try {
            nsExec(ns.name, 'ping', ['-q', ...args]);
            return true;
          } catch {
            return false;
          }
        },
      });
    });
    return { node, pods };
  });
  return { ...value, remove: () => cleanup.runOrThrow() };
}

/** veth pods on a private bpffs, with a netlink socket in the node netns for the legacy tc attach. */
export interface LegacyTcBed {
  /** bpfRoot for the datapath */
  root: string;
  topo: Topology;
  tc: Netlink;
  inNode<T>(fn: () => T): T;
  remove(): void;
}

export function legacyTcBed(sys: Sys, tag: string, ips: string[]): LegacyTcBed {
  const { value, cleanup } = Cleanup.scope((c) => {
    const fsm = privateBpffs(`podlink-${tag}test`, c);
    const topo = buildTopology(sys, `podlink-bpftest-${process.pid}-${tag}`, 'veth', ips);
    c.add('remove topology', () => topo.remove());
    const inNode = <T>(fn: () => T): T => inNetns(sys, topo.node, fn);
    const tc = inNode(() => Netlink.open(sys));
    c.add('close netlink socket', () => tc.close());
    return { root: `${fsm.dir}/podlink`, topo, tc, inNode };
  });
  return { ...value, remove: () => cleanup.runOrThrow() };
}
