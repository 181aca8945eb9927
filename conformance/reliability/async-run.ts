// Asynchronous plugin runs for the reliability tests: the same contract as conformance/lib/exec-driver's
// runPlugin (cleared environment through `env -i`, config on stdin, exit status and signal reported
// as-is), but with spawn() so that many podlink processes can be in flight at once. Also: a pool with
// an adjustable concurrency limit, and runInNode(), the async twin of Testbed.run().
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { parseJson, pluginEnv, type PluginRun, type RunPluginOptions } from '../support/spawn.js';
import { CNI_PATH, type Testbed } from '../integration/testbed.js';

const ENV_BIN = '/usr/bin/env';
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

export interface AsyncPluginRun extends PluginRun {
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  /** The plugin printed more than MAX_OUTPUT bytes and was killed. */
  overflow: boolean;
  /** The pid of the plugin process (env(1) execs it in place). */
  pid: number;
}


/** Run one CNI plugin invocation without blocking the event loop. Rejects only if it cannot start. */
export function runPluginAsync(opts: RunPluginOptions & { argv?: string[]; onSpawn?: (pid: number) => void }): Promise<AsyncPluginRun> {
  const env = pluginEnv(opts);
  const input = typeof opts.stdin === 'string' ? opts.stdin : JSON.stringify(opts.stdin);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(ENV_BIN, ['-i', ...assignments, opts.plugin, ...(opts.argv ?? [])], { env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let overflow = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const take = (sink: Buffer[]) => (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > MAX_OUTPUT) {
        overflow = true;
        child.kill('SIGKILL');
        return;
      }
      sink.push(c);
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    // A plugin may exit before reading all of stdin (an env error before the config is read):
    // EPIPE on our side is then expected, not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`run plugin ${opts.plugin} (${opts.command}): ${e.message}`, { cause: e }));
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const code = status ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1);
      resolve({ code, signal, timedOut, stdout, stderr: Buffer.concat(err).toString('utf8'), json: parseJson(stdout), env, ms: Date.now() - started, overflow, pid: child.pid ?? -1 });
    });
  });
}

export interface NodeRunOptions {
  containerId?: string;
  pod?: string;
  netns?: string;
  /** CNI_IFNAME; default eth0, `null` leaves it out. */
  ifname?: string | null;
  conf?: object | string;
  args?: string;
  /** CNI_PATH; default the testbed's. Present but undefined: left out. */
  cniPath?: string;
  env?: Record<string, string | undefined>;
  /** Command-line arguments for podlink itself (--dry-run, --json). */
  argv?: string[];
  timeoutMs?: number;
  /** Another executable than the testbed's nsenter wrapper (e.g. a strace'd one). */
  plugin?: string;
  /** Told the pid as soon as the process exists. */
  onSpawn?: (pid: number) => void;
}

/** The async twin of Testbed.run(): podlink in the testbed's node netns. */
export function runInNode(bed: Testbed, command: string, o: NodeRunOptions = {}): Promise<AsyncPluginRun> {
  return runPluginAsync({
    plugin: o.plugin ?? bed.wrapper,
    command,
    containerId: o.containerId,
    netns: o.netns ?? (o.pod ? `/run/netns/${o.pod}` : undefined),
    ifname: o.ifname === null ? undefined : (o.ifname ?? 'eth0'),
    // An explicit `cniPath: undefined` leaves CNI_PATH out (error-path tests).
    cniPath: 'cniPath' in o ? o.cniPath : CNI_PATH,
    args: o.args,
    stdin: o.conf ?? bed.conf(),
    env: o.env,
    argv: o.argv,
    timeoutMs: o.timeoutMs,
    onSpawn: o.onSpawn,
  });
}

/**
 * A pool whose concurrency limit can change while it runs (the interleaving test varies it).
 * run() resolves with fn's value once a slot was free and fn finished.
 */
export class Pool {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(private limit: number) {}

  get size(): number {
    return this.limit;
  }
  get inFlight(): number {
    return this.active;
  }

  setLimit(n: number): void {
    this.limit = Math.max(1, n);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.limit && this.waiting.length) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((r) => {
      this.waiting.push(r);
      this.pump();
    });
    try {
      return await fn();
    } finally {
      this.active--;
      this.pump();
    }
  }
}

/** Map with at most `limit` calls in flight; results in input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const pool = new Pool(limit);
  return Promise.all(items.map((item, i) => pool.run(() => fn(item, i))));
}
