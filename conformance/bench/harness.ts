// Shared machinery for every bench suite (control and datapath): timed process execution with a
// cleared environment (as kubelet runs CNI plugins), and the run's cleanup registry (conformance/support)
// extended to run on Ctrl-C and to kill the children in flight.
//
// Everything here kills only processes this module started (tracked by pid) and removes only
// resources registered with the Cleanup instance. Imports single support files, never its index: the
// VM guest bundle must not pull in lib/sys.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cleanup as Registry } from '../support/cleanup.js';
import { netnsPath, NetnsSet } from '../support/netns.js';
import { ROOT } from '../support/paths.js';
import { PLUGIN_PATH } from '../support/spawn.js';

export { PLUGIN_PATH, ROOT, netnsPath, NetnsSet as Netns };
export const BENCH_DIR = path.join(ROOT, 'conformance/bench');
export const NSENTER = '/usr/bin/nsenter';

// ---------------------------------------------------------------- progress output (stderr)

const t0 = Date.now();
export function progress(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

// ---------------------------------------------------------------- cleanup registry

/**
 * The support registry plus the child processes in flight. `run()` is synchronous so it works from a
 * signal handler and from process 'exit'. Installs SIGINT/SIGTERM/SIGHUP handlers: kill our children
 * (by pid), clean up, exit 130/143/129.
 */
export class Cleanup extends Registry {
  readonly children = new Set<ChildProcess>();
  private done = false;
  aborted: NodeJS.Signals | undefined;

  constructor() {
    super();
    const onSignal = (sig: NodeJS.Signals, code: number) => () => {
      if (this.aborted) return; // a second Ctrl-C while cleaning up: keep cleaning
      this.aborted = sig;
      progress(`${sig}: stopping children and cleaning up`);
      this.killChildren();
      const errs = this.run();
      for (const e of errs) process.stderr.write(`bench: cleanup: ${e}\n`);
      process.exit(code);
    };
    process.on('SIGINT', onSignal('SIGINT', 130));
    process.on('SIGTERM', onSignal('SIGTERM', 143));
    process.on('SIGHUP', onSignal('SIGHUP', 129));
    process.on('exit', () => {
      if (!this.done) {
        this.killChildren();
        this.run();
      }
    });
  }

  killChildren(): void {
    for (const c of this.children) {
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  override run(): string[] {
    const errors = super.run();
    this.done = true;
    return errors;
  }
}

/** SIGTERM to a process this run started (by pid), up to 10 s for it to exit, then SIGKILL. Synchronous: runs from cleanup. */
export function stopGently(pid: number | undefined, exited: () => boolean): void {
  if (pid === undefined || exited()) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 100; i++) {
    let stat = '';
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return; // gone
    }
    if (/\) Z /.test(stat)) return; // exited; libuv reaps it once the event loop runs again
    Atomics.wait(tick, 0, 0, 100);
  }
  process.kill(pid, 'SIGKILL');
}

// ---------------------------------------------------------------- timed execution

export interface Invocation {
  /** Executable (absolute path). */
  file: string;
  args?: string[];
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  stdin?: string;
  /** Run inside this named netns through `nsenter --net=` (the node netns). */
  netns?: string;
  timeoutMs?: number;
}

export interface Outcome {
  /** Wall time from just before spawn to the child's exit with stdio drained, in ms. */
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function argvOf(inv: Invocation): [string, string[]] {
  const args = inv.args ?? [];
  return inv.netns ? [NSENTER, [`--net=${netnsPath(inv.netns)}`, inv.file, ...args]] : [inv.file, args];
}

/** Runs one process, timed. Never throws for a non-zero exit; rejects only if it cannot start. */
export function runTimed(cleanup: Cleanup, inv: Invocation): Promise<Outcome> {
  const [file, args] = argvOf(inv);
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const start = process.hrtime.bigint();
    let child: ChildProcess;
    try {
      child = spawn(file, args, { env: inv.env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e);
      return;
    }
    cleanup.children.add(child);
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }, inv.timeoutMs ?? 60_000);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.stdin!.on('error', () => undefined); // a child that exits without reading stdin
    child.stdin!.end(inv.stdin ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      cleanup.children.delete(child);
      reject(new Error(`spawn ${file} ${args.join(' ')}: ${e.message}`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(timer);
      cleanup.children.delete(child);
      resolve({ ms, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Runs `fn` over items with at most `concurrency` in flight; results in item order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** A directory removed at cleanup (recursive). */
export function ownedDir(cleanup: Cleanup, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  cleanup.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function which(name: string): string | undefined {
  for (const d of PLUGIN_PATH.split(':')) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
