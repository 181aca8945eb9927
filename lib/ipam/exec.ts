// lib/ipam/exec: run the delegated IPAM plugin (SPEC §4 "Delegated plugin execution procedure").
// Same environment as ours with only CNI_COMMAND changed, the WHOLE config on stdin, its stderr
// copied to ours, its error object passed through unchanged (same code/msg/details).
// Anything else that goes wrong (no result, garbage, crash, signal, timeout) → code 999 naming the
// plugin. execIpam waits for it; startIpam lets the caller work while it runs and waits when asked
// (PendingRun.wait), blocking in waitpid like execIpam: no event-loop turn, whose first one in a
// process cost a CNI call about 1.1 ms before the wait began. The plugin is started with lib/sys's spawn
// (vfork and execve), not node:child_process: loading that module (with net and stream) cost every CNI
// call milliseconds of start-up, and its fork() copied our page tables.
// May import: node builtins, ../cni, ../sys, ../util, ./find, ./scratch.
import * as fs from 'node:fs';
import { CniError, Code, configVersion, parseResult, writeFdAll, type Result } from '../cni/index.js';
import { cstr, cstrs, nativeSys, type Sys } from '../sys/index.js';
import { once } from '../util/index.js';
import { findPlugin } from './find.js';
import { scratchContents, scratchFile, scratchInput } from './scratch.js';

export type IpamCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC';

export interface ExecIpamOptions {
  /** Kill the plugin (SIGKILL) after this long. Default 60 s. */
  timeoutMs?: number;
  /** Where the plugin's stderr is copied (default: our stderr). */
  stderr?: (s: string) => void;
  /** The syscalls (default: the native addon). */
  sys?: Sys;
  /** confRaw's text as the runtime sent it, passed on as is (default: JSON.stringify(confRaw)). */
  input?: string;
}

export const DEFAULT_IPAM_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 16 * 1024 * 1024;

function ipamType(confRaw: Record<string, unknown>): string {
  const ipam = confRaw.ipam as { type?: unknown } | undefined;
  if (ipam === null || typeof ipam !== 'object' || typeof ipam.type !== 'string') {
    throw new CniError(Code.InvalidConfig, 'ipam.type is required');
  }
  return ipam.type;
}

function tail(b: Buffer | null | undefined, max = 400): string {
  const s = (b ?? Buffer.alloc(0)).toString().trim();
  return s.length > max ? `…${s.slice(-max)}` : s;
}

/** A CNI error object as a delegated plugin prints it; undefined when stdout is not one. */
export function parseErrorObject(stdout: Buffer | string): CniError | undefined {
  let v: unknown;
  try {
    v = JSON.parse(stdout.toString());
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as { code?: unknown; msg?: unknown; details?: unknown };
  if (typeof o.code !== 'number' || !Number.isInteger(o.code) || o.code <= 0 || typeof o.msg !== 'string') return undefined;
  return new CniError(o.code, o.msg, typeof o.details === 'string' ? o.details : undefined);
}

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  error?: Error;
}

interface Invocation {
  type: string;
  plugin: string;
  version: string;
  input: string;
  env: Record<string, string>;
  timeoutMs: number;
  stderr: (s: string) => void;
  sys: Sys;
}

function prepare(
  command: IpamCommand,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts: ExecIpamOptions,
): Invocation {
  const type = ipamType(confRaw);
  const plugin = findPlugin(type, cniPath);
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  childEnv.CNI_COMMAND = command;
  return {
    type,
    plugin,
    version: configVersion(confRaw),
    input: opts.input ?? JSON.stringify(confRaw),
    env: childEnv,
    timeoutMs: opts.timeoutMs ?? DEFAULT_IPAM_TIMEOUT_MS,
    stderr: opts.stderr ?? ((s: string) => writeFdAll(2, s)), // plain fd write: a closed stderr (EPIPE) cannot crash ADD
    sys: opts.sys ?? nativeSys(),
  };
}

/** What the plugin's exit means for us: its result, nothing (non-ADD success), or a CniError. */
function interpret(command: IpamCommand, inv: Invocation, r: Outcome): Result | void {
  if (r.stderr.length) inv.stderr(r.stderr.toString());
  const who = `IPAM plugin ${inv.type} (${inv.plugin}) ${command}`;
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') throw new CniError(Code.Internal, `${who} timed out after ${inv.timeoutMs} ms`);
    throw new CniError(Code.Internal, `${who} could not be run: ${r.error.message}`);
  }
  if (r.status === 0) {
    if (command !== 'ADD') return;
    try {
      return parseResult(r.stdout, inv.version);
    } catch (e) {
      const why = e instanceof CniError ? e.msg : String(e);
      throw new CniError(Code.Internal, `${who} returned an invalid result: ${why}`, tail(r.stdout) || undefined);
    }
  }
  const passthrough = parseErrorObject(r.stdout);
  if (passthrough) throw passthrough;
  const how = r.signal ? `was killed by signal ${r.signal}` : `failed with exit status ${r.status}`;
  const details = [r.stdout.length ? `stdout: ${tail(r.stdout)}` : '', r.stderr.length ? `stderr: ${tail(r.stderr)}` : '']
    .filter(Boolean)
    .join('; ');
  throw new CniError(Code.Internal, `${who} ${how}`, details || undefined);
}

export function execIpam(
  command: 'ADD',
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts?: ExecIpamOptions,
): Result;
export function execIpam(
  command: Exclude<IpamCommand, 'ADD'>,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts?: ExecIpamOptions,
): void;
export function execIpam(
  command: IpamCommand,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts?: ExecIpamOptions,
): Result | void;
export function execIpam(
  command: IpamCommand,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts: ExecIpamOptions = {},
): Result | void {
  const inv = prepare(command, confRaw, env, cniPath, opts);
  const run = launch(inv);
  const pid = run.pid();
  return interpret(command, inv, run.finish(pid === undefined ? undefined : reap(inv.sys, pid, inv.timeoutMs)));
}

/** A plugin started earlier; wait() blocks until it exits and returns (or throws) its outcome, every time. */
export interface PendingRun<T> {
  wait(): T;
  /** Returns once the plugin's process exists (or could not be started), not waiting for its answer. */
  started(): void;
}

/**
 * The same call, started now and waited for later: the plugin runs in its own process while we do work
 * that does not depend on its answer (ADD creates the link pair and attaches BPF meanwhile, whose tcx
 * attachments each wait for an RCU grace period in the kernel). Same result and errors as execIpam.
 * A plugin that cannot be found fails here, synchronously, like execIpam.
 */
export function startIpam(
  command: 'ADD',
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts?: ExecIpamOptions,
): PendingRun<Result>;
export function startIpam(
  command: Exclude<IpamCommand, 'ADD'>,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts?: ExecIpamOptions,
): PendingRun<void>;
export function startIpam(
  command: IpamCommand,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts: ExecIpamOptions = {},
): PendingRun<Result | void> {
  const inv = prepare(command, confRaw, env, cniPath, opts);
  const run = launch(inv);
  const deadline = Date.now() + inv.timeoutMs;
  const exited = () => {
    const pid = run.pid();
    return pid === undefined ? undefined : reap(inv.sys, pid, deadline - Date.now());
  };
  return { wait: once(() => interpret(command, inv, run.finish(exited()))), started: () => void run.pid() };
}

interface Waited {
  /** raw wait status */
  st: number;
  timedOut: boolean;
}

/**
 * Starts the plugin on scratch files (stdin holding the config); pid() waits for the spawn (not for the
 * plugin) and finish() reads its output and closes them. The spawn runs on a worker thread of lib/sys's
 * (Sys.spawnStart), so the caller goes on while the child execs. A plugin that cannot be started has no
 * pid and finishes with the error.
 */
function launch(inv: Invocation): { pid: () => number | undefined; finish: (w: Waited | undefined) => Outcome } {
  const fds = [scratchInput(inv.input, inv.sys), scratchFile(inv.sys), scratchFile(inv.sys)] as const;
  let handle: number | undefined;
  let error: Error | undefined;
  try {
    const env = Object.entries(inv.env).map(([k, v]) => `${k}=${v}`);
    handle = inv.sys.spawnStart(cstr(inv.plugin), cstrs([inv.plugin]), cstrs(env), fds[0], fds[1], fds[2]);
  } catch (e) {
    error = e as Error;
  }
  const pid = once((): number | undefined => {
    if (handle === undefined) return undefined;
    try {
      return inv.sys.spawnJoin(handle);
    } catch (e) {
      error = e as Error;
      return undefined;
    }
  });
  const finish = (w: Waited | undefined): Outcome => {
    pid(); // the spawn thread must be done with the fds before they are read and closed
    try {
      const stdout = scratchContents(fds[1], MAX_OUTPUT);
      const stderr = scratchContents(fds[2], MAX_OUTPUT);
      if (w?.timedOut) error ??= Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
      if (!stdout || !stderr) error ??= new Error(`more than ${MAX_OUTPUT} bytes of output`);
      return { ...decodeStatus(w?.st), stdout: stdout ?? Buffer.alloc(0), stderr: stderr ?? Buffer.alloc(0), error };
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  };
  return { pid, finish };
}

// Linux's signal numbers 1-31 (include/uapi/asm-generic/signal.h; x86-64 and arm64 alike), here rather
// than from node:os, which every CNI call would load for a table it almost never reads.
const SIGNAL_NAMES: readonly string[] = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];

export function signalName(n: number): NodeJS.Signals | null {
  return (SIGNAL_NAMES[n] || null) as NodeJS.Signals | null;
}

/** Exit status or terminating signal of a raw wait status (<sys/wait.h>). */
function decodeStatus(st: number | undefined): { status: number | null; signal: NodeJS.Signals | null } {
  if (st === undefined) return { status: null, signal: null };
  const sig = st & 0x7f;
  return sig ? { status: null, signal: signalName(sig) } : { status: (st >> 8) & 0xff, signal: null };
}

/** Waits up to ms for the plugin; past that it is killed (SIGKILL) and reaped. */
function reap(sys: Sys, pid: number, ms: number): Waited {
  const st = sys.waitpid(pid, Math.max(1, ms));
  if (st !== -1) return { st, timedOut: false };
  process.kill(pid, 'SIGKILL');
  return { st: sys.waitpid(pid, -1), timedOut: true };
}
