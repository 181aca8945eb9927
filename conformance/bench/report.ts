// Reporting shared by the bench suites: the machine description every result carries, markdown
// tables for stdout, number formatting, and the JSON results file under conformance/bench/results/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_DIR } from './harness.js';
import { WIDE_SPREAD, type Spread, type Verdict } from './stats.js';

export interface HostInfo {
  kernel: string;
  kernelVersion: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memTotalMiB: number;
  loadavg: number[];
  node: string;
}

/** What every suite's report says about its run: the machine, when, how long, which executable. */
export interface RunHeader {
  host: HostInfo;
  loadEnd: number[];
  startedAt: Date;
  wallSeconds: number;
  phases: Record<string, number>;
  version: string;
  binSha: string;
}

export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    kernel: os.release(),
    kernelVersion: os.version(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memTotalMiB: Math.round(os.totalmem() / 2 ** 20),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
  };
}

export function loadavg(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

// ---------------------------------------------------------------- formatting

export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

/** "median (min–max)" of a metric across repetitions, with a ⚠ when the spread is wide. */
export function fmtSpread(s: Spread, digits = 1): string {
  if (!Number.isFinite(s.median)) return '–';
  if (s.values.length < 2) return fmt(s.median, digits);
  const warn = s.spread > WIDE_SPREAD ? ' ⚠' : '';
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})${warn}`;
}

export function fmtVerdict(v: Verdict): string {
  return v === 'PASS' ? '**PASS**' : v === 'MISS' ? '**MISS**' : v === 'NOISY' ? '**NOISY**' : 'N/A';
}

export function table(headers: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const a = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const sep = a.map((x) => (x === 'r' ? '---:' : ':---'));
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), `| ${sep.join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------- results file

export const RESULTS_DIR = path.join(BENCH_DIR, 'results');

/** `2026-11-28T01-53-22Z` (ISO 8601 UTC, colons replaced so the name is portable). */
export function isoStamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

/** Writes results/<ISO date>-<suite>.json and returns its path. */
export function writeResults(suite: string, data: unknown, when = new Date(), dir = RESULTS_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${isoStamp(when)}-${suite}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 1)}\n`);
  return file;
}
