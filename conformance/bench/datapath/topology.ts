// The host testbed: (a) a direct veth pair, (b)/(c) podlink pods on a legacy and a BPF node, (d) the
// same under kube-proxy load, (f) BPF pods on two nodes joined by a veth underlay, routed by `podlink
// agent` on each, (g) those two nodes talking directly, (h) legacy pods on the same two nodes, (i) flannel's
// vxlan design built by hand on two more nodes, (j) BPF pods on two more nodes whose agents route through
// podlink's tunnel. `--cases` builds only what its cases need. Every netns, link, pin and agent is
// registered with the run's Cleanup before it is created.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { netnsPath, NSENTER, progress, type Cleanup, type Netns } from '../harness.js';
import { vethPair } from '../../support/link.js';
import { nsBatch, nsSysctl } from '../../support/netns.js';
import { sh } from '../../support/sh.js';
import { HOST_CASES, type Case, type CaseKey } from './cases.js';
import { NET, TUNNEL_UNDERLAY_MTU, VXLAN_OVERHEAD } from './config.js';
import { buildFlannel, FLANNEL_DEV, hostIn, type FlannelBed } from './flannel.js';
import { iptablesRestoreText } from './kube-proxy.js';
import { CLIENT_SYSCTLS, startServers, type Tools } from './measure.js';
import { addPod, createNode, type NodeSpec, type Pod } from './pods.js';
import { attachUplinks, joinNodes, startAgents, TUNNEL_DEV, underlayAt1500, underlayTarget } from './two-node.js';
import { mtuOf } from './uplink.js';

export interface HostBed {
  cases: Case[];
  pods: Pod[];
  /** the podlink nodes the selected cases needed */
  nodes: Partial<Record<'legacy' | 'bpf' | 'legacyLoad' | 'bpfLoad' | 'node1' | 'node2' | 'tunnel1' | 'tunnel2', NodeSpec>>;
  /** (i)'s two node netns */
  flannelNodes?: [string, string];
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

/** The cases in the order a repetition's first rotation measures them. */
const CASE_ORDER: CaseKey[] = ['lo', ...HOST_CASES.filter((k) => k !== 'lo')];

export async function buildHostBed(x: BedContext, only: readonly CaseKey[] = HOST_CASES): Promise<HostBed> {
  const on = (...ks: CaseKey[]) => ks.some((k) => only.includes(k));
  const notes: string[] = [];
  x.c.add(`remove ${x.bpfBase}`, () => fs.rmSync(x.bpfBase, { recursive: true, force: true }));
  const d = on('direct', 'lo') ? direct(x) : undefined;
  const nodes: HostBed['nodes'] = {};
  if (on('legacy')) nodes.legacy = nodeSpec(x, 'legacy', 'legacy', NET.legacy);
  if (on('bpf')) nodes.bpf = nodeSpec(x, 'bpf', 'bpf', NET.bpf);
  if (on('legacyLoad')) nodes.legacyLoad = nodeSpec(x, 'legacyload', 'legacy', NET.legacyLoad);
  if (on('bpfLoad')) nodes.bpfLoad = nodeSpec(x, 'bpfload', 'bpf', NET.bpfLoad);
  for (const n of [nodes.legacy, nodes.bpf, nodes.legacyLoad, nodes.bpfLoad]) if (n) createNode(x.netns, n.name);
  if (on('twoNode', 'underlay', 'twoNodeLegacy')) {
    nodes.node1 = nodeSpec(x, 'node1', 'bpf', NET.node1, [NET.cluster]);
    nodes.node2 = nodeSpec(x, 'node2', 'bpf', NET.node2, [NET.cluster]);
    createNode(x.netns, nodes.node1.name, { uplink: false });
    createNode(x.netns, nodes.node2.name, { uplink: false });
    joinNodes(nodes.node1, nodes.node2);
    underlayAt1500(nodes.node1, nodes.node2);
    nsSysctl(nodes.node1.name, CLIENT_SYSCTLS); // (g)'s client
  }
  if (on('tunnel')) {
    // (j): its own two nodes (their agents route every pod subnet through podlink_vxlan), on a copy of the underlay
    nodes.tunnel1 = { ...nodeSpec(x, 'tunnel1', 'bpf', NET.tunnel1, [NET.tunnelCluster]), routing: 'tunnel' };
    nodes.tunnel2 = { ...nodeSpec(x, 'tunnel2', 'bpf', NET.tunnel2, [NET.tunnelCluster]), routing: 'tunnel' };
    createNode(x.netns, nodes.tunnel1.name, { uplink: false });
    createNode(x.netns, nodes.tunnel2.name, { uplink: false });
    joinNodes(nodes.tunnel1, nodes.tunnel2, NET.tunnelUnderlay, TUNNEL_UNDERLAY_MTU);
  }
  const flannel = on('flannel', 'vxlanUnderlay', 'vxlanNode') ? buildFlannel(x.netns, x.id) : undefined;
  if (flannel) notes.push(`(i) flannel by hand: ${FLANNEL_DEV} (vxlan id 1, dstport 8472, nolearning, MTU ${TUNNEL_UNDERLAY_MTU - VXLAN_OVERHEAD} on an underlay of ${TUNNEL_UNDERLAY_MTU}), FDB + neighbour + onlink route per peer, veth pods routed by the node`);

  type Want = { key: string; node: NodeSpec; mtu: number | undefined; client: boolean };
  const want: Want[] = [];
  const pair = (tag: string, client: NodeSpec, server: NodeSpec, mtus: number[], conf = (m: number): number | undefined => m): Want[] =>
    mtus.flatMap((mtu) => [{ key: `${tag}-c${mtu}`, node: client, mtu: conf(mtu), client: true }, { key: `${tag}-s${mtu}`, node: server, mtu: conf(mtu), client: false }]);
  if (nodes.legacy) want.push(...pair('legacy', nodes.legacy, nodes.legacy, [1500, 9000]));
  if (nodes.bpf) want.push(...pair('bpf', nodes.bpf, nodes.bpf, [1500, 9000]));
  if (nodes.legacyLoad) want.push(...pair('legacyload', nodes.legacyLoad, nodes.legacyLoad, [1500]));
  if (nodes.bpfLoad) want.push(...pair('bpfload', nodes.bpfLoad, nodes.bpfLoad, [1500]));
  const twoNodes = on('twoNode', 'twoNodeLegacy') ? [nodes.node1!, nodes.node2!] : [];
  if (on('twoNode')) want.push(...pair('two', nodes.node1!, nodes.node2!, [1500, 9000]));
  // (h): the same nodes and network (one IPAM pool per node), pods with hostRouting legacy.
  if (on('twoNodeLegacy')) want.push(...pair('twoleg', { ...nodes.node1!, hostRouting: 'legacy' }, { ...nodes.node2!, hostRouting: 'legacy' }, [1500, 9000]));
  if (nodes.tunnel1) want.push(...pair('tun', nodes.tunnel1, nodes.tunnel2!, [1500]));
  progress(`podlink ADD of ${want.length} pods on ${Object.keys(nodes).length} node netns`);
  const pods = new Map<string, Pod>();
  const addAll = async (wants: Want[]) => {
    // One ADD per node at a time: the first one of each node probes and loads the BPF objects.
    const byNode = new Map<string, Want[]>();
    for (const w of wants) byNode.set(w.node.name, [...(byNode.get(w.node.name) ?? []), w]);
    await Promise.all([...byNode.values()].map(async (ws) => {
      for (const w of ws) pods.set(w.key, await addPod(x.c, x.netns, x.bin, w.node, `${x.id}-${w.key}`, w.mtu, w.client));
    }));
  };
  await addAll(want);
  const pod = (k: string) => pods.get(k)!;

  if (twoNodes.length) {
    // What a node's DaemonSet init container does: probe --write attaches pl_from_uplink to the underlay.
    attachUplinks(x.bin, twoNodes);
    notes.push('(f) `podlink probe --write --uplink ul0` attached pl_from_uplink (tcx ingress) on both nodes\' underlay');
    const agentSeconds = await startAgents(x.c, x.bin, nodes.node1!, nodes.node2!, 30_000);
    notes.push(`(f), (h) pod routes: \`podlink agent --nodes-file\` on both nodes, each node's protocol-201 route to the other's pod subnet there ${agentSeconds.toFixed(1)} s after the start`);
  }
  if (nodes.tunnel1) {
    attachUplinks(x.bin, [nodes.tunnel1, nodes.tunnel2!]);
    const s = await startAgents(x.c, x.bin, nodes.tunnel1, nodes.tunnel2!, 30_000, { underlay: NET.tunnelUnderlay, routing: 'tunnel' });
    // The MTU 9000 pods come after the agents and carry no `mtu`: podlink gives them the tunnel's, from the agent's tunnel.json.
    await addAll(pair('tun', nodes.tunnel1, nodes.tunnel2!, [9000], () => undefined));
    const tunnelMtu = TUNNEL_UNDERLAY_MTU - VXLAN_OVERHEAD;
    const mtus = ['tun-c9000', 'tun-s9000'].map((k) => mtuOf(pod(k).ns, 'eth0'));
    notes.push(`(j) \`podlink agent --routing tunnel\` on both nodes, each node's protocol-201 route through ${TUNNEL_DEV} to the other's pod subnet there ${s.toFixed(1)} s after the start; ` +
      `the pods ADDed after it without \`mtu\` got MTU ${mtus.join(' and ')}${mtus.every((m) => m === tunnelMtu) ? ', the tunnel\'s' : `, not the tunnel's ${tunnelMtu}: (j)'s MTU 9000 samples include PMTU discovery`}`);
  }
  if (nodes.legacyLoad) loadKubeProxy(nodes.legacyLoad.name);
  if (nodes.bpfLoad) loadKubeProxy(nodes.bpfLoad.name);

  const flannelServers = flannel ? [flannel.pods.s1500.ns, flannel.pods.s9000.ns, ...(on('vxlanUnderlay', 'vxlanNode') ? [flannel.nodes[1]] : [])] : [];
  const servers = [...(d ? [d.server] : []), ...(on('underlay') ? [nodes.node2!.name] : []), ...[...pods.values()].filter((p) => p.ns.includes('-s')).map((p) => p.ns), ...flannelServers];
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
  const build: Partial<Record<CaseKey, () => Case['targets']>> = {
    lo: () => ({ tput1500: { client: d!.server, ip: '127.0.0.1' }, rr: { client: d!.server, ip: '127.0.0.1' } }),
    direct: () => ({
      tput1500: { client: d!.client, ip: NET.direct1500[1] },
      tput9000: { client: d!.client, ip: NET.direct9000[1] },
      rr: { client: d!.client, ip: NET.direct1500[1] },
      crr: { client: d!.client, ip: NET.direct1500[1] },
    }),
    legacy: () => four('legacy'),
    bpf: () => four('bpf'),
    legacyLoad: () => loaded('legacyload'),
    bpfLoad: () => loaded('bpfload'),
    twoNode: () => four('two'),
    underlay: () => ({
      tput1500: underlayTarget(nodes.node1!, 1500),
      tput9000: underlayTarget(nodes.node1!, 9000),
      rr: underlayTarget(nodes.node1!, 1500),
      crr: underlayTarget(nodes.node1!, 1500),
    }),
    twoNodeLegacy: () => four('twoleg'),
    flannel: () => plainFour(flannel!),
    tunnel: () => four('tun'),
    // Node to node on (i)'s nodes: over their underlay, and through flannel.1 (node addresses on it, no pod).
    vxlanUnderlay: () => nodeToNode(flannel!.nodes[0], NET.flannelUnderlay[1]!),
    vxlanNode: () => nodeToNode(flannel!.nodes[0], hostIn(NET.flannel2, 0)),
  };
  const cases: Case[] = CASE_ORDER.filter((k) => on(k)).map((key) => ({ key, targets: build[key]!() }));
  return { cases, pods: [...pods.values()], nodes, flannelNodes: flannel?.nodes, notes };
}

/** Between two node netns, whose links have MTU 9000 or more: no MTU 1500 sample. */
function nodeToNode(client: string, ip: string): Case['targets'] {
  return { tput9000: { client, ip }, rr: { client, ip }, crr: { client, ip } };
}

function plainFour(f: FlannelBed): Case['targets'] {
  return {
    tput1500: { client: f.pods.c1500.ns, ip: f.pods.s1500.ip },
    tput9000: { client: f.pods.c9000.ns, ip: f.pods.s9000.ip },
    rr: { client: f.pods.c1500.ns, ip: f.pods.s1500.ip },
    crr: { client: f.pods.c1500.ns, ip: f.pods.s1500.ip },
  };
}
