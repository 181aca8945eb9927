// The bench context: the snapshot of the podlink executable, the node netns, the plugin configurations,
// pod netns, CNI invocations through the `nsenter --net=` wrapper, failure/anomaly bookkeeping, and the
// final check that cleanup left nothing behind.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cleanup, Netns, netnsPath, ownedDir, PLUGIN_PATH, runTimed, type Invocation, type Outcome } from '../harness.js';
import { writeExecutableFile } from '../../../cmd/atomic-copy.js';
import { configureNode, NODE_LO_ADDRS } from '../../support/node.js';
import { WORK_DIR } from '../../support/paths.js';
import { CNI_PATH, CNI_VERSION, UPLINK } from './config.js';
import { compile, Floor, RUSAGE_SOURCE, type FloorKind } from './floor.js';
import type { Options } from './options.js';
import { countIpamAllocations, listDir } from './util.js';

export interface Failure {
  phase: string;
  who: string;
  op: string;
  id: string;
  code: number | null;
  /** set when the call was killed (the harness kills after 60 s) */
  signal: string | null;
  /** wall time of the failed call */
  ms: number;
  out: string;
}

export interface PodlinkNode {
  label: string;
  /** node netns name */
  node: string;
  dir: string;
  bpfRoot: string;
  conf: Record<string, unknown>;
  logFile: string;
}

export class Bench {
  readonly id = `plb${process.pid}`;
  readonly cleanup = new Cleanup();
  readonly netns = new Netns(this.cleanup);
  readonly work: string;
  readonly bin: string;
  readonly node: string;
  readonly main: PodlinkNode;
  /** `--compare`: the other executable's snapshot and the node its calls run on. */
  readonly compare?: { bin: string; sha256: string; node: PodlinkNode };
  readonly ptpConf: Record<string, unknown>;
  /** The kernel floor (floor.c) and the rusage helper (rusage.c), compiled into the work dir. */
  readonly floor: Floor;
  readonly rusage: string;
  readonly hostLocalConf: Record<string, unknown>;
  readonly failures: Failure[] = [];
  readonly warnings: string[] = [];
  readonly anomalies: string[] = [];
  readonly env: Record<string, string> = { PATH: PLUGIN_PATH };

  constructor(
    readonly o: Options,
    readonly nodeBin: string,
    image: Buffer,
  ) {
    this.work = ownedDir(this.cleanup, path.join(WORK_DIR, `bench-${process.pid}`));
    // Snapshot the executable (others may rebuild dist/podlink while the bench runs), written as
    // `podlink install` writes it: the page cache's folio sizes follow the writes (docs/kernel.md#page-cache-folios).
    this.bin = path.join(this.work, 'bin/podlink');
    fs.mkdirSync(path.dirname(this.bin));
    writeExecutableFile(this.bin, image);
    this.node = this.newNode('node');
    this.floor = new Floor(this.cleanup, path.dirname(this.bin), this.node);
    this.rusage = compile(RUSAGE_SOURCE, path.dirname(this.bin));
    this.main = this.podlinkNode(
      'main',
      this.node,
      path.join(this.work, 'podlink'),
      `/sys/fs/bpf/podlink-bench-${process.pid}`,
      '10.201.0.0/16',
      'fd00:201::/64',
    );
    if (o.compare) {
      const bin = path.join(this.work, 'bin/podlink-compare');
      const image = fs.readFileSync(o.compare);
      writeExecutableFile(bin, image);
      const sha256 = crypto.createHash('sha256').update(image).digest('hex');
      const bpfRoot = `/sys/fs/bpf/podlink-bench-${process.pid}-cmp`;
      const node = this.podlinkNode('compare', this.newNode('cmp'), path.join(this.work, 'compare'), bpfRoot, '10.206.0.0/16', 'fd00:206::/64');
      this.compare = { bin, sha256, node };
    }
    this.ptpConf = {
      cniVersion: CNI_VERSION,
      name: 'bench-ptp',
      type: 'ptp',
      ipMasq: false,
      ipam: {
        type: 'host-local',
        dataDir: path.join(this.work, 'ptp/ipam'),
        ranges: [[{ subnet: '10.202.0.0/16' }], [{ subnet: 'fd00:202::/64' }]],
      },
    };
    this.hostLocalConf = {
      cniVersion: CNI_VERSION,
      name: 'bench-host-local',
      type: 'host-local',
      ipam: {
        type: 'host-local',
        dataDir: path.join(this.work, 'host-local/ipam'),
        ranges: [[{ subnet: '10.203.0.0/16' }], [{ subnet: 'fd00:203::/64' }]],
      },
    };
  }

  /**
   * A node netns: lo up with the node addresses (as the testbed has them) and, like a real node, an
   * uplink holding IPv4 and IPv6 default routes (podlink takes the pod MTU from the default-route device).
   */
  newNode(tag: string): string {
    const name = `${this.id}-${tag}`;
    this.netns.create([name]);
    const uplink = { dev: UPLINK, mtu: 1500, addrs: ['192.0.2.1/24', '2001:db8::1/64'], gateways: ['192.0.2.254', '2001:db8::fe'] };
    configureNode(name, { loAddrs: NODE_LO_ADDRS, uplink });
    return name;
  }

  /** Pod-side host links in a node netns (everything but lo and the uplink). */
  podLinks(node: string): string[] {
    return this.netns.links(node).filter((l) => l !== UPLINK && l !== `${UPLINK}p`);
  }

  podlinkNode(label: string, node: string, dir: string, bpfRoot: string, v4: string, v6: string): PodlinkNode {
    fs.mkdirSync(dir, { recursive: true });
    this.cleanup.add(`remove ${bpfRoot}`, () => fs.rmSync(bpfRoot, { recursive: true, force: true }));
    const logFile = path.join(dir, 'podlink.log');
    const conf = {
      cniVersion: CNI_VERSION,
      name: `bench-podlink-${label}`,
      type: 'podlink',
      mode: 'veth',
      modeFile: path.join(dir, 'mode.json'),
      stateDir: path.join(dir, 'state'),
      bpfRoot,
      logFile,
      ipam: { type: 'host-local', dataDir: path.join(dir, 'ipam'), ranges: [[{ subnet: v4 }], [{ subnet: v6 }]] },
    };
    return { label, node, dir, bpfRoot, conf, logFile };
  }

  pods(tag: string, n: number, opts: { noDad?: boolean } = { noDad: true }): string[] {
    const names = Array.from({ length: n }, (_, i) => `${this.id}-${tag}${i}`);
    this.netns.create(names, opts);
    return names;
  }

  cniEnv(op: string, containerId: string, podNs: string): Record<string, string> {
    return { PATH: PLUGIN_PATH, CNI_COMMAND: op, CNI_CONTAINERID: containerId, CNI_NETNS: netnsPath(podNs), CNI_IFNAME: 'eth0', CNI_PATH };
  }

  /** A CNI call through the node netns wrapper; CHECK and DEL carry the ADD result as prevResult (as libcni does). */
  cni(
    file: string,
    conf: Record<string, unknown>,
    node: string,
    op: string,
    containerId: string,
    podNs: string,
    prev?: unknown,
  ): Invocation {
    const body = prev !== undefined && op !== 'ADD' ? { ...conf, prevResult: prev } : conf;
    return { file, env: this.cniEnv(op, containerId, podNs), stdin: JSON.stringify(body), netns: node };
  }

  podlinkCall(n: PodlinkNode, op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    return this.cni(this.bin, n.conf, n.node, op, containerId, podNs, prev);
  }

  /** A call of the `--compare` executable on its own node. */
  compareCall(op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    if (!this.compare) throw new Error('no --compare executable');
    return this.cni(this.compare.bin, this.compare.node.conf, this.compare.node.node, op, containerId, podNs, prev);
  }

  ptpCall(op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    return this.cni(path.join(CNI_PATH, 'ptp'), this.ptpConf, this.node, op, containerId, podNs, prev);
  }

  floorCall(kind: FloorKind, op: 'ADD' | 'DEL', host: string, podNs: string): Invocation {
    return this.floor.call(kind, op, host, podNs, this.node, this.env);
  }

  hostLocalCall(op: string, containerId: string, podNs: string): Invocation {
    return this.cni(path.join(CNI_PATH, 'host-local'), this.hostLocalConf, this.node, op, containerId, podNs);
  }

  /** A baseline process through the same wrapper with the same environment shape. */
  baseline(file: string, args: string[], op: string, containerId: string, podNs: string): Invocation {
    return { file, args, env: this.cniEnv(op, containerId, podNs), stdin: '', netns: this.node };
  }

  run(inv: Invocation): Promise<Outcome> {
    return runTimed(this.cleanup, inv);
  }

  /** Runs and records a failure (non-zero exit); returns the outcome. */
  async call(phase: string, who: string, op: string, id: string, inv: Invocation): Promise<Outcome & { ok: boolean; result?: unknown }> {
    const r = await this.run(inv);
    let result: unknown;
    let ok = r.code === 0;
    if (ok && op === 'ADD' && !['node -e 0', '/bin/true', 'floor', 'floor plain'].includes(who)) {
      try {
        result = JSON.parse(r.stdout);
      } catch {
        ok = false;
      }
    }
    if (!ok)
      this.failures.push({
        phase,
        who,
        op,
        id,
        code: r.code,
        signal: r.signal,
        ms: Math.round(r.ms),
        out: `${r.stdout} ${r.stderr}`.trim().slice(0, 400),
      });
    return { ...r, ok, result };
  }

  /** Host links left in a node netns, IPAM allocations and podlink records: all should be gone after DEL. */
  leftovers(what: string, node: string, dirs: { ipam?: string[]; state?: string }): void {
    const links = this.podLinks(node);
    if (links.length)
      this.anomalies.push(`${what}: ${links.length} link(s) left in the node netns after DEL (${links.slice(0, 3).join(', ')}…)`);
    for (const d of dirs.ipam ?? []) {
      const n = countIpamAllocations(d);
      if (n) this.anomalies.push(`${what}: ${n} IPAM allocation(s) left in ${d}`);
    }
    if (dirs.state) {
      const n = listDir(path.join(dirs.state, 'endpoints')).filter((f) => f.endsWith('.cbor')).length;
      if (n) this.anomalies.push(`${what}: ${n} podlink endpoint record(s) left`);
    }
  }
}

/** After cleanup: nothing of this run may remain (netns, BPF pins, work dir). */
export function verifyClean(b: Bench): string[] {
  const left: string[] = [];
  const mine = listDir('/run/netns').filter((n) => n.startsWith(`${b.id}-`));
  if (mine.length) left.push(`${mine.length} netns (${mine.slice(0, 3).join(', ')}…)`);
  const pins = listDir('/sys/fs/bpf').filter((n) => n === `podlink-bench-${process.pid}` || n.startsWith(`podlink-bench-${process.pid}-`));
  if (pins.length) left.push(`BPF pin dirs ${pins.join(', ')}`);
  if (fs.existsSync(b.work)) left.push(`work dir ${b.work}`);
  return left;
}
