// What the node's kernel says about the agent's routes, as it happens: a worker thread (route-monitor-worker.ts)
// listens to the route notifications inside the node netns and stamps each one (process.hrtime, the same
// monotonic clock as the main thread's stamps). Here: the routes as the notifications leave them, and
// waits for "these routes are in place / gone", answered with the stamp of the event that completed them.
import { Worker } from 'node:worker_threads';
import { bytesToIp, ipToBytes } from '../../../lib/netlink/index.js';
import type { Cleanup } from '../harness.js';
import type { RouteExpectation } from './fleet.js';

export interface RouteEvent {
  op: 'add' | 'del';
  dst: string;
  gw?: string;
  /** ms on process.hrtime's clock */
  t: number;
}

export interface WorkerData {
  netnsPath: string;
  libDir: string;
  protocol: number;
  rcvbufBytes: number;
  pollMs: number;
  stop: SharedArrayBuffer;
}

export type WorkerMessage = { ready: true } | { events: RouteEvent[] } | { overflows: number } | { error: string };

/** The kernel's text form of an address or CIDR, as the notifications carry it. */
export function canonical(x: string): string {
  const [a, len] = x.split('/');
  const ip = bytesToIp(ipToBytes(a!));
  return len === undefined ? ip : `${ip}/${len}`;
}

/**
 * Tracks which of `expect` hold, event by event; `done` is the stamp of the event after which all of them
 * hold (later events may undo one again, then it waits on). Pure: tested without a kernel.
 */
export class ExpectationSet {
  private readonly want = new Map<string, RouteExpectation>();
  private readonly met = new Set<string>();
  done: number | undefined;

  constructor(expect: readonly RouteExpectation[], current: ReadonlyMap<string, string | undefined> = new Map()) {
    for (const e of expect) this.want.set(canonical(e.dst), { ...e, dst: canonical(e.dst), gw: e.gw && canonical(e.gw) });
    for (const [dst, gw] of current) this.apply({ op: 'add', dst, gw, t: NaN });
    for (const e of this.want.values()) if (e.op === 'del' && !current.has(e.dst)) this.met.add(e.dst);
    this.done = undefined; // the current state is the baseline, not an event
  }

  get size(): number {
    return this.want.size;
  }

  get metCount(): number {
    return this.met.size;
  }

  apply(ev: RouteEvent): void {
    const w = this.want.get(ev.dst);
    if (!w) return;
    const holds = w.op === 'add' ? ev.op === 'add' && ev.gw === w.gw : ev.op === 'del';
    if (holds) this.met.add(ev.dst);
    else this.met.delete(ev.dst);
    if (this.met.size === this.want.size && this.done === undefined) this.done = ev.t;
    else if (this.met.size < this.want.size) this.done = undefined;
  }
}

/**
 * The worker's entry: registers tsx's loader, then imports the TypeScript file. Explicit, because only
 * some Node versions run the parent's `--import tsx` in a worker (22 does, 20 does not).
 */
function bootstrap(file: URL): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); }).catch((e) => {
    require('node:worker_threads').parentPort.postMessage({ error: 'route monitor worker: ' + (e && e.stack || e) });
  });`;
}

export class RouteMonitor {
  /** dst → gateway of every protocol-201 route the notifications say is there. */
  readonly routes = new Map<string, string | undefined>();
  overflows = 0;
  events = 0;
  error: string | undefined;
  private readonly waiters = new Set<{ set: ExpectationSet; resolve: (t: number | undefined) => void; timer: NodeJS.Timeout }>();
  private readonly stopFlag = new SharedArrayBuffer(4);
  private worker: Worker | undefined;

  private constructor() {}

  static async start(c: Cleanup, o: { netnsPath: string; libDir: string; protocol: number }): Promise<RouteMonitor> {
    const m = new RouteMonitor();
    const data: WorkerData = { ...o, rcvbufBytes: 64 << 20, pollMs: 100, stop: m.stopFlag };
    const w = new Worker(bootstrap(new URL('./route-monitor-worker.ts', import.meta.url)), { eval: true, workerData: data, execArgv: [] });
    m.worker = w;
    c.add('stop the route monitor', () => m.stop());
    await new Promise<void>((resolve, reject) => {
      w.on('message', (msg: WorkerMessage) => {
        if ('ready' in msg) resolve();
        else if ('events' in msg) m.onEvents(msg.events);
        else if ('overflows' in msg) m.overflows = msg.overflows;
        else {
          m.error = msg.error;
          reject(new Error(msg.error));
        }
      });
      w.on('error', (e) => {
        m.error ??= e.message;
        reject(e);
      });
      w.once('exit', (code) => reject(new Error(`route monitor exited (${code}) before it was ready`)));
    });
    return m;
  }

  private onEvents(evs: RouteEvent[]): void {
    for (const ev of evs) {
      this.events++;
      if (ev.op === 'add') this.routes.set(ev.dst, ev.gw);
      else this.routes.delete(ev.dst);
      for (const w of this.waiters) {
        w.set.apply(ev);
        if (w.set.done !== undefined) this.settle(w, w.set.done);
      }
    }
  }

  private settle(w: { resolve: (t: number | undefined) => void; timer: NodeJS.Timeout }, t: number | undefined): void {
    clearTimeout(w.timer);
    this.waiters.delete(w as never);
    w.resolve(t);
  }

  /**
   * Resolves with the stamp of the notification after which every expectation holds, or undefined after
   * timeoutMs. Expectations already met by the routes seen so far count as met (their stamp is unknown):
   * register before causing the change.
   */
  until(expect: readonly RouteExpectation[], timeoutMs: number): Promise<number | undefined> {
    const set = new ExpectationSet(expect, this.routes);
    return new Promise((resolve) => {
      const w = { set, resolve, timer: setTimeout(() => this.settle(w, undefined), timeoutMs) };
      this.waiters.add(w);
    });
  }

  /** Ends the worker (idempotent). */
  stop(): void {
    Atomics.store(new Int32Array(this.stopFlag), 0, 1);
    const w = this.worker;
    this.worker = undefined;
    for (const x of [...this.waiters]) this.settle(x, undefined);
    void w?.terminate();
  }
}
