// A test API server that speaks the Kubernetes list/watch wire protocol for v1 Nodes (nothing else): paged
// lists (limit/continue over a snapshot), chunked watch streams of JSON lines (ADDED/MODIFIED/DELETED/BOOKMARK/
// ERROR), a global resourceVersion and an event history that compact() truncates, so an old watch gets 410 the
// way the real server says it (an ERROR event with a v1 Status, code 410; or HTTP 410 with goneAs: 'status').
// Test controls: node add/modify/delete, bookmarks, dropped connections, outage (stop/start on the same port),
// a required bearer token, request counters, malformed events and objects. http, or https with a self-signed
// certificate made by the openssl CLI.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { toYaml, type YamlValue } from '../../lib/manifest/index.js';
import { listenInNetns } from './listen-in-netns.js';

export interface NodeAddress {
  type: string;
  address: string;
}

export interface TestNode {
  name: string;
  /** spec.podCIDRs (spec.podCIDR is set to the first). */
  podCIDRs?: string[];
  addresses?: NodeAddress[];
}

export interface KubeApiServerOptions {
  /** Required bearer token (none: every request is allowed). */
  token?: string;
  tls?: boolean;
  /** How a watch from a compacted resourceVersion is refused: an ERROR event (as the API server does) or HTTP 410. */
  goneAs?: 'event' | 'status';
  /** Send a BOOKMARK to watches that allow them every this many ms (default: only when bookmark() is called). */
  bookmarkIntervalMs?: number;
  /** Container images listed per node: makes each object as heavy as a real node's (default 0). */
  imagesPerNode?: number;
  /** End every watch this many ms after it opens, whatever its timeoutSeconds (a server that closes watches at once). */
  endWatchesAfterMs?: number;
  /** Listen inside a test netns at this address (support/listen-in-netns.ts) instead of on 127.0.0.1. */
  netns?: { name: string; host: string };
}

export interface KubeconfigOptions {
  /** Default the server's token (if any). */
  token?: string;
  /** Write the token to a file and name it as tokenFile instead of inlining it. */
  tokenFile?: string;
  format?: 'yaml' | 'json';
  /** https only: the CA as a file path (default) or inline -data; 'insecure' sets insecure-skip-tls-verify instead. */
  ca?: 'file' | 'data' | 'insecure';
}

type Obj = Record<string, unknown>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Watcher {
  res: http.ServerResponse;
  bookmarks: boolean;
  timer?: NodeJS.Timeout;
}

export interface Counters {
  requests: number;
  lists: number;
  listPages: number;
  watches: number;
  unauthorized: number;
  gone: number;
}

export function kubeStatus(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function nodeObject(n: TestNode, rv: number, imagesPerNode = 0): Obj {
  const cidrs = n.podCIDRs ?? [];
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: n.name, uid: `uid-${n.name}`, resourceVersion: String(rv), creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' },
    },
    spec: { ...(cidrs.length ? { podCIDR: cidrs[0], podCIDRs: cidrs } : {}) },
    status: {
      addresses: [...(n.addresses ?? []), { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2026-01-01T00:00:00Z' }],
      nodeInfo: {
        kernelVersion: '6.12.0', kubeletVersion: 'v1.31.0', containerRuntimeVersion: 'containerd://1.7.0', architecture: 'amd64',
      },
      images: Array.from({ length: imagesPerNode }, (_, i) => ({
        names: [`registry.example/app-${i}@sha256:${'0'.repeat(64)}`, `registry.example/app-${i}:v1`], sizeBytes: 1000000 + i,
      })),
    },
  };
}

/** A self-signed certificate for 127.0.0.1 and ::1, made with the openssl CLI. */
function selfSigned(dir: string): { cert: string; key: string; certFile: string } {
  const certFile = path.join(dir, 'server.crt');
  const keyFile = path.join(dir, 'server.key');
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=podlink-test-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8'), certFile };
}

export class KubeApiServer {
  /** The global resourceVersion: the last one handed out. */
  rv = 1;
  readonly counters: Counters = { requests: 0, lists: 0, listPages: 0, watches: 0, unauthorized: 0, gone: 0 };
  /** Every request's URL (path and query), in order. */
  readonly requests: string[] = [];
  token?: string;
  /** Called with every request's URL before it is answered (a test hook: compact mid-list, count, …). */
  onRequest?: (url: URL) => void;
  readonly dir: string;
  private readonly objects = new Map<string, Obj>();
  private history: { rv: number; type: EventType; object: Obj }[] = [];
  /** Watches from a resourceVersion below this get 410. */
  private oldestRv = 1;
  private readonly snapshots = new Map<number, Obj[]>();
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private server?: http.Server;
  private bookmarkTimer?: NodeJS.Timeout;
  private tlsMaterial?: { cert: string; key: string; certFile: string };
  port = 0;

  private constructor(private readonly opts: KubeApiServerOptions) {
    this.token = opts.token;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `podlink-kube-apiserver-${process.pid}-`));
    if (opts.tls) this.tlsMaterial = selfSigned(this.dir);
  }

  static async create(opts: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const s = new KubeApiServer(opts);
    await s.start();
    return s;
  }

  get url(): string {
    const host = this.opts.netns?.host ?? '127.0.0.1';
    return `${this.opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** The CA that signs the server's certificate (PEM), for https. */
  get caPem(): string | undefined {
    return this.tlsMaterial?.cert;
  }

  /** Listens (again, after stop(): on the same port). */
  async start(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    const tls = this.tlsMaterial;
    const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    server.on(this.tlsMaterial ? 'secureConnection' : 'connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    const inNs = this.opts.netns && (await listenInNetns(this.opts.netns.name, this.opts.netns.host, this.port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (inNs) server.listen(inNs.handle, () => resolve());
      else server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = inNs ? inNs.port : (server.address() as AddressInfo).port;
    this.server = server;
    if (this.opts.bookmarkIntervalMs) this.bookmarkTimer = setInterval(() => this.bookmark(), this.opts.bookmarkIntervalMs);
  }

  /** An outage: stops listening and cuts every connection; the state stays for start(). */
  async stop(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.dropConnections();
    await closed;
  }

  /** stop() and remove the temp dir. */
  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Cuts every open connection (watches and idle keep-alive sockets) without a clean end of the stream. */
  dropConnections(): void {
    for (const w of this.watchers) clearTimeout(w.timer);
    this.watchers.clear();
    for (const s of this.sockets) s.destroy();
  }

  get activeWatches(): number {
    return this.watchers.size;
  }

  /** Resolves when at least n watches are open (polls; fails after timeoutMs). */
  async waitForWatches(n: number, timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.watchers.size < n) {
      if (Date.now() > end) throw new Error(`${this.watchers.size} watches open after ${timeoutMs} ms, wanted ${n}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  addNode(n: TestNode): Obj {
    if (this.objects.has(n.name)) throw new Error(`node ${n.name} exists`);
    return this.put(n.name, nodeObject(n, ++this.rv, this.opts.imagesPerNode), 'ADDED');
  }

  /** Adds many nodes; returns the resourceVersion after the last. */
  addNodes(nodes: TestNode[]): number {
    for (const n of nodes) this.addNode(n);
    return this.rv;
  }

  modifyNode(n: TestNode): Obj {
    if (!this.objects.has(n.name)) throw new Error(`node ${n.name} does not exist`);
    return this.put(n.name, nodeObject(n, ++this.rv, this.opts.imagesPerNode), 'MODIFIED');
  }

  deleteNode(name: string): void {
    const old = this.objects.get(name);
    if (!old) throw new Error(`node ${name} does not exist`);
    this.objects.delete(name);
    const rv = ++this.rv;
    const object = { ...old, metadata: { ...(old.metadata as Obj), resourceVersion: String(rv) } };
    this.record(rv, 'DELETED', object);
  }

  /** Stores any object under `key` (a malformed one too): lists return it and watches get it as ADDED/MODIFIED. */
  putRaw(key: string, object: Obj): void {
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const rv = ++this.rv;
    const meta = object.metadata;
    const stamped = typeof meta === 'object' && meta !== null ? { ...object, metadata: { ...meta, resourceVersion: String(rv) } } : object;
    this.objects.set(key, stamped);
    this.record(rv, type, stamped);
  }

  /** A write to another resource: the resourceVersion moves on with no Node event. */
  bumpResourceVersion(by = 1): number {
    this.rv += by;
    return this.rv;
  }

  /** Forgets the history before `rv` (default: all of it): a watch from an older resourceVersion gets 410. */
  compact(rv = this.rv): void {
    this.oldestRv = rv;
    this.history = this.history.filter((e) => e.rv > rv);
    for (const k of this.snapshots.keys()) if (k < rv) this.snapshots.delete(k);
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch that allows bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (!w.bookmarks) continue;
      this.send(w, { type: 'BOOKMARK', object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Writes a raw line (need not be JSON) to every open watch. */
  injectRaw(line: string): void {
    for (const w of this.watchers) w.res.write(`${line}\n`);
  }

  /** Writes a well-formed event around a malformed Node object to every open watch (not stored). */
  injectMalformedObject(type: EventType = 'MODIFIED', object: unknown = { kind: 'Node', metadata: { name: 42 } }): void {
    for (const w of this.watchers) this.send(w, { type, object });
  }

  /** A kubeconfig for this server (YAML by default) at `file`. */
  writeKubeconfig(file: string, o: KubeconfigOptions = {}): string {
    const token = o.token ?? this.token;
    const user: Obj = {};
    if (token !== undefined && o.tokenFile) {
      fs.writeFileSync(o.tokenFile, `${token}\n`);
      user.tokenFile = o.tokenFile;
    } else if (token !== undefined) {
      user.token = token;
    }
    const cluster: Obj = { server: this.url };
    if (this.tlsMaterial) {
      const ca = o.ca ?? 'file';
      if (ca === 'file') cluster['certificate-authority'] = this.tlsMaterial.certFile;
      if (ca === 'data') cluster['certificate-authority-data'] = Buffer.from(this.tlsMaterial.cert).toString('base64');
      if (ca === 'insecure') cluster['insecure-skip-tls-verify'] = true;
    }
    const doc = {
      apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
      clusters: [{ name: 'test-cluster', cluster }],
      users: [{ name: 'test-user', user }],
      contexts: [
        { name: 'other', context: { cluster: 'nowhere', user: 'nobody' } },
        { name: 'test', context: { cluster: 'test-cluster', user: 'test-user' } },
      ],
    };
    fs.writeFileSync(file, o.format === 'json' ? JSON.stringify(doc, null, 2) : toYaml(doc as YamlValue));
    return file;
  }

  private put(key: string, object: Obj, type: EventType): Obj {
    this.objects.set(key, object);
    this.record(this.rv, type, object);
    return object;
  }

  private record(rv: number, type: EventType, object: Obj): void {
    this.history.push({ rv, type, object });
    for (const w of this.watchers) this.send(w, { type, object });
  }

  private send(w: Watcher, ev: { type: string; object: unknown }): void {
    w.res.write(`${JSON.stringify(ev)}\n`);
  }

  private reply(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.counters.requests++;
    this.requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    this.onRequest?.(url);
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) {
      this.counters.unauthorized++;
      return this.reply(res, 401, kubeStatus(401, 'Unauthorized', 'Unauthorized'));
    }
    if (req.method !== 'GET' || url.pathname !== '/api/v1/nodes') {
      const what = `${req.method} ${url.pathname}`;
      return this.reply(res, 404, kubeStatus(404, 'NotFound', `the server could not find the requested resource (${what})`));
    }
    const q = url.searchParams;
    if (q.get('watch') === '1' || q.get('watch') === 'true') return this.watch(q, res);
    this.list(q, res);
  }

  private list(q: URLSearchParams, res: http.ServerResponse): void {
    this.counters.listPages++;
    let snapRv = this.rv;
    let offset = 0;
    const cont = q.get('continue');
    if (cont) {
      const c = JSON.parse(Buffer.from(cont, 'base64').toString()) as { rv: number; offset: number };
      if (c.rv < this.oldestRv || !this.snapshots.has(c.rv)) {
        this.counters.gone++;
        const msg = 'The provided continue parameter is too old to display a consistent list result.';
        return this.reply(res, 410, kubeStatus(410, 'Expired', msg));
      }
      snapRv = c.rv;
      offset = c.offset;
    } else {
      this.counters.lists++;
      const items = [...this.objects.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
      this.snapshots.set(snapRv, items);
    }
    const all = this.snapshots.get(snapRv) ?? [];
    const limit = Number(q.get('limit') ?? '0');
    const end = limit > 0 ? Math.min(all.length, offset + limit) : all.length;
    const metadata: Obj = { resourceVersion: String(snapRv) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv: snapRv, offset: end })).toString('base64');
      metadata.remainingItemCount = all.length - end;
    } else {
      this.snapshots.delete(snapRv);
    }
    this.reply(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata, items: all.slice(offset, end) });
  }

  private watch(q: URLSearchParams, res: http.ServerResponse): void {
    this.counters.watches++;
    const from = q.get('resourceVersion') ?? '';
    const fromRv = Number(from || '0');
    if (fromRv !== 0 && fromRv < this.oldestRv) {
      this.counters.gone++;
      const st = kubeStatus(410, 'Expired', `too old resource version: ${fromRv} (${this.oldestRv})`);
      if (this.opts.goneAs === 'status') return this.reply(res, 410, st);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: st })}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { res, bookmarks: q.get('allowWatchBookmarks') === 'true' };
    if (fromRv === 0) {
      for (const object of this.objects.values()) this.send(w, { type: 'ADDED', object });
    } else {
      for (const e of this.history) if (e.rv > fromRv) this.send(w, { type: e.type, object: e.object });
    }
    this.watchers.add(w);
    const timeoutMs = this.opts.endWatchesAfterMs ?? Number(q.get('timeoutSeconds') ?? '0') * 1000;
    if (timeoutMs > 0) {
      w.timer = setTimeout(() => {
        this.watchers.delete(w);
        res.end();
      }, timeoutMs);
    }
    res.on('close', () => {
      clearTimeout(w.timer);
      this.watchers.delete(w);
    });
  }
}
