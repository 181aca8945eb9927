// startNodeWatch: list, then watch from the list's resourceVersion, as client-go's reflector does. A 410 (HTTP
// or an ERROR event) relists; an ended stream re-watches from the last resourceVersion (bookmarks move it);
// failures reconnect with jittered exponential backoff; every resyncMs a full relist replaces the set.
import type { IncomingMessage } from 'node:http';
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './backoff.js';
import { loadConnection } from './connection.js';
import { expectOk, IdleTimeout, KubeHttpError, newClient, type KubeClient } from './http.js';
import { isObj } from './json.js';
import { LineSplitter } from './lines.js';
import { listNodes, NODES_PATH } from './list.js';
import { toKubeNode } from './node.js';
import type { KubeNode, NodesCause, NodeWatch, NodeWatchHandlers, NodeWatchOptions, NodeWatchStatus } from './types.js';

export const DEFAULT_RESYNC_MS = 5 * 60_000;
const DEFAULT_PAGE_SIZE = 500;
const MAX_EVENT_BYTES = 16 * 1024 * 1024;
const WATCH_HEADERS_MS = 30_000;
/** Without a byte for this long (no event, no bookmark) a watch is re-opened from the same resourceVersion. */
const WATCH_IDLE_MS = 150_000;
/**
 * A watch that ends sooner than this (or than half its own timeoutSeconds, when that is shorter) waits a backoff step
 * first, so a server that closes at once is not hammered. The server times the watch by its own clock (Node's timers
 * count whole milliseconds from a cached loop time), so a watch that ran its full timeoutSeconds can look a millisecond
 * short here: the bar is never the timeout itself.
 */
const SHORT_WATCH_MS = 1000;

export const isShortWatch = (elapsedMs: number, timeoutSeconds: number): boolean =>
  elapsedMs < Math.min(SHORT_WATCH_MS, (timeoutSeconds * 1000) / 2);

const now = () => new Date().toISOString();
const RESYNC = Symbol('resync');
type WatchEnd = 'gone' | 'ended' | 'short';

/** Starts the list/watch; throws KubeConfigError at once when the configuration is unusable. */
export function startNodeWatch(opts: NodeWatchOptions, h: NodeWatchHandlers): NodeWatch {
  const w = new NodeWatcher(newClient(loadConnection(opts)), opts, h);
  w.start();
  return { stop: () => w.stop(), status: () => w.status() };
}

class NodeWatcher {
  private nodes = new Map<string, KubeNode>();
  private readonly st: NodeWatchStatus;
  private stopped = false;
  private resyncDue = false;
  private failures = 0;
  private current?: AbortController;
  private resyncTimer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private readonly backoff: Backoff;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: NodeWatchOptions,
    private readonly h: NodeWatchHandlers,
  ) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.st = {
      source: 'kubernetes',
      server: client.server,
      connected: false,
      synced: false,
      disconnectedSince: now(),
      syncErrors: 0,
      resourceVersion: '',
    };
  }

  start(): void {
    this.loop = this.run();
  }

  status(): NodeWatchStatus {
    return { ...this.st };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    this.current?.abort();
    await this.loop;
    this.client.close();
  }

  private async run(): Promise<void> {
    let mustList = true;
    while (!this.stopped) {
      try {
        if (mustList || this.resyncDue) {
          await this.relist(this.resyncDue && this.st.synced ? 'resync' : 'list');
          mustList = false;
        }
        const end = await this.watchOnce();
        if (end === 'gone') {
          this.log('info', 'kube: the watch resourceVersion is too old (410 Gone): relisting', { rv: this.st.resourceVersion });
          mustList = true;
        } else if (end === 'short') {
          await this.sleep(backoffDelay(this.backoff, 1));
        }
      } catch (e) {
        if (this.stopped) break;
        if (this.current?.signal.reason === RESYNC) continue;
        this.fail(e as Error);
        await this.sleep(backoffDelay(this.backoff, this.failures));
      }
    }
  }

  private async relist(cause: 'list' | 'resync'): Promise<void> {
    this.resyncDue = false;
    const started = performance.now();
    const list = await listNodes(this.client, this.opts.pageSize ?? DEFAULT_PAGE_SIZE, this.request().signal, (why) => this.malformed(why));
    this.nodes = list.nodes;
    const t = now();
    Object.assign(this.st, { synced: true, lastSyncAt: t, lastEventAt: t, resourceVersion: list.resourceVersion });
    const ms = Math.round(performance.now() - started);
    this.log('info', `kube: ${cause === 'resync' ? 'resynced' : 'listed'} nodes`, { nodes: list.nodes.size, pages: list.pages, ms });
    this.emitNodes(cause);
    this.connected();
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => {
      this.resyncDue = true;
      this.current?.abort(RESYNC);
    }, this.opts.resyncMs ?? DEFAULT_RESYNC_MS);
  }

  private async watchOnce(): Promise<WatchEnd> {
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const q = new URLSearchParams({
      watch: '1',
      resourceVersion: this.st.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
    });
    const started = performance.now();
    const res = await this.client.get(`${NODES_PATH}?${q}`, this.request().signal, { headersMs: WATCH_HEADERS_MS, idleMs: WATCH_IDLE_MS });
    if (res.statusCode === 410) {
      res.resume();
      return 'gone';
    }
    await expectOk(res);
    this.connected();
    try {
      if ((await this.consume(res)) === 'gone') return 'gone';
    } catch (e) {
      if (!(e instanceof IdleTimeout)) throw e;
      this.log('info', `kube: the watch was silent for ${WATCH_IDLE_MS / 1000} s: re-watching`);
    }
    return isShortWatch(performance.now() - started, timeoutSeconds) ? 'short' : 'ended';
  }

  private async consume(res: IncomingMessage): Promise<'gone' | 'ended'> {
    const lines = new LineSplitter(MAX_EVENT_BYTES);
    for await (const chunk of res as AsyncIterable<Buffer>) {
      for (const line of lines.push(chunk)) {
        if (this.applyEvent(line) === 'gone') {
          res.destroy();
          return 'gone';
        }
      }
    }
    for (const line of lines.end()) if (this.applyEvent(line) === 'gone') return 'gone';
    return 'ended';
  }

  /** One watch event; a malformed one is counted and skipped. */
  private applyEvent(line: string): 'gone' | void {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      return this.malformed(`watch event is not JSON: ${line.slice(0, 120)}`);
    }
    if (!isObj(ev) || typeof ev.type !== 'string') return this.malformed(`watch event without a type: ${line.slice(0, 120)}`);
    const obj = ev.object;
    const meta = isObj(obj) && isObj(obj.metadata) ? obj.metadata : {};
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const n = toKubeNode(obj);
        if ('error' in n) return this.malformed(`${ev.type} event: ${n.error}`);
        this.nodes.set(n.name, n);
        return this.applied(rv, ev.type === 'ADDED' ? 'added' : 'modified');
      }
      case 'DELETED':
        if (typeof meta.name !== 'string' || !meta.name) return this.malformed('DELETED event without metadata.name');
        this.nodes.delete(meta.name);
        return this.applied(rv, 'deleted');
      case 'BOOKMARK':
        if (!rv) return this.malformed('BOOKMARK event without metadata.resourceVersion');
        return this.applied(rv);
      case 'ERROR': {
        const st = isObj(obj) ? obj : {};
        if (st.code === 410) return 'gone';
        const code = typeof st.code === 'number' ? st.code : 0;
        const reason = typeof st.reason === 'string' ? st.reason : 'WatchError';
        throw new KubeHttpError(code, reason, typeof st.message === 'string' ? st.message : '');
      }
      default:
        return this.malformed(`unknown watch event type ${JSON.stringify(ev.type).slice(0, 40)}`);
    }
  }

  private applied(rv: string, cause?: NodesCause): void {
    if (rv) this.st.resourceVersion = rv;
    this.st.lastEventAt = now();
    if (cause) this.emitNodes(cause);
    this.emitStatus();
  }

  private request(): AbortController {
    this.current = new AbortController();
    return this.current;
  }

  private connected(): void {
    this.failures = 0;
    if (!this.st.connected) this.log('info', 'kube: connected', { server: this.st.server });
    this.st.connected = true;
    delete this.st.disconnectedSince;
    this.emitStatus();
  }

  private fail(e: Error): void {
    this.failures++;
    this.st.syncErrors++;
    this.st.lastError = e.message;
    if (this.st.connected || !this.st.disconnectedSince) this.st.disconnectedSince = now();
    this.st.connected = false;
    this.log('warn', `kube: ${e.message}`, { server: this.st.server, failures: this.failures });
    this.emitStatus();
  }

  private malformed(why: string): void {
    this.st.syncErrors++;
    this.st.lastError = `malformed: ${why}`;
    this.log('warn', `kube: skipped malformed input: ${why}`);
    this.emitStatus();
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.request().signal;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }

  private emitNodes(cause: NodesCause): void {
    this.guard(() => this.h.onNodes(this.nodes, cause), 'onNodes');
  }

  private emitStatus(): void {
    this.guard(() => this.h.onStatus(this.status()), 'onStatus');
  }

  private guard(f: () => void, what: string): void {
    try {
      f();
    } catch (e) {
      this.log('error', `kube: the ${what} handler threw: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  private log(level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>): void {
    try {
      this.h.log?.(level, msg, fields);
    } catch {
      // a failing logger must not stop the watch
    }
  }
}
