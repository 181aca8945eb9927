// Conformance suite plumbing: the version and mode tables, the per-case test wrapper that names a
// test after its checklist item and records its outcome for conformance/report.md, and the small
// helpers every suite file needs (private testbeds, async plugin runs, cnitool lookup).
//
// Owns: conformance/.work/suite-results/<kernel>/*.jsonl (one JSON line per case).
// Imports: node built-ins, tap types, ../../integration/testbed (the node-netns testbed) and
// ../../lib/exec-driver (pluginEnv). No podlink code: the suite only talks to dist/podlink.
import type { Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pluginEnv, type PluginRun, type RunPluginOptions } from '../../support/spawn.js';
import { CNI_PATH, haveNetkitKernel, isRoot, PODLINK, ROOT, Testbed } from '../../integration/testbed.js';
import { ITEM_IDS } from './checklist.js';

export { CNI_PATH, isRoot, PODLINK, ROOT, Testbed };

export const SUITE_DIR = path.join(ROOT, 'conformance/suite');
export const TESTDATA = path.join(SUITE_DIR, 'testdata');
export const KERNEL = os.release();

/** Every CNI spec version, oldest first. */
export const ALL_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type Version = (typeof ALL_VERSIONS)[number];
export const LEGACY_VERSIONS: readonly string[] = ['0.1.0', '0.2.0'];

export function atLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  return true;
}

// ------------------------------------------------------------------ tables

export interface Axis {
  value: string;
  /** Why cases on this value are skipped on this machine; undefined = runnable. */
  skip?: string;
}

export const VERSION_SUBSET = 'VM subset: this cniVersion runs on the host kernel only';

let versionCache: Axis[] | undefined;
/**
 * The versions the suite drives podlink in. podlink hands the whole config to host-local, so a version
 * is testable only where the installed host-local reads it (0.1.0 needs host-local to list it; 1.1.0
 * works through podlink's documented 1.1.0 → 1.0.0 retry).
 */
export function versions(): Axis[] {
  if (versionCache) return versionCache;
  const hl = path.join(CNI_PATH, 'host-local');
  let listed: string[] = [];
  const r = spawnSync(hl, [], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CNI_COMMAND: 'VERSION' }, input: '', encoding: 'utf8' });
  try {
    listed = (JSON.parse(r.stdout) as { supportedVersions: string[] }).supportedVersions;
  } catch {
    listed = [];
  }
  versionCache = ALL_VERSIONS.map((v) =>
    narrowed({
      value: v,
      skip: v === '1.1.0' || listed.includes(v) ? undefined : `host-local in ${CNI_PATH} does not accept cniVersion ${v}`,
    }, 'PODLINK_SUITE_VERSIONS', VERSION_SUBSET),
  );
  return versionCache;
}

let netkitCache: boolean | undefined;
/** Whether this kernel has netkit: the VM tiers' seed mode file says so, else podlink's own probe. */
export function netkitHere(): boolean {
  if (netkitCache === undefined) {
    const seed = seedModeFile();
    netkitCache = seed ? seed.features.netkit === true : isRoot ? haveNetkitKernel() : false;
  }
  return netkitCache;
}

let modeCache: Axis[] | undefined;
/** veth always; netkit and netkit-l2 where podlink's own probe finds netkit (testbed.haveNetkitKernel). */
export function modes(): Axis[] {
  if (modeCache) return modeCache;
  const skip = netkitHere() ? undefined : 'no netkit on this kernel';
  const all: Axis[] = [{ value: 'veth' }, { value: 'netkit', skip }, { value: 'netkit-l2', skip }];
  modeCache = all.map((m) => narrowed(m, 'PODLINK_SUITE_MODES', `VM subset: ${m.value} runs on the host kernel only`));
  return modeCache;
}

/**
 * The VM tiers narrow the tables (the CPU is emulated there): PODLINK_SUITE_MODES and
 * PODLINK_SUITE_VERSIONS list the values to run; the others are skipped, and recorded, with `why`.
 */
export function narrowed(a: Axis, env: string, why: string): Axis {
  const only = process.env[env]?.split(',');
  if (!only || a.skip || only.includes(a.value)) return a;
  return { ...a, skip: why };
}

/**
 * PODLINK_SUITE_MODE_FILE (VM tiers): a mode file `podlink probe --write` made once on this kernel.
 * Each testbed starts with a copy, so ADD reads it instead of probing (seconds per case under CPU
 * emulation), as on a node whose init container has run; the host tier keeps the probe-at-ADD path.
 */
function seedModeFile(): { features: Record<string, unknown> } | undefined {
  const f = process.env.PODLINK_SUITE_MODE_FILE;
  return f ? (JSON.parse(fs.readFileSync(f, 'utf8')) as { features: Record<string, unknown> }) : undefined;
}

/**
 * PODLINK_SUITE_SHARD=i/n: this process runs every n-th case, starting at i (counted over all cases
 * registered in the process, so every shard of the same files sees the same order); the other cases
 * are left to the other shards and neither run nor recorded here.
 */
const SHARD = (process.env.PODLINK_SUITE_SHARD ?? '0/1').split('/').map(Number) as [number, number];
let caseIndex = 0;

export function versionsFrom(min: string): Axis[] {
  return versions().filter((v) => atLeast(v.value, min));
}

export function versionsBelow(max: string): Axis[] {
  return versions().filter((v) => !atLeast(v.value, max));
}

// ------------------------------------------------------------------ results

export type CaseStatus = 'pass' | 'fail' | 'skip';

export interface CaseRecord {
  items: string[];
  name: string;
  kernel: string;
  file: string;
  status: CaseStatus;
  reason?: string;
  failures?: string[];
  ms: number;
  at: string;
}

export function resultsDir(kernel = KERNEL): string {
  return path.join(process.env.PODLINK_SUITE_RESULTS ?? path.join(ROOT, 'conformance/.work/suite-results'), kernel);
}

let resultsFile: string | undefined;
function recordCase(rec: CaseRecord): void {
  if (!resultsFile) {
    const dir = resultsDir();
    fs.mkdirSync(dir, { recursive: true });
    resultsFile = path.join(dir, `${path.basename(rec.file).replace(/\W+/g, '_')}-${process.pid}.jsonl`);
  }
  fs.appendFileSync(resultsFile, `${JSON.stringify(rec)}\n`);
}

/** One failed assertion for the report: its name plus what was found (problem lists are the useful part). */
function failureText(f: object): string {
  const e = f as { name?: unknown; diag?: { found?: unknown; diff?: unknown } | null; message?: unknown };
  const found = e.diag?.found;
  // strictSame(problems, []) failures carry the problem list only in the diff's "+" lines.
  const added = typeof e.diag?.diff === 'string' ? e.diag.diff.split('\n').filter((l) => l.startsWith('+  ')).map((l) => l.slice(3).replace(/,$/, '')) : [];
  const what = found !== undefined ? `: ${typeof found === 'string' ? found : JSON.stringify(found)}` : added.length ? `: ${added.join(' ')}` : '';
  return `${String(e.name ?? e.message ?? 'failed')}${what}`.slice(0, 700);
}

let caseFile: string | undefined;
/** vm-entry.ts: the suite file whose cases are being registered (there all files share one process). */
export function setCaseFile(f: string): void {
  caseFile = f;
}

function callerFile(): string {
  return caseFile ?? path.basename(process.argv[1] ?? 'unknown');
}

/** PODLINK_SUITE_FILES (VM tiers, with vm-entry.ts): the suite files to run; the others' cases are skipped. */
function fileSkip(): string | undefined {
  const only = process.env.PODLINK_SUITE_FILES?.split(',');
  if (!only || !caseFile || only.includes(caseFile.replace(/\.test\.ts$/, ''))) return undefined;
  return 'VM subset: this file runs on the host kernel only';
}

export interface CaseOptions {
  /** Checklist item ids this case gives evidence for (see checklist.ts); [] for the suite's self-test. */
  items: string[];
  /** Section label and text: the test is named "<section>: <title> [<mode> <version>]". */
  section: string;
  title: string;
  mode?: Axis;
  version?: Axis;
  /** An extra reason to skip (missing tool, ...). */
  skip?: string | false;
  timeout?: number;
}

export function caseName(o: Pick<CaseOptions, 'section' | 'title' | 'mode' | 'version'>): string {
  const axes = [o.mode?.value, o.version?.value].filter(Boolean).join(' ');
  return `${o.section}: ${o.title}${axes ? ` [${axes}]` : ''}`;
}

/**
 * One conformance case: a tap subtest named after its checklist section, skipped (with the reason)
 * when its mode/version is not available here, and recorded for the report.
 */
export function conformanceCase(t: Test, o: CaseOptions, fn: (t: Test) => Promise<void> | void): void {
  for (const id of o.items) if (!ITEM_IDS.has(id)) throw new Error(`unknown checklist item ${id} in "${o.title}"`);
  const name = caseName(o);
  if (caseIndex++ % SHARD[1] !== SHARD[0]) return;
  // PODLINK_SUITE_MODELESS_SKIP (VM tiers): the reason to skip the cases that have no datapath mode.
  const modeless = !o.mode && process.env.PODLINK_SUITE_MODELESS_SKIP;
  const skip = (!isRoot ? 'needs root' : undefined) || fileSkip() || o.mode?.skip || o.version?.skip || o.skip || modeless;
  const base = { items: o.items, name, kernel: KERNEL, file: callerFile() };
  if (skip) {
    recordCase({ ...base, status: 'skip', reason: skip, ms: 0, at: new Date().toISOString() });
    t.test(name, { skip }, () => {});
    return;
  }
  let started = Date.now();
  const p = t.test(name, { timeout: (o.timeout ?? 120_000) * (Number(process.env.PODLINK_SUITE_TIMEOUT_SCALE) || 1) }, async (st) => {
    started = Date.now();
    await fn(st);
  });
  void p.then((res) => {
    const ok = res?.ok ?? false;
    recordCase({
      ...base,
      status: ok ? 'pass' : 'fail',
      failures: ok ? undefined : (res?.failures ?? []).slice(0, 3).map(failureText),
      ms: Date.now() - started,
      at: new Date().toISOString(),
    });
  });
}

// ------------------------------------------------------------------ beds and runs

/** A testbed torn down with the test. */
export function bed(t: Test, tag: string): Testbed {
  const b = new Testbed(`s${tag}`);
  t.teardown(() => b.cleanup());
  if (process.env.PODLINK_SUITE_MODE_FILE) fs.copyFileSync(process.env.PODLINK_SUITE_MODE_FILE, b.modeFile);
  return b;
}

/** What the DaemonSet init container does: `podlink probe --write` for the testbed's mode file and bpfRoot. */
export function probeWrite(b: Testbed, mode = 'auto'): void {
  // nsenter --net, not `ip netns exec`: the latter gives the process a private /sys, so pins made
  // under /sys/fs/bpf would vanish with it.
  const r = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'probe', '--mode', mode, '--write', '--mode-file', b.modeFile, '--bpf-root', b.bpfRoot], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`podlink probe --write: exit ${r.status}: ${r.stderr.trim()}`);
}

/** runPlugin, but asynchronous (for the concurrency case): same cleared environment via env -i. */
export function runPluginAsync(opts: RunPluginOptions): Promise<PluginRun> {
  const env = pluginEnv(opts);
  const input = typeof opts.stdin === 'string' ? opts.stdin : JSON.stringify(opts.stdin);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/env', ['-i', ...assignments, opts.plugin], { env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1), signal, timedOut, stdout, stderr, json, env });
    });
    child.stdin.end(input);
  });
}

/** Where the cnitool is: $CNITOOL (a path or a name on PATH) or our conformance/cnitool build. */
export function findCnitool(): { path?: string; skip?: string } {
  const want = process.env.CNITOOL;
  if (want) {
    if (want.includes('/')) return fs.existsSync(want) ? { path: path.resolve(want) } : { skip: `CNITOOL=${want} does not exist` };
    const r = spawnSync('sh', ['-c', `command -v "${want.replace(/"/g, '')}"`], { encoding: 'utf8' });
    const p = r.stdout.trim();
    return r.status === 0 && p ? { path: p } : { skip: `CNITOOL=${want} not found on PATH` };
  }
  if (process.env.PODLINK_SUITE_CNITOOL_SKIP) return { skip: process.env.PODLINK_SUITE_CNITOOL_SKIP };
  const ours = path.join(ROOT, 'conformance/cnitool/cnitool');
  try {
    fs.accessSync(ours, fs.constants.X_OK);
    return { path: ours };
  } catch {
    return { skip: 'cnitool not built (bash conformance/cnitool/build.sh needs go and golang-github-appc-cni-dev)' };
  }
}

/** A deterministic PRNG (mulberry32) so "random order" cases are reproducible from their seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
