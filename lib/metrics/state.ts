// The aggregate state behind the metrics: one small JSON file (default /run/podlink/metrics.json) that
// every CNI call updates under a lock, so counters and histograms add up across the short-lived plugin
// processes. /run is tmpfs: counters restart at boot, which Prometheus treats as a counter reset.
// May import: node builtins, lib/util, ./histogram.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeFile, withLock } from '../util/index.js';
import { DURATION_BUCKETS, emptyHistogram, isHistogram, observe, type Histogram } from './histogram.js';

export const DEFAULT_METRICS_STATE = '/run/podlink/metrics.json';

/** CNI calls keep their aggregate next to the network's mode file (the default mode file gives the default). */
export function metricsStateNextTo(modeFile: string): string {
  return path.join(path.dirname(modeFile), 'metrics.json');
}
export const STATE_VERSION = 1;

/** The commands with their own series; anything else (VERSION, garbage) is not recorded. */
export const RECORDED_COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC'] as const;
export type RecordedCommand = (typeof RECORDED_COMMANDS)[number];

export interface CommandStats {
  duration: Histogram;
  /** CNI error code (as a string) → calls that failed with it. */
  errors: Record<string, number>;
}

export interface MetricsState {
  v: number;
  bounds: number[];
  /** When this state (and so every counter) started. */
  since: string;
  commands: Partial<Record<RecordedCommand, CommandStats>>;
}

export function emptyState(now = new Date()): MetricsState {
  return { v: STATE_VERSION, bounds: [...DURATION_BUCKETS], since: now.toISOString(), commands: {} };
}

export function isRecordedCommand(x: unknown): x is RecordedCommand {
  return typeof x === 'string' && (RECORDED_COMMANDS as readonly string[]).includes(x);
}

/** A CNI error code as a bounded label value: spec and plugin codes are small integers. */
export function codeLabel(code: number | string): string {
  const n = typeof code === 'number' ? code : /^\d{1,4}$/.test(code) ? Number(code) : NaN;
  return Number.isInteger(n) && n > 0 && n < 10_000 ? String(n) : 'other';
}

function validState(x: unknown): x is MetricsState {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  if (s.v !== STATE_VERSION || typeof s.since !== 'string') return false;
  if (!Array.isArray(s.bounds) || s.bounds.length !== DURATION_BUCKETS.length || s.bounds.some((b, i) => b !== DURATION_BUCKETS[i]))
    return false;
  if (typeof s.commands !== 'object' || s.commands === null) return false;
  for (const [cmd, st] of Object.entries(s.commands as Record<string, unknown>)) {
    if (!isRecordedCommand(cmd) || typeof st !== 'object' || st === null) return false;
    const c = st as Record<string, unknown>;
    if (!isHistogram(c.duration)) return false;
    if (typeof c.errors !== 'object' || c.errors === null) return false;
    if (!Object.values(c.errors).every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return false;
  }
  return true;
}

/** The state, or undefined when the file is missing. A corrupt or older-format file reads as missing:
 * metrics restart from zero rather than ever blocking a CNI call. */
export function readState(file = DEFAULT_METRICS_STATE): MetricsState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const x: unknown = JSON.parse(text);
    return validState(x) ? x : undefined;
  } catch {
    return undefined;
  }
}

/** Replace a file by rename without fsync: metrics may lose the last update in a power cut, but a
 * reader never sees a half-written file and the CNI call does not wait for the disk. */
export function replaceFile(file: string, data: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    removeFile(tmp);
    throw e;
  }
}

export interface CallSample {
  command: string;
  durationMs: number;
  /** The CNI error code of a failed call; absent (or 0) for success. */
  code?: number | string;
}

/** Adds one call to the state (in place). Returns false when the command is not recorded. */
export function applyCall(s: MetricsState, call: CallSample): boolean {
  const command = typeof call.command === 'string' ? call.command.toUpperCase() : '';
  if (!isRecordedCommand(command)) return false;
  const st = (s.commands[command] ??= { duration: emptyHistogram(), errors: {} });
  observe(st.duration, Number(call.durationMs) / 1000);
  if (call.code !== undefined && call.code !== 0 && call.code !== '' && call.code !== '0') {
    const k = codeLabel(call.code);
    st.errors[k] = (st.errors[k] ?? 0) + 1;
  }
  return true;
}

/** Read-modify-write of the state file under `<file>.lock`. fn may return false to skip the write. */
export function updateState(file: string, fn: (s: MetricsState) => boolean, lockTimeoutMs = 30_000): MetricsState {
  return withLock(
    `${file}.lock`,
    () => {
      const s = readState(file) ?? emptyState();
      if (fn(s)) replaceFile(file, JSON.stringify(s));
      return s;
    },
    lockTimeoutMs,
  );
}
