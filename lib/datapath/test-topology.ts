// Test topology (privileged tests only): a "node" netns with pod netns behind veth or netkit pairs,
// /32 routes on the node, default routes in the pods. Nothing here is used by library code.
import * as fs from 'node:fs';
import { Netlink } from '../netlink/index.js';
import { createNetns, inNetns, privateBpffs, sh, type TestNetns } from '../bpf/test-helpers.js';
import type { Sys } from '../sys/index.js';

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

export function buildTopology(sys: Sys, prefix: string, device: PodDevice, ips: string[]): Topology {
  const node = createNetns(sys, `${prefix}-node`);
  const pods: TestPod[] = [];
  const all = [node];
  try {
    // The fast path must not need the stack. /proc/sys/net resolves against the opening thread's netns.
    inNetns(sys, node, () => fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '0'));
    ips.forEach((ip, i) => {
      const ns = createNetns(sys, `${prefix}-p${i + 1}`);
      all.push(ns);
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
            sh('ip', ['netns', 'exec', ns.name, 'ping', '-q', ...args]);
            return true;
          } catch {
            return false;
          }
        },
      });
    });
  } catch (e) {
    for (const n of all.reverse()) n.remove();
    throw e;
  }
  return {
    node,
    pods,
    remove() {
      for (const p of pods) p.ns.remove();
      node.remove();
    },
  };
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
  const fsm = privateBpffs(`podlink-${tag}test`);
  const undo: (() => void)[] = [() => fsm.remove()];
  const remove = () => {
    for (const u of [...undo].reverse()) u();
  };
  try {
    const topo = buildTopology(sys, `podlink-bpftest-${process.pid}-${tag}`, 'veth', ips);
    undo.push(() => topo.remove());
    const inNode = <T>(fn: () => T): T => inNetns(sys, topo.node, fn);
    const tc = inNode(() => Netlink.open(sys));
    undo.push(() => tc.close());
    return { root: `${fsm.dir}/podlink`, topo, tc, inNode, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
