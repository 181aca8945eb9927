// The host testbed: (a) a direct veth pair, (b)/(c) podlink pods on a legacy and a BPF node, (d) the
// same under kube-proxy load, (f) BPF pods on two nodes joined by a veth underlay, routed by `podlink
// agent` on each, (g) those two nodes talking directly, (h) legacy pods on the same two nodes. Every
// netns, link, pin and agent is registered with the run's Cleanup before it is created.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { netnsPath, NSENTER, progress, type Cleanup, type Netns } from '../harness.js';
import { vethPair } from '../../support/link.js';
import { nsBatch, nsSysctl } from '../../support/netns.js';
import { sh } from '../../support/sh.js';
import type { Case } from './cases.js';
import { NET } from './config.js';
import { iptablesRestoreText } from './kube-proxy.js';
import { CLIENT_SYSCTLS, startServers, type Tools } from './measure.js';
import { addPod, createNode, type NodeSpec, type Pod } from './pods.js';
import { attachUplinks, joinNodes, startAgents, underlayAt1500, underlayTarget } from './two-node.js';

export interface HostBed {
  cases: Case[];
  pods: Pod[];
  nodes: Record<'legacy' | 'bpf' | 'legacyLoad' | 'bpfLoad' | 'node1' | 'node2', NodeSpec>;
  /** what the bench attached itself, said in the report */
  notes: string[];
}

export interface BedContext {
  c: Cleanup;
  netns: Netns;
  id: string;
  work: string;
  bin: string;
  bpfBase: string;
  tools: Tools;
}

function direct(x: BedContext): { client: string; server: string } {
  const [a, b] = [`${x.id}-da`, `${x.id}-db`];
  x.netns.create([a, b]);
  for (const ns of [a, b]) nsBatch(ns, ['link set lo up']);
  for (const [dev, mtu, [ipA, ipB]] of [['d15', 1500, NET.direct1500], ['d90', 9000, NET.direct9000]] as const) {
    vethPair({ ns: a, dev, addrs: [`${ipA}/24`] }, { ns: b, dev, addrs: [`${ipB}/24`] }, { mtu });
  }
  nsSysctl(a, CLIENT_SYSCTLS);
  nsSysctl(b, CLIENT_SYSCTLS); // the loopback case runs its client here
  return { client: a, server: b };
}

function nodeSpec(x: BedContext, tag: string, hostRouting: 'bpf' | 'legacy', subnet: string, clusterCIDRs?: string[]): NodeSpec {
  const bpfRoot = path.join(x.bpfBase, tag);
  const dir = path.join(x.work, tag);
  fs.mkdirSync(dir, { recursive: true });
  return { name: `${x.id}-${tag}`, mode: 'veth', hostRouting, subnet, bpfRoot, dir, clusterCIDRs };
}

/** kube-proxy's iptables rules (5000 services) in a node netns; they vanish with the netns. */
export function loadKubeProxy(ns: string): void {
  sh(NSENTER, [`--net=${netnsPath(ns)}`, 'iptables-restore', '-w'], { input: iptablesRestoreText() });
}

export async function buildHostBed(x: BedContext): Promise<HostBed> {
  const notes: string[] = [];
  x.c.add(`remove ${x.bpfBase}`, () => fs.rmSync(x.bpfBase, { recursive: true, force: true }));
  const d = direct(x);
  const nodes: HostBed['nodes'] = {
    legacy: nodeSpec(x, 'legacy', 'legacy', NET.legacy),
    bpf: nodeSpec(x, 'bpf', 'bpf', NET.bpf),
    legacyLoad: nodeSpec(x, 'legacyload', 'legacy', NET.legacyLoad),
    bpfLoad: nodeSpec(x, 'bpfload', 'bpf', NET.bpfLoad),
    node1: nodeSpec(x, 'node1', 'bpf', NET.node1, [NET.cluster]),
    node2: nodeSpec(x, 'node2', 'bpf', NET.node2, [NET.cluster]),
  };
  for (const n of [nodes.legacy, nodes.bpf, nodes.legacyLoad, nodes.bpfLoad]) createNode(x.netns, n.name);
  createNode(x.netns, nodes.node1.name, { uplink: false });
  createNode(x.netns, nodes.node2.name, { uplink: false });
  joinNodes(nodes.node1, nodes.node2);
  underlayAt1500(nodes.node1, nodes.node2);
  nsSysctl(nodes.node1.name, CLIENT_SYSCTLS); // (g)'s client

  type Want = { key: string; node: NodeSpec; mtu: number; client: boolean };
  const want: Want[] = [];
  const pair = (tag: string, client: NodeSpec, server: NodeSpec, mtus: number[]) => {
    for (const mtu of mtus) {
      want.push({ key: `${tag}-c${mtu}`, node: client, mtu, client: true }, { key: `${tag}-s${mtu}`, node: server, mtu, client: false });
    }
  };
  pair('legacy', nodes.legacy, nodes.legacy, [1500, 9000]);
  pair('bpf', nodes.bpf, nodes.bpf, [1500, 9000]);
  pair('legacyload', nodes.legacyLoad, nodes.legacyLoad, [1500]);
  pair('bpfload', nodes.bpfLoad, nodes.bpfLoad, [1500]);
  pair('two', nodes.node1, nodes.node2, [1500, 9000]);
  // (h): the same nodes and network (one IPAM pool per node), pods with hostRouting legacy.
  pair('twoleg', { ...nodes.node1, hostRouting: 'legacy' }, { ...nodes.node2, hostRouting: 'legacy' }, [1500, 9000]);
  progress(`podlink ADD of ${want.length} pods on ${Object.keys(nodes).length} node netns`);
  const pods = new Map<string, Pod>();
  // One ADD per node at a time: the first one of each node probes and loads the BPF objects.
  const byNode = new Map<string, Want[]>();
  for (const w of want) byNode.set(w.node.name, [...(byNode.get(w.node.name) ?? []), w]);
  await Promise.all([...byNode.values()].map(async (ws) => {
    for (const w of ws) pods.set(w.key, await addPod(x.c, x.netns, x.bin, w.node, `${x.id}-${w.key}`, w.mtu, w.client));
  }));
  const pod = (k: string) => pods.get(k)!;

  // What a node's DaemonSet init container does: probe --write attaches pl_from_uplink to the underlay.
  attachUplinks(x.bin, [nodes.node1, nodes.node2]);
  notes.push('(f) `podlink probe --write --uplink ul0` attached pl_from_uplink (tcx ingress) on both nodes\' underlay');
  const agentSeconds = await startAgents(x.c, x.bin, nodes.node1, nodes.node2, 30_000);
  notes.push(`(f), (h) pod routes: \`podlink agent --nodes-file\` on both nodes, each node's protocol-201 route to the other's pod subnet there ${agentSeconds.toFixed(1)} s after the start`);
  loadKubeProxy(nodes.legacyLoad.name);
  loadKubeProxy(nodes.bpfLoad.name);

  const servers = [d.server, nodes.node2.name, ...[...pods.values()].filter((p) => p.ns.includes('-s')).map((p) => p.ns)];
  progress(`starting tcp-mix servers in ${servers.length} netns`);
  await Promise.all(servers.map((s) => startServers(x.c, x.tools, s)));

  const four = (tag: string): Case['targets'] => ({
    tput1500: { client: pod(`${tag}-c1500`).ns, ip: pod(`${tag}-s1500`).ip },
    tput9000: { client: pod(`${tag}-c9000`).ns, ip: pod(`${tag}-s9000`).ip },
    rr: { client: pod(`${tag}-c1500`).ns, ip: pod(`${tag}-s1500`).ip },
    crr: { client: pod(`${tag}-c1500`).ns, ip: pod(`${tag}-s1500`).ip },
  });
  const loaded = (tag: string): Case['targets'] => ({
    tput1500: { client: pod(`${tag}-c1500`).ns, ip: pod(`${tag}-s1500`).ip },
    crr: { client: pod(`${tag}-c1500`).ns, ip: pod(`${tag}-s1500`).ip },
  });
  const cases: Case[] = [
    { key: 'lo', targets: { tput1500: { client: d.server, ip: '127.0.0.1' }, rr: { client: d.server, ip: '127.0.0.1' } } },
    {
      key: 'direct',
      targets: {
        tput1500: { client: d.client, ip: NET.direct1500[1] },
        tput9000: { client: d.client, ip: NET.direct9000[1] },
        rr: { client: d.client, ip: NET.direct1500[1] },
        crr: { client: d.client, ip: NET.direct1500[1] },
      },
    },
    { key: 'legacy', targets: four('legacy') },
    { key: 'bpf', targets: four('bpf') },
    { key: 'legacyLoad', targets: loaded('legacyload') },
    { key: 'bpfLoad', targets: loaded('bpfload') },
    { key: 'twoNode', targets: four('two') },
    {
      key: 'underlay',
      targets: {
        tput1500: underlayTarget(nodes.node1, 1500),
        tput9000: underlayTarget(nodes.node1, 9000),
        rr: underlayTarget(nodes.node1, 1500),
        crr: underlayTarget(nodes.node1, 1500),
      },
    },
    { key: 'twoNodeLegacy', targets: four('twoleg') },
  ];
  return { cases, pods: [...pods.values()], nodes, notes };
}
