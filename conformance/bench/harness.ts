// Shared machinery for every bench suite (control today, datapath next): timed process execution with
// a cleared environment (as kubelet runs CNI plugins), a registry of what the run created and must
// remove (netns, directories, BPF pins) that also runs on Ctrl-C, and batch netns helpers.
//
// Everything here kills only processes this module started (tracked by pid) and removes only
// resources registered with the Cleanup instance.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETNS_RUN_DIR, PLUGIN_PATH } from '../lib/exec-driver.js';

export { PLUGIN_PATH };
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_DIR = path.join(ROOT, 'conformance/bench');
export const NSENTER = '/usr/bin/nsenter';

export function netnsPath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

// ---------------------------------------------------------------- progress output (stderr)

const t0 = Date.now();
export function progress(msg: string): void {
  const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${msg}\n`);
}

// ---------------------------------------------------------------- cleanup registry

type Task = { what: string; fn: () => void };

/**
 * LIFO cleanup tasks plus the child processes in flight. `run()` is synchronous so it works from a
 * signal handler and from process 'exit'. Installs SIGINT/SIGTERM/SIGHUP handlers: kill our children
 * (by pid), clean up, exit 130/143/129.
 */
export class Cleanup {
  private tasks: Task[] = [];
  readonly children = new Set<ChildProcess>();
  private done = false;
  aborted: NodeJS.Signals | undefined;

  constructor() {
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

  add(what: string, fn: () => void): void {
    this.tasks.push({ what, fn });
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

  /** Runs every task once, newest first; returns the errors. */
  run(): string[] {
    const errors: string[] = [];
    while (this.tasks.length) {
      const t = this.tasks.pop()!;
      try {
        t.fn();
      } catch (e) {
        errors.push(`${t.what}: ${(e as Error).message}`);
      }
    }
    this.done = true;
    return errors;
  }
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

// ---------------------------------------------------------------- iproute2 helpers (synchronous)

export function sh(file: string, args: string[], input?: string): string {
  const r = spawnSync(file, args, { input, encoding: 'utf8', env: { PATH: PLUGIN_PATH }, timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${file} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 500)}`);
  return r.stdout ?? '';
}

/**
 * Named network namespaces owned by this run. Creation is batched (`ip -batch`), and each pod netns
 * can get `net.ipv6.conf.default.accept_dad=0` so that no plugin waits for IPv6 DAD (ptp does).
 */
export class Netns {
  private owned = new Set<string>();
  constructor(cleanup: Cleanup) {
    cleanup.add('delete network namespaces', () => this.deleteAll());
  }

  create(names: string[], opts: { noDad?: boolean } = {}): void {
    if (!names.length) return;
    for (const n of names) this.owned.add(n);
    sh('ip', ['-batch', '-'], names.map((n) => `netns add ${n}\n`).join(''));
    if (opts.noDad) sh('ip', ['-batch', '-'], names.map((n) => `netns exec ${n} sysctl -qw net.ipv6.conf.default.accept_dad=0\n`).join(''));
  }

  delete(names: string[]): void {
    const mine = names.filter((n) => this.owned.has(n));
    if (!mine.length) return;
    // -force: keep going past a netns that is already gone
    spawnSync('ip', ['-force', '-batch', '-'], { input: mine.map((n) => `netns del ${n}\n`).join(''), env: { PATH: PLUGIN_PATH }, stdio: ['pipe', 'ignore', 'ignore'] });
    for (const n of mine) this.owned.delete(n);
  }

  deleteAll(): void {
    this.delete([...this.owned]);
  }

  get count(): number {
    return this.owned.size;
  }

  /** Links other than lo in a netns. */
  links(ns: string): string[] {
    const j = JSON.parse(sh('ip', ['-n', ns, '-j', 'link', 'show']) || '[]') as { ifname: string }[];
    return j.map((l) => l.ifname).filter((n) => n !== 'lo');
  }
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
