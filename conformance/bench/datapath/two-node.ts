// Two node netns joined by a veth underlay (ul0 in each, the default route over it), and what a node's
// DaemonSet does on each: `podlink probe --write --uplink ul0` attaches pl_from_uplink, and
// `podlink agent --nodes-file` routes the other node's pod subnet over the underlay (protocol 201).
// Used by (f), (g) and (h) on the host and by the VM's two-node cases and its (g); (j) runs the agents with
// `--routing tunnel` on its own pair of nodes, and (i) joins its nodes the same way.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { netnsPath, NSENTER, stopGently } from '../harness.js';
import type { Cleanup } from '../../support/cleanup.js';
import { vethPair } from '../../support/link.js';
import { nsBatch } from '../../support/netns.js';
import { sh } from '../../support/sh.js';
import { NET } from './config.js';
import type { MixTarget } from './measure.js';
import type { NodeSpec } from './pods.js';

/** n1 holds NET.node1 and n2 NET.node2 (their pod subnets); only the default routes, no pod routes. */
export function joinNodes(n1: Pick<NodeSpec, 'name'>, n2: Pick<NodeSpec, 'name'>, underlay: readonly string[] = NET.underlay, mtu = 9000): void {
  const [u1, u2] = underlay;
  vethPair(
    { ns: n1.name, dev: 'ul0', addrs: [`${u1}/24`], then: [`route add default via ${u2} dev ul0`] },
    { ns: n2.name, dev: 'ul0', addrs: [`${u2}/24`], then: [`route add default via ${u1} dev ul0`] },
    { mtu },
  );
}

/**
 * A second address pair on the same underlay whose subnet route says MTU 1500, so that node-to-node
 * TCP between them uses 1500-byte segments (MSS 1460) like pods at MTU 1500; the first pair stays at 9000.
 */
export function underlayAt1500(n1: NodeSpec, n2: NodeSpec): void {
  for (const [n, ip] of [[n1, NET.underlay1500[0]], [n2, NET.underlay1500[1]]] as const) {
    nsBatch(n.name, [`addr add ${ip}/24 dev ul0 noprefixroute`, `route add ${NET.underlay1500Net} dev ul0 src ${ip} mtu 1500`]);
  }
}

/** (g)'s target: client in node 1, server on node 2's underlay address whose route carries `mtu` (underlayAt1500 for 1500). */
export function underlayTarget(n1: NodeSpec, mtu: 1500 | 9000): MixTarget {
  return { client: n1.name, ip: mtu === 1500 ? NET.underlay1500[1] : NET.underlay[1] };
}

/** Run after the nodes' first ADD (which loads the programs): attaches pl_from_uplink on ul0. */
export function attachUplinks(bin: string, nodes: NodeSpec[]): void {
  for (const n of nodes) {
    sh(NSENTER, [`--net=${netnsPath(n.name)}`, bin, 'probe', '--write', '--mode', n.mode, '--mode-file', path.join(n.dir, 'mode.json'), '--bpf-root', n.bpfRoot, '--uplink', 'ul0']);
  }
}

export interface NodeEntry {
  name: string;
  podCIDRs: string[];
  addresses: string[];
}

/** The agents' nodes file: each node's pod subnet and underlay address (node names are the netns names). */
export function nodesFileEntries(n1: NodeSpec, n2: NodeSpec, underlay: readonly string[] = NET.underlay): NodeEntry[] {
  return [n1, n2].map((n, i) => ({ name: n.name, podCIDRs: [n.subnet], addresses: [underlay[i]!] }));
}

/** The wanted `dst via gw` lines that `ip -j route show proto 201` (its JSON on stdout) lacks. */
export function routesMissing(ipJson: string, want: string[]): string[] {
  const have = new Set((JSON.parse(ipJson.trim() || '[]') as { dst: string; gateway?: string }[]).map((r) => `${r.dst} via ${r.gateway}`));
  return want.filter((w) => !have.has(w));
}

/** The tunnel device podlink's agent routes a tunnelled node's pod subnet through (#16). */
export const TUNNEL_DEV = 'podlink_vxlan';

/**
 * The wanted `dst dev DEV encap dst ADDR` lines that `ip -4 route show proto 201` (text: its JSON repeats
 * the key "dst" for a lightweight tunnel's encap destination) lacks.
 */
export function tunnelRoutesMissing(ipText: string, want: string[]): string[] {
  const have = new Set(ipText.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [dst] = l.split(/\s+/);
    return `${dst} dev ${/\bdev (\S+)/.exec(l)?.[1]} encap dst ${/\bencap ip\b.*?\bdst (\S+)/.exec(l)?.[1]}`;
  }));
  return want.filter((w) => !have.has(w));
}

export interface AgentOptions {
  /** the two nodes' underlay addresses (default NET.underlay) */
  underlay?: readonly string[];
  /** `--routing tunnel`: wait for tunnel routes (TUNNEL_DEV, encap dst the other node) instead of `via` routes */
  routing?: 'tunnel';
}

function routeMissing(ns: string, route: string, tunnel: boolean): boolean {
  if (tunnel) return tunnelRoutesMissing(sh('ip', ['-n', ns, '-4', 'route', 'show', 'proto', '201']), [route]).length > 0;
  return routesMissing(sh('ip', ['-n', ns, '-j', '-4', 'route', 'show', 'proto', '201']), [route]).length > 0;
}

function logTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ').slice(0, 800);
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `podlink agent --nodes-file` in both node netns (stopped by pid at cleanup) and waits until each
 * holds its protocol-201 route to the other's pod subnet; returns the seconds that took.
 */
export async function startAgents(c: Cleanup, bin: string, n1: NodeSpec, n2: NodeSpec, timeoutMs: number, o: AgentOptions = {}): Promise<number> {
  const underlay = o.underlay ?? NET.underlay;
  const tunnel = o.routing === 'tunnel';
  const file = path.join(n1.dir, 'nodes.json');
  fs.writeFileSync(file, JSON.stringify(nodesFileEntries(n1, n2, underlay)));
  const t0 = performance.now();
  const agents = [n1, n2].map((n) => {
    const log = path.join(n.dir, 'agent.log');
    const fd = fs.openSync(log, 'a');
    const child = spawn(NSENTER, [`--net=${netnsPath(n.name)}`, bin, 'agent', '--nodes-file', file, '--node-name', n.name,
      '--mode-file', path.join(n.dir, 'mode.json'), '--state-dir', path.join(n.dir, 'state'), '--bpf-root', n.bpfRoot,
      ...(o.routing ? ['--routing', o.routing] : [])], {
      stdio: ['ignore', fd, fd], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, cwd: '/',
    });
    fs.closeSync(fd);
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    c.add(`stop podlink agent in ${n.name}`, () => stopGently(child.pid, exited));
    return { n, log, exited, child };
  });
  const want = [[n1, n2], [n2, n1]].map(([n, other], i) => ({
    n: n!, route: tunnel ? `${other!.subnet} dev ${TUNNEL_DEV} encap dst ${underlay[1 - i]}` : `${other!.subnet} via ${underlay[1 - i]}`,
  }));
  for (;;) {
    const gone = agents.find((a) => a.exited());
    if (gone) throw new Error(`podlink agent in ${gone.n.name} exited (${gone.child.exitCode ?? gone.child.signalCode}): ${logTail(gone.log)}`);
    const missing = want.filter((w) => routeMissing(w.n.name, w.route, tunnel));
    if (!missing.length) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) {
      const logs = agents.map((a) => `${a.n.name}: ${logTail(a.log)}`).join('; ');
      throw new Error(`no protocol-201 route ${missing.map((w) => `${w.route} in ${w.n.name}`).join(', ')} after ${timeoutMs / 1000} s; agent logs: ${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
