// Exec driver for the conformance suite: runs a CNI plugin binary exactly the
// way a runtime does (environment variables + config on stdin, result on
// stdout), plus the netns helpers and network-state snapshots the suite uses
// to prove "nothing left behind" and byte-identical --dry-run behaviour.
//
// Owns: process spawning with a cleared environment, `ip netns add/del`, and
// reading link/addr/route/neigh state through iproute2's JSON output.
// Imports: node built-ins only (no podlink code: the driver must stay
// independent of the thing it tests).
//
// Why our own driver next to cnitool: libcni 1.1.2 (Debian 12) cannot send
// GC or STATUS, cannot omit required variables, and always rewrites the
// config; the spec's 1.1.0 paths and the error paths need raw control.

import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** The only PATH a plugin sees, as with a runtime started by systemd. */
export const PLUGIN_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Where `ip netns add NAME` puts the namespace handle. */
export const NETNS_RUN_DIR = '/run/netns';

const DEFAULT_TIMEOUT_MS = 60_000;
const ENV_BIN = '/usr/bin/env';

export interface RunPluginOptions {
  /** Absolute path of the plugin executable. */
  plugin: string;
  /** CNI_COMMAND: ADD, DEL, CHECK, STATUS, GC, VERSION, or anything (error paths). */
  command: string;
  /** CNI_CONTAINERID; left out of the environment when undefined. */
  containerId?: string;
  /** CNI_NETNS (a path such as /run/netns/x); left out when undefined. */
  netns?: string;
  /** CNI_IFNAME; left out when undefined (no eth0 default: tests need "missing"). */
  ifname?: string;
  /** CNI_ARGS, "K=V;K2=V2"; left out when undefined. */
  args?: string;
  /** CNI_PATH, ':'-separated; left out when undefined. */
  cniPath?: string;
  /** The config: an object is JSON-encoded, a string is sent verbatim. */
  stdin: object | string;
  /** Extra variables, applied last; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Kill the plugin (SIGKILL) after this many ms; default 60 s. */
  timeoutMs?: number;
  /** Run the plugin inside this named netns (`ip netns exec`) instead of the
   *  driver's own: a private "host" that concurrent tests on the real host
   *  cannot disturb, and whose state a plugin run cannot leak. */
  hostNetns?: string;
}

export interface PluginRun {
  /** Exit status; 128+N when killed by signal N (shell convention). */
  code: number;
  /** The signal that ended the plugin, if any. */
  signal: NodeJS.Signals | null;
  /** True when the plugin was killed because of timeoutMs. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; undefined when stdout is empty or not JSON. */
  json?: unknown;
  /** The exact environment the plugin received (for test messages). */
  env: Record<string, string>;
}

/** Build the plugin environment: PATH plus the CNI_* variables given, nothing inherited. */
export function pluginEnv(opts: Omit<RunPluginOptions, 'plugin' | 'stdin'>): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: PLUGIN_PATH,
    CNI_COMMAND: opts.command,
    CNI_CONTAINERID: opts.containerId,
    CNI_NETNS: opts.netns,
    CNI_IFNAME: opts.ifname,
    CNI_ARGS: opts.args,
    CNI_PATH: opts.cniPath,
    ...opts.env,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Run one CNI plugin invocation synchronously. Throws only if the plugin cannot be started. */
export function runPlugin(opts: RunPluginOptions): PluginRun {
  try {
    accessSync(opts.plugin, fsConstants.X_OK);
  } catch (err) {
    throw new Error(`run plugin ${opts.plugin} (${opts.command}): not executable: ${(err as Error).message}`, { cause: err });
  }
  const env = pluginEnv(opts);
  const input = typeof opts.stdin === 'string' ? opts.stdin : JSON.stringify(opts.stdin);
  // Exec through `env -i`: test runners hook child_process and add their own
  // variables to every child (tap adds NODE_OPTIONS=--import=... and
  // _TAPJS_PROCESSINFO_*), which a Node-based plugin would obey. env(1) execs
  // the plugin in place, so pid, exit status and signals are the plugin's own.
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const envArgv = ['-i', ...assignments, opts.plugin];
  const [file, argv] = opts.hostNetns === undefined
    ? [ENV_BIN, envArgv]
    : ['ip', ['netns', 'exec', opts.hostNetns, ENV_BIN, ...envArgv]];
  const r = spawnSync(file, argv, {
    env,
    input,
    cwd: '/',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const errCode = (r.error as NodeJS.ErrnoException | undefined)?.code;
  const timedOut = errCode === 'ETIMEDOUT';
  if (r.error && !timedOut) {
    throw new Error(`run plugin ${opts.plugin} (${opts.command}): ${r.error.message}`, { cause: r.error });
  }
  const signal = r.signal;
  const code = r.status ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1);
  const stdout = r.stdout ?? '';
  return { code, signal, timedOut, stdout, stderr: r.stderr ?? '', json: parseJson(stdout), env };
}

/** stdout parsed as JSON; undefined when empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- iproute2

/** Run `ip ARGS` with the plugin environment; throws with stderr on failure. */
function ip(args: string[]): string {
  const r = spawnSync('ip', args, { env: { PATH: PLUGIN_PATH }, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`ip ${args.join(' ')}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').trim()}`);
  return r.stdout ?? '';
}

/** Path of a named netns handle. */
export function netnsPath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

/** `ip netns add NAME`; fails if it exists. Returns the netns path. */
export function createNetns(name: string): string {
  ip(['netns', 'add', name]);
  return netnsPath(name);
}

/** `ip netns del NAME`; a netns that does not exist counts as deleted. */
export function deleteNetns(name: string): void {
  if (!existsSync(netnsPath(name))) return;
  ip(['netns', 'del', name]);
}

// ---------------------------------------------------------------- snapshots

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Network state of one namespace, volatile fields removed. */
export interface NsSnapshot {
  links: Json[];
  addrs: Json[];
  routes4: Json[];
  routes6: Json[];
  /** Static (PERMANENT/NOARP) entries only, unless dynamicNeigh was asked for. */
  neigh: Json[];
}

export interface Snapshot {
  host: NsSnapshot;
  /** Per requested netns name; null when that netns does not exist. */
  netns: Record<string, NsSnapshot | null>;
}

export interface SnapshotOptions {
  /** Keep neighbour entries learnt from traffic (REACHABLE, STALE, ...). Default false:
   *  they come and go with unrelated traffic and would make comparisons flaky. */
  dynamicNeigh?: boolean;
  /** Take `host` from this named netns (see RunPluginOptions.hostNetns). */
  hostNetns?: string;
}

/** Keys whose values change without anyone touching the configuration. */
const VOLATILE_KEYS = new Set(['stats', 'stats64', 'expires', 'used', 'confirmed', 'updated', 'probes']);
const FOREVER = 4294967295;

function stripVolatile(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) {
    if (VOLATILE_KEYS.has(k) || k.endsWith('_timer')) continue; // bridge/bond timers
    if ((k === 'valid_life_time' || k === 'preferred_life_time') && x !== FOREVER) {
      out[k] = 'dynamic'; // counts down every second; only "forever or not" is state
      continue;
    }
    out[k] = stripVolatile(x);
  }
  return out;
}

const STATIC_NUD = new Set(['PERMANENT', 'NOARP']);

function isStaticNeigh(entry: Json): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const state = entry['state'];
  return Array.isArray(state) && state.some((s) => typeof s === 'string' && STATIC_NUD.has(s));
}

function ipJson(netns: string | null, args: string[]): Json[] {
  const full = netns === null ? ['-j', ...args] : ['-n', netns, '-j', ...args];
  const text = ip(full).trim();
  if (text === '') return [];
  const parsed = JSON.parse(text) as Json;
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Snapshot one namespace (null = the driver's own, i.e. the host). */
export function snapshotNs(netns: string | null, opts: SnapshotOptions = {}): NsSnapshot {
  const neigh = ipJson(netns, ['neigh', 'show', 'nud', 'all']);
  return {
    links: stripVolatile(ipJson(netns, ['-d', 'link', 'show'])) as Json[],
    addrs: stripVolatile(ipJson(netns, ['addr', 'show'])) as Json[],
    routes4: stripVolatile(ipJson(netns, ['-4', 'route', 'show', 'table', 'all'])) as Json[],
    routes6: stripVolatile(ipJson(netns, ['-6', 'route', 'show', 'table', 'all'])) as Json[],
    neigh: stripVolatile(opts.dynamicNeigh ? neigh : neigh.filter(isStaticNeigh)) as Json[],
  };
}

/** Snapshot the host and the given named netns (missing ones map to null). */
export function snapshot(netnsNames: string[], opts: SnapshotOptions = {}): Snapshot {
  const netns: Record<string, NsSnapshot | null> = {};
  for (const name of netnsNames) {
    netns[name] = existsSync(netnsPath(name)) ? snapshotNs(name, opts) : null;
  }
  return { host: snapshotNs(opts.hostNetns ?? null, opts), netns };
}

/** Canonical text of a snapshot, for byte-identical comparisons and fixtures. */
export function snapshotText(s: Snapshot): string {
  return JSON.stringify(s, null, 1) + '\n';
}

/** Human-readable differences between two snapshots ("" paths = root); empty when equal. */
export function diffSnapshots(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (a === b) return out;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path || '.'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
    return out;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    const label = Array.isArray(a) ? `${path}[${labelOf(ao[k] ?? bo[k], k)}]` : `${path}.${k}`;
    if (!(k in ao)) out.push(`${label}: added ${JSON.stringify(bo[k])}`);
    else if (!(k in bo)) out.push(`${label}: removed ${JSON.stringify(ao[k])}`);
    else diffSnapshots(ao[k], bo[k], label, out);
  }
  return out;
}

/** Name array elements by ifname/dst when they have one, so diffs read well. */
function labelOf(v: unknown, index: string): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o['ifname'] === 'string') return `${index}:${o['ifname']}`;
    if (typeof o['dst'] === 'string') return `${index}:${o['dst']}`;
  }
  return index;
}
