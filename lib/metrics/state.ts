// The aggregate state behind the metrics, so counters and histograms add up across the short-lived plugin
// processes: a CNI call appends one line to a journal (<state>.calls, O_APPEND, no lock), and a fold,
// under a lock, adds the journal's new lines to one small JSON file (default /run/podlink/metrics.json)
// and remembers how far it read. A call folds when it also refreshes the textfile or the journal has
// grown past FOLD_BYTES; readers add the unfolded lines in memory. /run is tmpfs: counters restart at
// boot, which Prometheus treats as a counter reset. docs/architecture.md#on-disk-layout.
// May import: node builtins, lib/util, ./histogram.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isoTime, mkdirp, removeFile, withLock } from '../util/index.js';
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
  /** How much of which journal file the counters hold already. */
  journal?: { ino: number; offset: number };
}

export function emptyState(now = new Date()): MetricsState {
  return { v: STATE_VERSION, bounds: [...DURATION_BUCKETS], since: isoTime(now), commands: {} };
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
  if (s.journal !== undefined) {
    const j = s.journal as Record<string, unknown>;
    if (typeof j !== 'object' || j === null || ![j.ino, j.offset].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return false;
  }
  for (const [cmd, st] of Object.entries(s.commands as Record<string, unknown>)) {
    if (!isRecordedCommand(cmd) || typeof st !== 'object' || st === null) return false;
    const c = st as Record<string, unknown>;
    if (!isHistogram(c.duration)) return false;
    if (typeof c.errors !== 'object' || c.errors === null) return false;
    if (!Object.values(c.errors).every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return false;
  }
  return true;
}

/** A call that finds the journal this long folds it (about 3000 calls). */
export const FOLD_BYTES = 64 << 10;

export function journalFile(stateFile: string): string {
  return `${stateFile}.calls`;
}

/** One call as a journal line: "<COMMAND> <ms> <code label or 0>". */
function journalLine(call: CallSample): string | undefined {
  const command = typeof call?.command === 'string' ? call.command.toUpperCase() : '';
  if (!isRecordedCommand(command)) return undefined;
  const ms = Number(call.durationMs);
  return `${command} ${Number.isFinite(ms) && ms >= 0 ? ms : 0} ${errorLabel(call) ?? '0'}\n`;
}

/**
 * Appends the call to the journal (one write with O_APPEND: concurrent calls never interleave) and
 * returns the journal's size after it, or undefined when the command is not recorded. Throws on I/O errors.
 */
export function appendCall(stateFile: string, call: CallSample): number | undefined {
  const line = journalLine(call);
  if (line === undefined) return undefined;
  const file = journalFile(stateFile);
  const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = fs.openSync(file, flags, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirp(path.dirname(file));
    fd = fs.openSync(file, flags, 0o644);
  }
  try {
    fs.writeSync(fd, line);
    return fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

/** Adds the journal lines after the state's mark (whole lines only: a write may be in flight) and moves the mark. */
function foldFrom(s: MetricsState, fd: number): void {
  const st = fs.fstatSync(fd);
  let offset = s.journal?.ino === st.ino && s.journal.offset <= st.size ? s.journal.offset : 0;
  if (st.size > offset) {
    const buf = Buffer.allocUnsafe(st.size - offset);
    const text = buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, offset));
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(0, end).split('\n')) {
      const [command, ms, code] = line.split(' ');
      if (line) applyCall(s, { command: command!, durationMs: Number(ms), code: code === '0' ? undefined : code });
    }
    offset += end;
  }
  s.journal = { ino: st.ino, offset };
}

/** The journal open read only, or undefined when there is none (yet). The caller closes it. */
function openJournal(stateFile: string): number | undefined {
  try {
    return fs.openSync(journalFile(stateFile), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
}

/** The state file as written, or undefined when it is missing. A corrupt or older-format file reads as
 * missing: metrics restart from zero rather than ever blocking a CNI call. */
function readStateFile(file: string): MetricsState | undefined {
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

/** The counters: the state file plus the journal lines not folded into it yet (read only); undefined when
 * neither exists. */
export function readState(file = DEFAULT_METRICS_STATE): MetricsState | undefined {
  const s = readStateFile(file);
  const fd = openJournal(file);
  if (fd === undefined) return s;
  try {
    const state = s ?? emptyState();
    foldFrom(state, fd);
    return state;
  } finally {
    fs.closeSync(fd);
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
  const k = errorLabel(call);
  if (k) st.errors[k] = (st.errors[k] ?? 0) + 1;
  return true;
}

/** The error label of a failed call; undefined for success (no code, 0 or ''). */
function errorLabel(call: CallSample): string | undefined {
  return call.code !== undefined && call.code !== 0 && call.code !== '' && call.code !== '0' ? codeLabel(call.code) : undefined;
}

/**
 * Read-modify-write of the state file under `<file>.lock`, the journal folded in first. fn may return false
 * to skip the write (the fold is then not kept either). A journal folded past FOLD_BYTES is replaced by an
 * empty one (rename); the old file, still open here, is read once more for calls that appended meanwhile,
 * so only a call that opened it before the rename and writes after that second read is not counted.
 */
export function updateState(file: string, fn: (s: MetricsState) => boolean, lockTimeoutMs = 30_000): MetricsState {
  return withLock(
    `${file}.lock`,
    () => {
      const s = readStateFile(file) ?? emptyState();
      const fd = openJournal(file);
      try {
        if (fd !== undefined) foldFrom(s, fd);
        if (!fn(s)) return s;
        if (fd !== undefined && s.journal!.offset >= FOLD_BYTES) {
          replaceFile(journalFile(file), '');
          foldFrom(s, fd); // what was appended to the old file meanwhile
          s.journal = { ino: fs.statSync(journalFile(file)).ino, offset: 0 };
        }
        replaceFile(file, JSON.stringify(s));
        return s;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
    lockTimeoutMs,
  );
}
