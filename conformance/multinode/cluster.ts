// The multi-node testbed of the agent tier: N "node" netns on one underlay bridge plus nodes on a
// second subnet behind a router netns (conformance/support/underlay.ts), each node with its own
// bpfRoot, mode file, state dir and IPAM dir, pods made by podlink's real CNI ADD, and a
// `podlink agent` process per node. podlink runs through `nsenter --net` so it sees the machine's
// bpffs, as the DaemonSet does. Every netns, pin, directory, pod and process is registered with the
// Cleanup before it is made.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  addNetns, addUnderlay, bpfRoot, netnsPath, nsBatch, nsExec, nsIp, nsSysctl, PLUGIN_PATH, sh, spawnError, type Cleanup, type Underlay, type UnderlayNode,
} from '../support/index.js';
import { COUNTERS, type CounterName } from '../../lib/datapath/index.js';
import { bytesToIp, ipToBytes } from '../../lib/netlink/index.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const PODLINK = process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink');
export const CNI_PATH = process.env.CNI_PLUGIN_DIR ?? '/usr/lib/cni';
const NSENTER = '/usr/bin/nsenter';

export interface ClusterNode {
  /** The node name the agents know it by (n1, n2, ...). */
  name: string;
  ns: string;
  dir: string;
  bpfRoot: string;
  modeFile: string;
  stateDir: string;
  ul: UnderlayNode;
  podCIDRs: [string, string];
  agent?: ChildProcess;
}

export interface Pod {
  name: string;
  ns: string;
  node: ClusterNode;
  hostRouting: 'bpf' | 'legacy';
  containerId: string;
  ip4: string;
  ip6: string;
}

/** What `podlink status --json` says of the agent (the fields the tests read). */
export interface AgentStatusJson {
  nodes: { name: string; path: string; reason?: string }[];
  source: { connected: boolean; synced: boolean; syncErrors: number; lastError?: string; disconnectedSince?: string };
  routes: { installed: number; failures: number; lastError?: string };
}

export interface ClusterOptions {
  /** Unique per run: names netns, pins and directories. */
  tag: string;
  /** Nodes on the first subnet (>= 3 in the tier) and on the routed one. */
  near: number;
  far: number;
  mode?: string;
  serviceCIDR?: string;
  /** The netconf's `routing` (the pods' CNI ADD reads it); the agents take theirs from --routing. */
  routing?: 'native' | 'tunnel' | 'auto';
}

/** The tunnel device's name on every node (tunnel contract). */
export const TUNNEL_DEV = 'podlink_vxlan';

export function nsRun(ns: string, file: string, args: string[], o: { input?: string; allowFail?: boolean; env?: Record<string, string> } = {}) {
  const r = spawnSync(NSENTER, [`--net=${netnsPath(ns)}`, file, ...args], {
    input: o.input, encoding: 'utf8', env: { PATH: PLUGIN_PATH, ...o.env }, timeout: 120_000, maxBuffer: 64 << 20,
  });
  const error = spawnError(r);
  if (!o.allowFail && (r.status !== 0 || error)) {
    throw new Error(`[${ns}] ${file} ${args.join(' ')}: ${error?.message ?? `exit ${r.status ?? r.signal}`}: ${(r.stdout + r.stderr).trim().slice(0, 800)}`);
  }
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export class TestCluster {
  readonly nodes: ClusterNode[] = [];
  readonly pods: Pod[] = [];
  readonly work: string;
  readonly nodesFile: string;
  readonly serviceCIDR: string;
  /** The netns holding the underlay bridge(s): where a test API server listens. */
  bridge = '';
  underlay!: Underlay;

  private constructor(
    private readonly c: Cleanup,
    readonly o: ClusterOptions,
  ) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), `${o.tag}-`));
    c.add(`remove ${this.work}`, () => fs.rmSync(this.work, { recursive: true, force: true }));
    this.nodesFile = path.join(this.work, 'nodes.json');
    this.serviceCIDR = o.serviceCIDR ?? '10.96.0.0/16';
  }

  static build(c: Cleanup, o: ClusterOptions): TestCluster {
    const k = new TestCluster(c, o);
    const names = Array.from({ length: o.near + o.far }, (_, i) => `${o.tag}-n${i + 1}`);
    addNetns(names, c, { loUp: true, noDad: true });
    const ul = addUnderlay(c, {
      tag: o.tag,
      nodes: names.slice(0, o.near),
      subnet: { v4: '10.77.0', v6: 'fd00:77:0' },
      routed: o.far ? { nodes: names.slice(o.near), subnet: { v4: '10.77.1', v6: 'fd00:77:1' } } : undefined,
    });
    k.bridge = ul.bridge;
    k.underlay = ul;
    names.forEach((ns, i) => {
      const dir = path.join(k.work, `n${i + 1}`);
      fs.mkdirSync(dir);
      const node: ClusterNode = {
        name: `n${i + 1}`, ns, dir, bpfRoot: bpfRoot(`${ns}`, c), modeFile: path.join(dir, 'run', 'mode.json'), stateDir: path.join(dir, 'state'),
        ul: ul.nodes.find((u) => u.ns === ns)!, podCIDRs: [`10.244.${i + 1}.0/24`, `fd00:244:${i + 1}::/64`],
      };
      k.nodes.push(node);
      nsSysctl(ns, ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
      c.add(`stop agent of ${node.name}`, () => k.stopAgent(node, 'SIGKILL'));
      nsRun(ns, PODLINK, ['probe', '--write', '--mode', o.mode ?? 'auto', '--mode-file', node.modeFile, '--bpf-root', node.bpfRoot, '--uplink', node.ul.dev]);
    });
    return k;
  }

  node(name: string): ClusterNode {
    return this.nodes.find((n) => n.name === name)!;
  }

  /** The nodes-file entry of each node, as the API would describe it. */
  entries(nodes: ClusterNode[] = this.nodes): { name: string; podCIDRs: string[]; addresses: string[] }[] {
    return nodes.map((n) => ({ name: n.name, podCIDRs: [...n.podCIDRs], addresses: [n.ul.ip4, n.ul.ip6] }));
  }

  /** Replaces the nodes file atomically (rename), as an editor or a config manager would. */
  writeNodesFile(entries: unknown): void {
    const tmp = `${this.nodesFile}.tmp`;
    fs.writeFileSync(tmp, typeof entries === 'string' ? entries : JSON.stringify(entries, null, 1));
    fs.renameSync(tmp, this.nodesFile);
  }

  netconf(n: ClusterNode, hostRouting: 'bpf' | 'legacy', more: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      ...(this.o.routing ? { routing: this.o.routing } : {}), ...more,
      cniVersion: '1.0.0', name: 'mn', type: 'podlink', hostRouting, mode: this.o.mode ?? 'auto', // one network: one IPAM pool
      modeFile: n.modeFile, stateDir: n.stateDir, bpfRoot: n.bpfRoot, logFile: path.join(n.dir, 'podlink.log'),
      ipam: {
        type: 'host-local', dataDir: path.join(n.dir, 'ipam'),
        ranges: [[{ subnet: n.podCIDRs[0] }], [{ subnet: n.podCIDRs[1] }]],
      },
    };
  }

  private cni(n: ClusterNode, op: string, p: { containerId: string; ns: string; hostRouting: 'bpf' | 'legacy'; conf?: Record<string, unknown> }) {
    return nsRun(n.ns, '/usr/bin/env', ['-i', `PATH=${PLUGIN_PATH}`, `CNI_COMMAND=${op}`, `CNI_CONTAINERID=${p.containerId}`,
      `CNI_NETNS=${netnsPath(p.ns)}`, 'CNI_IFNAME=eth0', `CNI_PATH=${CNI_PATH}`, PODLINK],
    { input: JSON.stringify(this.netconf(n, p.hostRouting, p.conf)), allowFail: true });
  }

  /** A pod by CNI ADD; `conf` adds to (or overrides) the podlink plugin object, e.g. { mtu: 1500 }. */
  addPod(n: ClusterNode, name: string, hostRouting: 'bpf' | 'legacy' = 'bpf', conf?: Record<string, unknown>): Pod {
    const ns = `${this.o.tag}-${name}`;
    addNetns(ns, this.c, { loUp: true, noDad: true });
    const containerId = `${this.o.tag}-${name}`;
    this.c.add(`DEL pod ${name}`, () => {
      const r = this.cni(n, 'DEL', { containerId, ns, hostRouting, conf });
      if (r.code !== 0) throw new Error(`DEL ${name}: ${r.stdout}${r.stderr}`);
    });
    const r = this.cni(n, 'ADD', { containerId, ns, hostRouting, conf });
    if (r.code !== 0) throw new Error(`ADD ${name} on ${n.name}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    const res = JSON.parse(r.stdout) as { ips: { address: string }[] };
    const ip = (f: string) => res.ips.map((x) => x.address.split('/')[0]!).find((a) => a.includes(f))!;
    const pod: Pod = { name, ns, node: n, hostRouting, containerId, ip4: ip('.'), ip6: ip(':') };
    this.pods.push(pod);
    return pod;
  }

  agentArgs(n: ClusterNode, source: string[]): string[] {
    return ['agent', ...source, '--node-name', n.name, '--mode-file', n.modeFile, '--state-dir', n.stateDir, '--bpf-root', n.bpfRoot,
      '--service-cidr', this.serviceCIDR, '--resync', '2', '--log-level', 'debug'];
  }

  /** Starts `podlink agent` in the node's netns; its log goes to <dir>/agent.log. */
  startAgent(n: ClusterNode, source: string[] = ['--nodes-file', this.nodesFile], extra: string[] = []): ChildProcess {
    if (n.agent) throw new Error(`agent of ${n.name} already runs`);
    const log = fs.openSync(path.join(n.dir, 'agent.log'), 'a');
    const child = spawn(NSENTER, [`--net=${netnsPath(n.ns)}`, PODLINK, ...this.agentArgs(n, source), ...extra], {
      stdio: ['ignore', log, log], env: { PATH: PLUGIN_PATH },
    });
    fs.closeSync(log);
    n.agent = child;
    child.once('exit', () => {
      if (n.agent === child) n.agent = undefined;
    });
    return child;
  }

  /** Ends the node's agent (the one this test started, by its PID) and waits for it to go. */
  stopAgent(n: ClusterNode, signal: NodeJS.Signals = 'SIGTERM'): void {
    const child = n.agent;
    if (!child?.pid) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && alive(child.pid)) spawnSync('sleep', ['0.05']);
    n.agent = undefined;
  }

  agentLog(n: ClusterNode): string {
    try {
      return fs.readFileSync(path.join(n.dir, 'agent.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** The node's protocol-201 routes, as `ip route` reports them: "dst via gw", or "dst tunnel <underlay address>". */
  routes(n: ClusterNode): string[] {
    const out: string[] = [];
    for (const f of ['-4', '-6']) {
      // Text, not -j: with an encap, iproute2's JSON has two "dst" keys (the route's and the outer one).
      for (const line of nsIp(n.ns, [f, 'route', 'show', 'proto', '201']).split('\n').filter(Boolean)) {
        const dst = line.split(/\s+/)[0]!;
        const full = dst.includes('/') ? dst : `${dst}/${f === '-4' ? 32 : 128}`;
        const tunnel = / encap ip6? .*?\bdst (\S+)/.exec(line);
        out.push(tunnel ? `${full} tunnel ${tunnel[1]}` : `${full} via ${/ via (\S+)/.exec(line)?.[1]}`);
      }
    }
    return out.sort();
  }

  /** Every main-table route of the node, as `ip route` prints them (both families). */
  routesAll(n: ClusterNode): string {
    return `${nsIp(n.ns, ['-4', 'route'])}${nsIp(n.ns, ['-6', 'route'])}`;
  }

  status(n: ClusterNode): { agent: AgentStatusJson | null } & Record<string, unknown> {
    const r = nsRun(n.ns, PODLINK, ['status', '--json', '--mode-file', n.modeFile, '--state-dir', n.stateDir, '--bpf-root', n.bpfRoot]);
    return JSON.parse(r.stdout);
  }

  /** Learned and configured entries of the node's pl_cidrs map, read with bpftool (observation only). */
  clusterCidrCount(n: ClusterNode): number {
    return this.mapDump(n, 'pl_cidrs').length;
  }

  /** The entries of one of the node's pinned maps (bpftool -j); [] while it is not pinned. */
  mapDump(n: ClusterNode, map: string): MapEntry[] {
    const pins = sh('find', [path.join(n.bpfRoot, 'maps'), '-name', map]).trim().split('\n').filter(Boolean);
    if (!pins.length) return [];
    return JSON.parse(sh('bpftool', ['-j', 'map', 'dump', 'pinned', pins[0]!])) as MapEntry[];
  }

  /** One counter of a pod's endpoint (packets), as `podlink status --json` on its node reports it. */
  endpointPackets(p: Pod, counter: CounterName): number {
    const eps = this.status(p.node).endpoints as { containerId: string; counters: Record<string, { packets: string }> }[];
    return Number(eps.find((e) => e.containerId === p.containerId)?.counters[counter]?.packets ?? 0);
  }

  /** One pl_stats counter's packets (summed over CPUs) for an ifindex, read with bpftool; 0 without an entry. */
  statsPackets(n: ClusterNode, ifindex: number, counter: CounterName): number {
    const pin = sh('find', [path.join(n.bpfRoot, 'maps'), '-name', 'pl_stats']).trim().split('\n')[0];
    if (!pin) return 0;
    const key = [...Buffer.from(new Uint32Array([ifindex]).buffer)].map((b) => String(b));
    const out = sh('bpftool', ['-j', 'map', 'lookup', 'pinned', pin, 'key', ...key], { allowFail: true });
    if (!out) return 0;
    const at = COUNTERS.indexOf(counter) * 16;
    return (JSON.parse(out) as { values: { value: string[] }[] }).values
      .reduce((sum, v) => sum + Number(Buffer.from(v.value.map((b) => Number(b))).readBigUInt64LE(at)), 0);
  }

  /** pl_tunnel as "pod CIDR → node address", sorted. */
  tunnelMap(n: ClusterNode): string[] {
    return this.mapDump(n, 'pl_tunnel').map((e) => {
      const [k, v] = [keyBytes(e, 'key'), keyBytes(e, 'value')];
      const len = k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24);
      return `${addrOf(k[4]!, k.subarray(8))}/${len - 32} → ${addrOf(v[0]!, v.subarray(4))}`;
    }).sort();
  }

  /** pl_tunnel_peers: the underlay addresses from-tunnel admits, sorted. */
  tunnelPeers(n: ClusterNode): string[] {
    return this.mapDump(n, 'pl_tunnel_peers').map((e) => {
      const k = keyBytes(e, 'key');
      return addrOf(k[0]!, k.subarray(4));
    }).sort();
  }

  /** The node's lightweight-tunnel routes (proto 201 on the tunnel device) as "dst → outer dst", both families. */
  tunnelRoutes(n: ClusterNode): string[] {
    const out: string[] = [];
    for (const f of ['-4', '-6']) {
      // Text, not -j: the JSON form of an encap route has two "dst" keys.
      const text = nsIp(n.ns, [f, 'route', 'show', 'proto', '201', 'dev', TUNNEL_DEV], { allowFail: true });
      for (const line of text.split('\n').filter(Boolean)) {
        const m = /^(\S+) .*encap ip(?:6)? id (\d+) .*dst (\S+)/.exec(line);
        out.push(m ? `${m[1]} → ${m[3]} id ${m[2]}` : `unparsed: ${line}`);
      }
    }
    return out.sort();
  }

  /** `ip -d -j link show podlink_vxlan` in the node, or undefined when there is no such device. */
  tunnelDevice(n: ClusterNode): TunnelDevice | undefined {
    const out = nsIp(n.ns, ['-d', '-j', 'link', 'show', 'dev', TUNNEL_DEV], { allowFail: true });
    return out ? (JSON.parse(out) as TunnelDevice[])[0] : undefined;
  }

  /** A device's MTU in a netns (a pod's eth0, a node's uplink). */
  mtu(ns: string, dev: string): number {
    return (JSON.parse(nsIp(ns, ['-j', 'link', 'show', 'dev', dev])) as { mtu: number }[])[0]!.mtu;
  }

  /** The agent's verdict per node: name → path. */
  paths(n: ClusterNode): Record<string, string> {
    return Object.fromEntries((this.status(n).agent?.nodes ?? []).map((x) => [x.name, x.path]));
  }

  /** One echo answered within three tries (a loaded machine can miss one deadline; a broken path misses all). */
  ping(from: string, to: string): boolean {
    for (let i = 0; i < 3; i++) {
      if (spawnSync('ip', ['netns', 'exec', from, 'ping', '-c', '1', '-W', '1', to], { env: { PATH: PLUGIN_PATH } }).status === 0) return true;
    }
    return false;
  }

  /** Adds a route in a node by hand (a foreign route the agent must leave alone). */
  batch(n: ClusterNode, lines: string[]): void {
    nsBatch(n.ns, lines);
  }
}

export interface MapEntry {
  key: string[] | unknown;
  value: string[] | unknown;
  formatted?: { key: unknown; value: unknown };
}

export interface TunnelDevice {
  ifindex: number;
  mtu: number;
  address: string;
  flags: string[];
  linkinfo: { info_kind: string; info_data: { external?: boolean; port?: number; learning?: boolean; id?: number } };
}

/** The bytes of a bpftool -j entry's key or value: its raw hex (BTF-formatted output also keeps it). */
function keyBytes(e: MapEntry, what: 'key' | 'value'): Buffer {
  const raw = e[what];
  if (!Array.isArray(raw)) throw new Error(`bpftool entry without raw ${what}: ${JSON.stringify(e)}`);
  return Buffer.from(raw.map((b) => Number(b)));
}

function addrOf(family: number, addr: Buffer): string {
  return bytesToIp(family === 2 ? addr.subarray(0, 4) : addr.subarray(0, 16));
}

/** A zombie counts as gone: this synchronous wait never lets Node's event loop reap the child. */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls fn until it returns true or the time is up; returns how long it took (ms) or -1. */
export async function waitFor(fn: () => boolean, timeoutMs: number, everyMs = 20): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    let ok = false;
    try {
      ok = fn();
    } catch {
      ok = false;
    }
    if (ok) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) return -1;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The kernel's text form of an address (what `ip -j route` prints). */
export function canonical(ip: string): string {
  return bytesToIp(ipToBytes(ip));
}

/** Packets the node's stack forwarded, IPv4 + IPv6 (/proc/net/snmp{,6} of the netns). */
export function forwarded(ns: string): number {
  const snmp = nsExec(ns, 'cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:'));
  const [head, vals] = [snmp[0]!.split(/\s+/), snmp[1]!.split(/\s+/)];
  const v4 = Number(vals[head.indexOf('ForwDatagrams')]);
  const v6 = Number(/Ip6OutForwDatagrams\s+(\d+)/.exec(nsExec(ns, 'cat', ['/proc/net/snmp6']))?.[1] ?? 0);
  return v4 + v6;
}
