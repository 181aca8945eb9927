// Two node netns joined by a veth underlay (ul0 in each), each routing the other's pod subnet over it,
// and pl_from_uplink attached to both underlays by `podlink probe --write --uplink ul0`, as a node's
// DaemonSet init container would. Used by (f) on the host and by the VM's two-node cases.
import * as path from 'node:path';
import { netnsPath, NSENTER } from '../harness.js';
import { vethPair } from '../../support/link.js';
import { sh } from '../../support/sh.js';
import { NET } from './config.js';
import type { NodeSpec } from './pods.js';

/** n1 holds NET.node1 and n2 NET.node2 (their pod subnets). */
export function joinNodes(n1: NodeSpec, n2: NodeSpec): void {
  const [u1, u2] = NET.underlay;
  vethPair(
    { ns: n1.name, dev: 'ul0', addrs: [`${u1}/24`], then: [`route add default via ${u2} dev ul0`, `route add ${NET.node2} via ${u2} dev ul0`] },
    { ns: n2.name, dev: 'ul0', addrs: [`${u2}/24`], then: [`route add default via ${u1} dev ul0`, `route add ${NET.node1} via ${u1} dev ul0`] },
    { mtu: 9000 },
  );
}

/** Run after the nodes' first ADD (which loads the programs): attaches pl_from_uplink on ul0. */
export function attachUplinks(bin: string, nodes: NodeSpec[]): void {
  for (const n of nodes) {
    sh(NSENTER, [`--net=${netnsPath(n.name)}`, bin, 'probe', '--write', '--mode', n.mode, '--mode-file', path.join(n.dir, 'mode.json'), '--bpf-root', n.bpfRoot, '--uplink', 'ul0']);
  }
}
