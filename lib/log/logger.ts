// lib/log/logger: the JSON-lines logger. One Logger per plugin call; every line carries the call's
// event id. Lines are appended synchronously (O_APPEND, one write per line) so concurrent plugin
// processes can share the file. A broken log file never throws to the caller: logging is switched
// off for the call and one notice goes to stderr. Never writes to stdout.
// May import: node builtins, lib/util, ./rotate.
import { closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isoTime, mkdirp } from '../util/index.js';
import { rotateIfNeeded } from './rotate.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
export const DEFAULT_LOG_FILE = '/var/log/podlink/podlink.log';
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_KEEP = 5;

export type Fields = Record<string, unknown>;

export interface Logger {
  /** This call's event id, on every line. */
  readonly id: string;
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** The per-call summary line; written whatever the level. */
  event(fields: Fields): void;
  close(): void;
}

export interface LogOptions {
  /** Default /var/log/podlink/podlink.log. */
  file?: string;
  /** Default info. */
  level?: LogLevel;
  maxBytes?: number;
  /** Rotated files kept: file.1 … file.<keep>. */
  keep?: number;
  /** Where the one "log file unavailable" notice goes (default: process stderr). */
  onError?: (message: string) => void;
  now?: () => Date;
}

/** 16 hex characters. Not a secret, only a correlation id: Math.random (seeded per process by V8 from
 *  the OS) avoids loading node:crypto on every call. */
export function newEventId(): string {
  const part = () =>
    Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return part() + part();
}

export function openLog(opts: LogOptions = {}): Logger {
  const file = opts.file ?? DEFAULT_LOG_FILE;
  const level = opts.level ?? 'info';
  const rank = LOG_LEVELS.indexOf(level);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const keep = opts.keep ?? DEFAULT_KEEP;
  const now = opts.now ?? (() => new Date());
  const onError = opts.onError ?? ((m: string) => process.stderr.write(`${m}\n`));
  const id = newEventId();
  let fd: number | undefined;
  let broken = false;

  const fail = (e: unknown) => {
    broken = true;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* ignore */
      }
      fd = undefined;
    }
    onError(`podlink: log file ${file} unavailable, logging disabled for this call: ${(e as Error).message}`);
  };

  const open = () => {
    mkdirp(dirname(file), 0o750);
    fd = openSync(file, 'a', 0o640);
  };

  const write = (record: Fields) => {
    if (broken) return;
    try {
      if (fd === undefined) open();
      const st = fstatSync(fd!);
      if (st.size >= maxBytes) {
        rotateIfNeeded(file, maxBytes, keep);
        // Whoever rotated, follow the name to the new file.
        if (inodeAt(file) !== st.ino) {
          closeSync(fd!);
          open();
        }
      }
      writeSync(fd!, `${JSON.stringify(record, jsonSafe)}\n`);
    } catch (e) {
      fail(e);
    }
  };

  const line = (lvl: LogLevel) => (msg: string, fields?: Fields) => {
    if (LOG_LEVELS.indexOf(lvl) <= rank) write({ ts: isoTime(now()), id, level: lvl, msg, ...fields });
  };

  return {
    id,
    level,
    enabled: (lvl) => LOG_LEVELS.indexOf(lvl) <= rank,
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    event: (fields) => write({ ts: isoTime(now()), id, level: fields.outcome === 'error' ? 'error' : 'info', event: 'cni', ...fields }),
    close: () => {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          /* ignore */
        }
        fd = undefined;
      }
    },
  };
}

function inodeAt(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** BigInts and Errors become JSON-friendly instead of throwing or vanishing. */
function jsonSafe(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Error) return { name: v.name, message: v.message };
  return v;
}
