// Process spawning with a cleared environment, exactly as a runtime runs a CNI plugin: PATH plus the
// CNI_* variables given, config on stdin, result on stdout. Imports node built-ins only.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** The only PATH a plugin sees, as with a runtime started by systemd. */
export const PLUGIN_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

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

/**
 * A spawnSync's own error, if it matters. EPIPE with an exit status is not one: the child ended before
 * reading all of its input (e.g. `ip -n <missing> -batch -`, or a plugin that fails before reading stdin),
 * its status and stderr say why, and whether the write saw EPIPE first depends on timing.
 */
export function spawnError(r: SpawnSyncReturns<string>): NodeJS.ErrnoException | undefined {
  const e = r.error as NodeJS.ErrnoException | undefined;
  return e?.code === 'EPIPE' && r.status !== null ? undefined : e;
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
  const error = spawnError(r);
  const timedOut = error?.code === 'ETIMEDOUT';
  if (error && !timedOut) {
    throw new Error(`run plugin ${opts.plugin} (${opts.command}): ${error.message}`, { cause: error });
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
