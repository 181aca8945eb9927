// `podlink logs`: the JSON-lines log (lib/log) as one readable line per CNI call — time, command,
// container, interface, outcome, duration, error code and message — with --follow across rotation.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_LOG_FILE } from '../lib/log/index.js';
import { formatStepError, StepError } from './step-report.js';

export interface LogsOptions {
  file: string;
  container?: string;
  command?: string;
  errors?: boolean;
  /** Also print each call's other log lines (warnings, debug) under its summary. */
  all?: boolean;
  /** Read file.N … file.1 before file. */
  rotated?: boolean;
  lines?: string | number;
  follow?: boolean;
  json?: boolean;
  /** Poll interval for --follow (ms). */
  pollMs?: number;
  /** Ends --follow (besides SIGINT and SIGTERM). */
  signal?: AbortSignal;
}

type Rec = Record<string, unknown>;

const str = (x: unknown): string => (typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x));

export function formatDuration(ms: unknown): string {
  const n = typeof ms === 'number' ? ms : Number(ms);
  if (!Number.isFinite(n)) return '-';
  return n < 1000 ? `${n.toFixed(1)}ms` : `${(n / 1000).toFixed(2)}s`;
}

/** One call's summary line. */
export function formatEvent(e: Rec): string {
  const cid = str(e.containerID);
  const parts = [
    str(e.ts).padEnd(24),
    str(e.command).padEnd(6),
    (cid ? cid.slice(0, 12) : '-').padEnd(12),
    (str(e.ifname) || '-').padEnd(6),
    str(e.outcome).padEnd(5),
    formatDuration(e.durationMs).padStart(8),
  ];
  if (e.outcome === 'error' || e.code !== undefined) parts.push(`code ${str(e.code) || '?'}: ${str(e.msg)}`);
  return parts.join('  ').trimEnd();
}

/** A non-summary line (shown under its call with --all). */
export function formatDetail(r: Rec): string {
  const { ts, id: _id, level, msg, ...rest } = r;
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `    ${str(ts)}  ${str(level).padEnd(5)}  ${str(msg)}${extra}`;
}

/** Turns log lines into output lines; buffers a call's detail lines until its summary (written last) arrives. */
export class LogFormatter {
  skipped = 0;
  private pending = new Map<string, Rec[]>();

  constructor(private readonly o: Pick<LogsOptions, 'container' | 'command' | 'errors' | 'all' | 'json'>) {}

  private matches(e: Rec): boolean {
    if (this.o.container && !str(e.containerID).startsWith(this.o.container)) return false;
    if (this.o.command && str(e.command).toUpperCase() !== this.o.command.toUpperCase()) return false;
    if (this.o.errors && e.outcome !== 'error') return false;
    return true;
  }

  /** Output lines for one input line (usually zero or one). */
  line(text: string): string[] {
    if (!text.trim()) return [];
    let r: Rec;
    try {
      const x: unknown = JSON.parse(text);
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('not an object');
      r = x as Rec;
    } catch {
      this.skipped++;
      return [];
    }
    const id = str(r.id);
    if (r.event !== 'cni') {
      if (this.o.all && id) {
        const list = this.pending.get(id) ?? [];
        list.push(r);
        this.pending.set(id, list);
        if (this.pending.size > 10_000) this.pending.delete(this.pending.keys().next().value as string);
      }
      return [];
    }
    const details = this.pending.get(id) ?? [];
    this.pending.delete(id);
    if (!this.matches(r)) return [];
    if (this.o.json) return [JSON.stringify(r)];
    return [formatEvent(r), ...details.map(formatDetail)];
  }

  /** Detail lines of calls that never wrote a summary (killed mid-call), shown with --all and no filter. */
  orphans(): string[] {
    if (!this.o.all || this.o.container || this.o.command || this.o.errors) return [];
    const out: string[] = [];
    for (const [id, list] of this.pending) {
      out.push(`(call ${id} has no summary line: it did not finish)`, ...list.map(formatDetail));
    }
    this.pending.clear();
    return out;
  }
}

/** The files to read, oldest first. */
export function logFiles(file: string, rotated: boolean): string[] {
  const out: string[] = [];
  if (rotated) {
    for (let i = 1; i <= 100 && fs.existsSync(`${file}.${i}`); i++) out.unshift(`${file}.${i}`);
  }
  out.push(file);
  return out;
}

export interface FollowHandle {
  stop(): void;
  done: Promise<void>;
}

/**
 * Tails `file` from byte `start`, calling onLine for every complete line. Polls; when the file is
 * renamed away (rotation) it drains the old file, then follows the new one from its start; when the
 * file shrinks (truncation) it starts over at 0.
 */
export function followFile(file: string, start: number, onLine: (line: string) => void, pollMs = 250): FollowHandle {
  let fd: number | undefined;
  let ino: number | undefined;
  let pos = start;
  let decoder = new StringDecoder('utf8');
  let rest = '';
  const buf = Buffer.allocUnsafe(1 << 16);

  const open = (): boolean => {
    try {
      fd = fs.openSync(file, 'r');
      ino = fs.fstatSync(fd).ino;
      return true;
    } catch {
      fd = undefined;
      return false;
    }
  };
  const drain = () => {
    if (fd === undefined) return;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      rest += decoder.write(buf.subarray(0, n));
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i));
        rest = rest.slice(i + 1);
      }
    }
  };
  const reopen = () => {
    if (fd !== undefined) fs.closeSync(fd);
    fd = undefined;
    pos = 0;
    rest = '';
    decoder = new StringDecoder('utf8');
    open();
  };
  open();
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const tick = () => {
    if (stopped) return;
    try {
      if (fd === undefined) {
        if (open()) pos = 0;
      }
      drain();
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(file);
      } catch {
        st = undefined; // between rename and re-create
      }
      if (st && st.ino !== ino) {
        drain(); // whatever was appended to the old file before the writer moved on
        reopen();
        drain();
      } else if (st && fd !== undefined && st.size < pos) {
        reopen();
        drain();
      }
    } catch {
      // transient (file vanished mid-read): try again next tick
    }
    timer = setTimeout(tick, pollMs);
  };
  let timer = setTimeout(tick, 0);
  return {
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      try {
        drain();
      } catch {
        // ignore
      }
      if (fd !== undefined) fs.closeSync(fd);
      resolveDone();
    },
  };
}

export async function runLogsCommand(
  o: LogsOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  try {
    const limit = o.lines === undefined ? undefined : Number(o.lines);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new StepError('check the options', `--lines ${String(o.lines)} is not a whole number`, 'e.g. --lines 20');
    }
    const fmt = new LogFormatter(o);
    const files = logFiles(o.file, o.rotated === true);
    const lines: string[] = [];
    let end = 0;
    for (const f of files) {
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && f === o.file && (o.follow || files.length > 1)) continue;
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StepError(
            'read the log',
            `${f} does not exist`,
            `no CNI call has logged yet, or the netconf sets another logFile: pass --file (default ${DEFAULT_LOG_FILE})`,
          );
        }
        throw new StepError(
          'read the log',
          (e as Error).message,
          (e as NodeJS.ErrnoException).code === 'EACCES' ? 'run as root' : undefined,
        );
      }
      // Only whole lines: a line being written right now is picked up by --follow.
      const cut = f === o.file ? text.lastIndexOf('\n') + 1 : text.length;
      if (f === o.file) end = Buffer.byteLength(text.slice(0, cut));
      for (const l of text.slice(0, cut).split('\n')) lines.push(...fmt.line(l));
    }
    if (!o.follow) lines.push(...fmt.orphans());
    const shown = limit === undefined ? lines : limit === 0 ? [] : lines.slice(-limit);
    if (shown.length) out(`${shown.join('\n')}\n`);
    if (fmt.skipped)
      err(`podlink logs: skipped ${fmt.skipped} line${fmt.skipped === 1 ? '' : 's'} that are not podlink JSON log records\n`);
    if (!o.follow) return 0;
    const h = followFile(
      o.file,
      end,
      (l) => {
        const got = fmt.line(l);
        if (got.length) out(`${got.join('\n')}\n`);
      },
      o.pollMs ?? 250,
    );
    const stop = () => h.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    o.signal?.addEventListener('abort', stop);
    await h.done;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return 0;
  } catch (e) {
    err(formatStepError('logs', e));
    return 1;
  }
}
