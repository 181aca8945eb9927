// Soak: many ADD/DEL cycles against one node, watching for anything that grows.
//
// What is tracked, and how:
//  - Kernel objects in the node netns: links, addresses, routes (every table, both families), permanent
//    neighbours, qdiscs; links left in the pod netns. BPF pins under the bpfRoot. Endpoint records and
//    every other file under the stateDir; host-local's allocations; stray files (locks, temp files) in
//    the testbed dir. Sampled every --sample-every rounds, when no call is in flight, and compared with
//    the node after a warm-up cycle: any difference is growth.
//  - The log: rotated at 10 MiB × 5, so its files must stay bounded.
//  - podlink's own file descriptors. podlink is one short-lived process per call, so an fd it forgets to
//    close dies with it; a count of the node's fds would show nothing. What matters is whether a call
//    ends holding fds it opened (netlink sockets, netns handles, bpf objects): the same code in a longer
//    running process, or on a retry path, would leak them. So every --fd-every rounds one ADD and one DEL
//    run under `strace -f -e trace=exit_group -e inject=exit_group:delay_enter=…`: the process is held
//    at its exit_group(2) entry with every fd still open, /proc/<pid>/fd is read, and the fds are
//    compared with those a VERSION call holds at the same point (Node's own epoll, eventfd, pipes). The
//    only extra fd allowed is the cached handle on podlink's home netns (lib/netns hostNetnsFd). Any
//    other extra fd, or a change in the set from one sample to the next, is reported.
//
//   node --import tsx conformance/reliability/soak.ts [--cycles 10000] [--max-minutes 60] [--lanes 2]
//        [--seed S] [--sample-every 25] [--fd-every 100]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PODLINK, Testbed } from '../integration/testbed.js';
import { runInNode, runPluginAsync, type AsyncPluginRun, type NodeRunOptions } from './async-run.js';
import { counts, diffInventory, inventory, listTree, type Inventory } from './inventory.js';
import { argValue, Prng, seedFrom } from './prng.js';

export interface SoakOptions {
  cycles: number;
  maxMinutes?: number;
  lanes?: number;
  seed: number;
  /** Inventory every N rounds (a round is one cycle per lane). */
  sampleEvery?: number;
  /** fd probe every N rounds (0 = only first and last). */
  fdEvery?: number;
  log?: (s: string) => void;
}

export interface SoakSample {
  cycle: number;
  counts: Record<string, number>;
  diff: string[];
  logFiles: number;
  addMs: number;
}

export interface FdSample {
  cycle: number;
  command: string;
  /** fds held at exit beyond VERSION's (kind per fd), sorted. */
  extras: string[];
}

export interface SoakReport {
  seed: number;
  cycles: number;
  calls: number;
  failures: string[];
  samples: SoakSample[];
  fdSamples: FdSample[];
  fdProblems: string[];
  /** The set of fds held at exit changed between samples of the same command. */
  fdGrowth: string[];
  /** Everything that grew, by the last sample (empty when nothing did). */
  leaks: string[];
  stoppedByTime: boolean;
  ms: number;
}

// ------------------------------------------------------------------------------------------ fds at exit

/** Classify an fd target for comparison: sockets and pipes by kind, netns handles by whose they are. */
function kindOf(target: string, names: Record<string, string>, netlinkInodes: Set<string>): string {
  const m = /^(socket|pipe):\[(\d+)\]$/.exec(target);
  if (m) return m[1] === 'socket' && netlinkInodes.has(m[2]!) ? 'socket:netlink' : m[1]!;
  const ns = /^net:\[(\d+)\]$/.exec(target);
  if (ns) return `netns:${names[ns[1]!] ?? 'other'}`;
  return target;
}

/**
 * The event loop's own fds: its epoll instances, eventfds and self-pipes. A CNI call that loaded the addon
 * ends with _exit(2) (lib/sys/exit.ts) and so still holds them at exit_group; VERSION ends with
 * process.exit, which closes them first. They are the runtime's, never a call's.
 */
const EVENT_LOOP_FDS = new Set(['anon_inode:[eventpoll]', 'anon_inode:[eventfd]', 'pipe:self']);

function inode(p: string): string {
  try {
    return String(fs.statSync(p).ino);
  } catch {
    return '?';
  }
}

/**
 * Runs one call under strace, holds it at exit_group(2) and reads its open fds (except 0-2).
 * Returns null for fds when the process could not be caught (then the caller reports it).
 */
export async function fdsAtExit(
  run: (onSpawn: (pid: number) => void) => Promise<AsyncPluginRun>,
  netnsNames: Record<string, string> = {},
): Promise<{ r: AsyncPluginRun; fds: string[] | null }> {
  let tracer = -1;
  let fds: string[] | null = null;
  let done = false;
  const p = run((pid) => (tracer = pid)).finally(() => (done = true));
  while (!done && fds === null) {
    await new Promise((r) => setTimeout(r, 10));
    if (tracer < 0) continue;
    let children: string[] = [];
    try {
      children = fs.readFileSync(`/proc/${tracer}/task/${tracer}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const c of children) {
      let sc = '';
      try {
        sc = fs.readFileSync(`/proc/${c}/syscall`, 'utf8');
      } catch {
        continue;
      }
      if (!sc.startsWith('231 ')) continue; // exit_group
      const out: string[] = [];
      // /proc/<pid>/net/netlink lists the netlink sockets of the netns the process is in, by inode.
      const netlink = new Set<string>();
      try {
        for (const line of fs.readFileSync(`/proc/${c}/net/netlink`, 'utf8').split('\n').slice(1)) {
          const cols = line.trim().split(/\s+/);
          if (cols.length > 9) netlink.add(cols[cols.length - 1]!);
        }
      } catch {
        // kind stays "socket"
      }
      const targets: string[] = [];
      for (const fd of fs.readdirSync(`/proc/${c}/fd`)) {
        if (Number(fd) <= 2) continue;
        try {
          targets.push(fs.readlinkSync(`/proc/${c}/fd/${fd}`));
        } catch {
          // closed meanwhile
        }
      }
      // A pipe whose two ends the process holds is one of libuv's wake-up pipes, not a child's stdio.
      const ends = (t: string) => targets.filter((x) => x === t).length;
      for (const t of targets) out.push(t.startsWith('pipe:') && ends(t) === 2 ? 'pipe:self' : kindOf(t, netnsNames, netlink));
      fds = out.sort();
    }
  }
  return { r: await p, fds };
}

/** A wrapper that runs podlink in the node netns under strace, held for `holdMs` at exit_group. */
export function straceWrapper(bed: Testbed, holdMs = 600): string {
  const w = path.join(bed.dir, 'podlink-strace-hold');
  fs.writeFileSync(
    w,
    `#!/bin/sh\nexec strace -f -qq -e trace=exit_group -e inject=exit_group:delay_enter=${holdMs * 1000} -o /dev/null nsenter --net=/run/netns/${bed.node} ${PODLINK} "$@"\n`,
    { mode: 0o755 },
  );
  return w;
}

/** Multiset difference a − b. */
function minus(a: string[], b: string[]): string[] {
  const left = [...b];
  const out: string[] = [];
  for (const x of a) {
    const i = left.indexOf(x);
    if (i >= 0) left.splice(i, 1);
    else out.push(x);
  }
  return out;
}

export function haveStrace(): boolean {
  return spawnSync('strace', ['-V']).status === 0;
}

// ------------------------------------------------------------------------------------------ soak

function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const deadline = o.maxMinutes ? started + o.maxMinutes * 60_000 : Infinity;
  const lanes = o.lanes ?? 2;
  const sampleEvery = o.sampleEvery ?? 25;
  const rounds = Math.ceil(o.cycles / lanes);
  const fdEvery = o.fdEvery ?? 100;
  const rng = new Prng(o.seed);
  const bed = new Testbed('soak');
  const report: SoakReport = {
    seed: o.seed,
    cycles: 0,
    calls: 0,
    failures: [],
    samples: [],
    fdSamples: [],
    fdProblems: [],
    fdGrowth: [],
    leaks: [],
    stoppedByTime: false,
    ms: 0,
  };
  const fail = (s: string) => {
    if (report.failures.length < 200) report.failures.push(s);
    o.log?.(`FAIL ${s}`);
  };
  try {
    const pods = Array.from({ length: lanes }, (_, k) => bed.pod(`s${k}`));
    const conf = (mode: string) => bed.conf({ mode, extra: { logLevel: 'info' } });
    // Warm-up: the first ADD probes and writes the mode file and creates the state dirs.
    const w = await runInNode(bed, 'ADD', { containerId: 'soak-warmup', pod: pods[0], conf: conf('auto') });
    if (w.code !== 0) throw new Error(`soak warm-up ADD failed: ${w.stdout}`);
    await runInNode(bed, 'DEL', { containerId: 'soak-warmup', pod: pods[0], conf: conf('auto') });
    const features = (JSON.parse(fs.readFileSync(bed.modeFile, 'utf8')) as { features: { netkit: boolean } }).features;
    const modes = features.netkit ? ['auto', 'veth', 'netkit', 'netkit-l2'] : ['auto', 'veth'];
    const invOpts = { pods, qdiscs: true };
    const wrapper = straceWrapper(bed);
    const files = () => listTree(bed.dir, (r) => /^(state|ipam)(\/|$)|^podlink\.log|^\.?metrics\.json/.test(r));
    const baseline: Inventory & { files?: string[] } = await inventory(bed, invOpts);
    const baseFiles = files();
    const logFiles = () => fs.readdirSync(bed.dir).filter((f) => f.startsWith('podlink.log'));

    // fd probe set-up: what a VERSION call holds at exit.
    const nsNames: Record<string, string> = { [inode(`/run/netns/${bed.node}`)]: 'node' };
    for (const p of pods) nsNames[inode(`/run/netns/${p}`)] = 'pod';
    const strace = haveStrace();
    let versionFds: string[] = [];
    const firstExtras: Record<string, string[]> = {};
    if (strace) {
      const v = await fdsAtExit((onSpawn) => runPluginAsync({ plugin: wrapper, command: 'VERSION', stdin: '', onSpawn }), nsNames);
      if (v.fds === null) report.fdProblems.push('could not hold VERSION at exit_group: fd tracking disabled');
      else versionFds = v.fds;
    } else report.fdProblems.push('strace not installed: fd tracking skipped');
    const probeFds = async (cycle: number, command: string, opts: NodeRunOptions): Promise<AsyncPluginRun> => {
      if (!strace || versionFds.length === 0) return runInNode(bed, command, opts);
      const { r, fds } = await fdsAtExit((onSpawn) => runInNode(bed, command, { ...opts, plugin: wrapper, onSpawn }), nsNames);
      if (fds === null) report.fdProblems.push(`cycle ${cycle} ${command}: could not hold the process at exit_group`);
      else {
        const extras = minus(fds, versionFds);
        report.fdSamples.push({ cycle, command, extras });
        const unexpected = minus(extras, ['netns:node']).filter((k) => !EVENT_LOOP_FDS.has(k));
        if (unexpected.length)
          report.fdProblems.push(
            `cycle ${cycle} ${command} exits holding ${unexpected.join(', ')} (beyond VERSION's fds and the cached home netns handle)`,
          );
        const first = (firstExtras[command] ??= extras);
        if (first.join() !== extras.join())
          report.fdGrowth.push(`cycle ${cycle} ${command}: fds at exit changed from [${first.join(', ')}] to [${extras.join(', ')}]`);
      }
      return r;
    };

    const addMs: number[] = [];
    let round = 0;
    for (; round < rounds; round++) {
      if (Date.now() > deadline) {
        report.stoppedByTime = true;
        break;
      }
      const fdRound = strace && (round === 0 || round === rounds - 1 || (fdEvery > 0 && round % fdEvery === 0));
      await Promise.all(
        pods.map(async (pod, lane) => {
          const cycle = round * lanes + lane;
          if (cycle >= o.cycles) return;
          const mode = rng.pick(modes);
          const c = conf(mode);
          const id = `soak-${lane}-${cycle}-${rng.int(0, 0xffff).toString(16)}`;
          const ifname = rng.chance(0.1) ? 'net1' : 'eth0';
          const opts = { containerId: id, pod, ifname, conf: c };
          const traced = fdRound && lane === 0;
          const add = traced ? await probeFds(cycle, 'ADD', opts) : await runInNode(bed, 'ADD', opts);
          report.calls++;
          addMs.push(add.ms);
          if (add.code !== 0) fail(`cycle ${cycle} ADD (${mode}): ${add.stdout.trim().slice(0, 300)}`);
          if (cycle % 10 === 0 && add.code === 0) {
            const chk = await runInNode(bed, 'CHECK', { ...opts, conf: { ...c, prevResult: add.json } });
            report.calls++;
            if (chk.code !== 0) fail(`cycle ${cycle} CHECK (${mode}): ${chk.stdout.trim().slice(0, 300)}`);
          }
          const del = traced ? await probeFds(cycle, 'DEL', opts) : await runInNode(bed, 'DEL', opts);
          report.calls++;
          if (del.code !== 0 || del.stdout !== '')
            fail(`cycle ${cycle} DEL (${mode}): exit ${del.code} ${del.stdout.trim().slice(0, 300)}`);
          report.cycles++;
        }),
      );
      if ((round + 1) % sampleEvery === 0 || round === rounds - 1) {
        const inv = await inventory(bed, invOpts);
        const f = files();
        const diff = [
          ...diffInventory(baseline, inv),
          ...f.filter((x) => !baseFiles.includes(x)).map((x) => `files: +${x}`),
          ...baseFiles.filter((x) => !f.includes(x)).map((x) => `files: -${x}`),
        ];
        const sample: SoakSample = {
          cycle: report.cycles,
          counts: { ...counts(inv), files: f.length },
          diff,
          logFiles: logFiles().length,
          addMs: percentile(addMs.splice(0), 50),
        };
        report.samples.push(sample);
        if (diff.length) fail(`after ${report.cycles} cycles the node differs from the baseline: ${diff.slice(0, 10).join('; ')}`);
        if (sample.logFiles > 6) fail(`${sample.logFiles} log files: rotation keeps 5`);
        o.log?.(
          `  ${String(report.cycles).padStart(6)} cycles  ${Object.entries(sample.counts)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}  log files=${sample.logFiles}  ADD p50=${sample.addMs} ms${diff.length ? `  GROWTH: ${diff.length}` : ''}`,
        );
      }
    }
    const last = report.samples.at(-1);
    report.leaks = last?.diff ?? [];
  } finally {
    bed.cleanup();
    report.ms = Date.now() - started;
  }
  return report;
}

export function formatSoak(r: SoakReport): string {
  const lines = [
    `soak: seed ${r.seed}, ${r.cycles} ADD/DEL cycles (${r.calls} calls) in ${(r.ms / 1000).toFixed(1)} s${r.stoppedByTime ? ' (stopped by --max-minutes)' : ''}`,
    `  ${r.failures.length} failures, ${r.leaks.length} objects grown, ${r.fdGrowth.length} fd-set changes, ${r.fdProblems.length} fds left open at exit`,
  ];
  const first = r.samples[0];
  const last = r.samples.at(-1);
  if (first && last) {
    lines.push(`  ${'tracked'.padEnd(12)} ${'first'.padStart(7)} ${'last'.padStart(7)}`);
    for (const k of Object.keys(first.counts))
      lines.push(
        `  ${k.padEnd(12)} ${String(first.counts[k]).padStart(7)} ${String(last.counts[k]).padStart(7)}${first.counts[k] !== last.counts[k] ? '  GREW' : ''}`,
      );
    lines.push(`  ADD p50: ${first.addMs} ms at first sample, ${last.addMs} ms at the last`);
  }
  const byCmd = new Map<string, string>();
  for (const s of r.fdSamples) byCmd.set(s.command, `${s.extras.join(', ') || 'none'}`);
  for (const [c, e] of byCmd)
    lines.push(`  fds held at exit beyond VERSION's, ${c}: ${e} (${r.fdSamples.filter((s) => s.command === c).length} samples)`);
  for (const p of [...r.fdGrowth, ...r.fdProblems].slice(0, 10)) lines.push(`  fd: ${p}`);
  for (const f of r.failures.slice(0, 10)) lines.push(`  FAIL ${f}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const seed = seedFrom(argv, 'PODLINK_SOAK_SEED');
  const cycles = Number(argValue(argv, '--cycles') ?? 10_000);
  const maxMinutes = argValue(argv, '--max-minutes');
  process.stdout.write(`soak seed ${seed}: ${cycles} cycles${maxMinutes ? `, at most ${maxMinutes} min` : ''}\n`);
  const r = await runSoak({
    cycles,
    seed,
    maxMinutes: maxMinutes ? Number(maxMinutes) : undefined,
    lanes: Number(argValue(argv, '--lanes') ?? 2),
    sampleEvery: Number(argValue(argv, '--sample-every') ?? 25),
    fdEvery: Number(argValue(argv, '--fd-every') ?? 100),
    log: (s) => process.stdout.write(`${s}\n`),
  });
  process.stdout.write(`${formatSoak(r)}\n`);
  return r.failures.length || r.leaks.length || r.fdProblems.length || r.fdGrowth.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.geteuid?.() !== 0) {
    process.stderr.write('soak needs root (network namespaces)\n');
    process.exit(2);
  }
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 2;
    },
  );
}
