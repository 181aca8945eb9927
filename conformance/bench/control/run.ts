// `bench control` from start to end: preflight, the testbed, every phase in order (warm-up → cold start →
// latency rounds → peak RSS → ptp as shipped (DAD) → throughput → scaling), cleanup, then the reports.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { progress, ROOT } from '../harness.js';
import { settleNetns } from '../netns-settle.js';
import { fmt, hostInfo, loadavg, type HostInfo } from '../report.js';
import { round } from '../stats.js';
import { addWarnings, analyze } from './analysis.js';
import { coldStart, type ColdRound } from './cold-start.js';
import { DEFAULTS } from './config.js';
import { writeJson } from './json.js';
import { latencyRound, type LatencyRound } from './latency.js';
import { markdown } from './markdown.js';
import { options } from './options.js';
import { preflight } from './preflight.js';
import { baselineNode, embeddedNodeVersion, staleSources } from './provenance.js';
import { ptpWithDad } from './ptp-dad.js';
import type { Measurements, RunInfo } from './record.js';
import { rss, type RssResult } from './rss.js';
import { scaling, type ScaleResult } from './scaling.js';
import { Bench, verifyClean } from './testbed.js';
import { throughput, type TputRun } from './throughput.js';
import { readCalls } from './util.js';
import { warmup, type Warmup } from './warmup.js';

export async function run(argv: string[]): Promise<number> {
  const o = options(argv);
  preflight(o);
  if (o.rounds < 3) process.stderr.write(`bench: --rounds ${o.rounds} < 3: verdicts cannot say NOISY reliably\n`);
  const settled = await settleNetns({
    read: () => (fs.existsSync('/proc/slabinfo') ? fs.readFileSync('/proc/slabinfo', 'utf8') : undefined),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    note: progress,
  });
  const startedAt = new Date();
  const host: HostInfo = hostInfo();
  const phases: Record<string, number> = {};
  const stale = staleSources(o.podlink);
  const buf = fs.readFileSync(o.podlink);
  const binSha = crypto.createHash('sha256').update(buf).digest('hex');
  const embedded = embeddedNodeVersion(buf);
  const nodeBase = baselineNode(o, embedded);
  const b = new Bench(o, nodeBase.path, buf);
  if (!nodeBase.matches)
    b.warnings.push(
      `podlink is built on Node ${embedded ?? '(unknown)'} but the node -e 0 baseline is ${nodeBase.path} ${nodeBase.version}: pass --node`,
    );
  if (settled.waitedS > 0) {
    const what = `the kernel was freeing ${settled.from! - settled.to!} network namespaces (an earlier run's)`;
    b.warnings.push(`${what}: waited ${settled.waitedS} s before measuring${settled.gaveUp ? ', then gave up: expect wide spreads' : ''}`);
  }
  if (stale.length)
    b.warnings.push(
      `${path.relative(ROOT, o.podlink)} is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(', ')}…): rebuild with node build.mjs for current numbers`,
    );
  const version = (await b.run({ file: b.bin, args: ['--version'], env: b.env })).stdout.trim();
  progress(
    `${version} (sha256 ${binSha.slice(0, 12)}), kernel ${host.kernel}, ${host.cpus} CPUs, load ${host.loadavg.join(' ')}; work dir ${path.relative(ROOT, b.work)}`,
  );
  if (host.loadavg[0]! > host.cpus * 0.5)
    progress(`the machine is busy (load ${host.loadavg[0]} on ${host.cpus} CPUs): expect wide spreads and a longer run`);

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
  let steps: Map<string, Record<string, number>>;
  let cleanupErrors: string[] = [];
  try {
    progress('warm-up (first ADD probes the kernel and loads/pins the BPF objects)');
    warm = await warmup(b);
    phase('warm-up');
    progress(`cold start: ${o.rounds} rounds × ${o.coldRuns} × (podlink --version, CNI VERSION, node -e 0)`);
    cold = await coldStart(b, o.rounds, o.coldRuns);
    phase('cold start');
    for (let r = 0; r < o.rounds; r++) {
      progress(
        `latency round ${r + 1}/${o.rounds}: ${o.latencyPods} pods × ADD, CHECK, DEL × (podlink, ptp, host-local, node -e 0, /bin/true; ADD, DEL × floor, floor plain)`,
      );
      lat.push(await latencyRound(b, r, o.latencyPods));
    }
    phase('latency');
    progress(`peak RSS: ${DEFAULTS.rssRuns} × one ADD each${b.compare ? ` (podlink, ptp and --compare ${o.compare})` : ''}`);
    rssRes = await rss(b, DEFAULTS.rssRuns);
    phase('rss');
    if (!o.quick) {
      progress(`ptp as shipped (IPv6 DAD on in the pod netns): ${DEFAULTS.dadPods} ADDs`);
      dad = await ptpWithDad(b, DEFAULTS.dadPods);
      phase('ptp with DAD');
    }
    tput = await throughput(b, o.rounds, o.tputPods);
    phase('throughput');
    const calls = readCalls(b.main.logFile);
    durations = new Map([...calls].map(([k, c]) => [k, c.durationMs]));
    steps = new Map([...calls].map(([k, c]) => [k, c.steps]));
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

  const info: RunInfo = {
    o,
    b,
    host,
    startedAt,
    finishedAt,
    wallSeconds,
    loadEnd,
    phases,
    stale,
    binSha,
    embedded,
    nodeBase,
    version,
    cleanupErrors,
    leftovers,
  };
  const m: Measurements = { warm, cold, lat, rssRes, dad, tput, scale, durations, steps };
  const a = analyze(info, m);
  addWarnings(info, a);
  const md = markdown(info, m, a);
  if (o.json) {
    const file = writeJson(info, m, a);
    md.push(`Results: ${path.relative(ROOT, file)}`);
  }
  process.stdout.write(`${md.join('\n')}\n`);
  progress(`done in ${fmt(wallSeconds, 0)} s`);
  return 0;
}
