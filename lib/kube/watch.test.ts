// startNodeWatch against the test API server (conformance/support/kube-apiserver.ts) on 127.0.0.1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import {
  KubeApiServer,
  type KubeApiServerOptions,
  type KubeconfigOptions,
  type TestNode,
} from '../../conformance/support/kube-apiserver.js';
import { isShortWatch } from './watch.js';
import { startNodeWatch, type KubeNode, type NodesCause, type NodeWatchOptions, type NodeWatchStatus } from './index.js';

interface Seen {
  causes: NodesCause[];
  nodes: Map<string, KubeNode>;
  statuses: NodeWatchStatus[];
  logs: string[];
}

const node = (name: string, i = 1): TestNode => ({
  name,
  podCIDRs: [`10.${i >> 8}.${i & 255}.0/24`],
  addresses: [{ type: 'InternalIP', address: `10.255.${i >> 8}.${i & 255}` }],
});

async function server(t: Test, opts: KubeApiServerOptions = { token: 'tok' }): Promise<KubeApiServer> {
  const s = await KubeApiServer.create(opts);
  t.teardown(() => s.close());
  return s;
}

let kubeconfigs = 0;
function watch(t: Test, s: KubeApiServer, opts: Partial<NodeWatchOptions> = {}, kc: KubeconfigOptions = {}) {
  const kubeconfig = opts.kubeconfig ?? s.writeKubeconfig(path.join(s.dir, `kubeconfig-${kubeconfigs++}`), kc);
  const seen: Seen = { causes: [], nodes: new Map(), statuses: [], logs: [] };
  const w = startNodeWatch(
    { kubeconfig, backoff: { initialMs: 20, maxMs: 200 }, resyncMs: 60_000, ...opts },
    {
      onNodes: (m, cause) => {
        seen.causes.push(cause);
        seen.nodes = new Map(m);
      },
      onStatus: (st) => seen.statuses.push(st),
      log: (level, msg) => seen.logs.push(`${level} ${msg}`),
    },
  );
  t.teardown(() => w.stop());
  return { w, seen };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const names = (seen: Seen) => [...seen.nodes.keys()].sort();
const watchUrls = (s: KubeApiServer) => s.requests.filter((u) => u.includes('watch=1'));
const lastWatchRv = (s: KubeApiServer) => new URLSearchParams(watchUrls(s).at(-1)?.split('?')[1]).get('resourceVersion');

t.test('initial list, then ADDED, MODIFIED and DELETED events in order (http, bearer token)', async (t) => {
  const s = await server(t);
  s.addNode(node('a', 1));
  s.addNode(node('b', 2));
  const { w, seen } = watch(t, s);
  await until('synced', () => w.status().synced);
  t.same(names(seen), ['a', 'b']);
  t.same(seen.nodes.get('a'), { name: 'a', podCIDRs: ['10.0.1.0/24'], addresses: ['10.255.0.1'], resourceVersion: '2' });
  t.equal(w.status().resourceVersion, '3', 'the list resourceVersion');
  await s.waitForWatches(1);
  t.equal(lastWatchRv(s), '3', 'the watch starts at the list resourceVersion');
  t.match(watchUrls(s)[0], /allowWatchBookmarks=true/);
  t.match(watchUrls(s)[0], /timeoutSeconds=\d+/);
  s.addNode(node('c', 3));
  s.modifyNode({ ...node('a', 1), podCIDRs: ['10.9.9.0/24'] });
  s.deleteNode('b');
  await until('three events', () => seen.causes.length === 4);
  t.same(seen.causes, ['list', 'added', 'modified', 'deleted']);
  t.same(names(seen), ['a', 'c']);
  t.same(seen.nodes.get('a')?.podCIDRs, ['10.9.9.0/24']);
  const st = w.status();
  t.match(st, { source: 'kubernetes', server: s.url, connected: true, synced: true, syncErrors: 0, resourceVersion: '6' });
  t.equal(st.disconnectedSince, undefined);
  t.ok(Date.parse(st.lastEventAt ?? '') >= Date.parse(st.lastSyncAt ?? ''), 'lastEventAt after lastSyncAt');
  t.same(s.counters.unauthorized, 0);
  t.equal(seen.statuses.at(-1)?.resourceVersion, '6', 'onStatus reports each event');
});

t.test('https: the CA from a file or -data, or insecure-skip-tls-verify; a wrong CA never connects', async (t) => {
  const s = await server(t, { token: 'tok', tls: true });
  s.addNode(node('a'));
  for (const ca of ['file', 'data', 'insecure'] as const) {
    const { w, seen } = watch(t, s, {}, { ca });
    await until(`synced with ca ${ca}`, () => w.status().synced);
    t.same(names(seen), ['a'], `ca ${ca}`);
    await w.stop();
  }
  const other = await server(t, { tls: true });
  const kc = s.writeKubeconfig(path.join(s.dir, 'wrong-ca'));
  fs.writeFileSync(path.join(s.dir, 'server.crt'), other.caPem ?? '');
  const { w } = watch(t, s, { kubeconfig: kc });
  await until('a TLS failure', () => w.status().syncErrors >= 2);
  t.match(w.status(), { connected: false, synced: false });
  t.match(w.status().lastError, /certificate|self.signed|issuer/i);
});

t.test('bookmarks move the resourceVersion: after compaction a dropped watch resumes from the bookmark, no relist', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w, seen } = watch(t, s);
  await s.waitForWatches(1);
  const rv = s.bumpResourceVersion(10);
  s.bookmark();
  await until('the bookmark applied', () => w.status().resourceVersion === String(rv));
  t.same(seen.causes, ['list'], 'a bookmark changes no node');
  s.compact();
  s.dropConnections();
  await s.waitForWatches(1);
  t.equal(lastWatchRv(s), String(rv), 're-watched from the bookmark');
  t.equal(s.counters.lists, 1, 'no relist');
  t.equal(s.counters.gone, 0, 'never too old');
  s.addNode(node('b', 2));
  await until('b', () => seen.nodes.has('b'));
});

for (const goneAs of ['event', 'status'] as const) {
  const form = goneAs === 'event' ? 'an ERROR event with a Status code 410' : 'HTTP 410';
  t.test(`410 Gone (${form}) relists; changes in the gap are applied`, async (t) => {
    const s = await server(t, { token: 'tok', goneAs });
    s.addNode(node('a'));
    s.addNode(node('b', 2));
    const { w, seen } = watch(t, s);
    await s.waitForWatches(1);
    await s.stop();
    s.deleteNode('a');
    s.addNode(node('c', 3));
    s.compact();
    await s.start();
    await until('the relist', () => s.counters.lists === 2 && seen.causes.length === 2);
    t.same(seen.causes, ['list', 'list'], 'the relist replaces the set: no stale node survives');
    t.same(names(seen), ['b', 'c']);
    t.equal(s.counters.gone, 1);
    t.equal(w.status().resourceVersion, String(s.rv));
    await s.waitForWatches(1);
    t.equal(lastWatchRv(s), String(s.rv), 'watching from the new list');
    t.ok(
      seen.logs.some((l) => /410 Gone/.test(l)),
      'logged',
    );
  });
}

t.test('a dropped connection re-watches from the last resourceVersion without a relist; events from the gap arrive', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w, seen } = watch(t, s, { backoff: { initialMs: 200, maxMs: 200 } });
  await s.waitForWatches(1);
  s.addNode(node('b', 2));
  await until('b', () => seen.nodes.has('b'));
  const rvBefore = w.status().resourceVersion;
  s.dropConnections();
  s.addNode(node('c', 3));
  await s.waitForWatches(1);
  await until('c', () => seen.nodes.has('c'));
  t.equal(lastWatchRv(s), rvBefore);
  t.equal(s.counters.lists, 1, 'no relist');
  t.same(seen.causes, ['list', 'added', 'added']);
});

t.test('a watch the server ends (timeoutSeconds) is re-opened at once, not counted as an error', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  // A backoff far longer than the wait below: a watch wrongly judged short (or failed) would not be re-opened in time.
  const { w, seen } = watch(t, s, { watchTimeoutSeconds: 1, backoff: { initialMs: 30_000, maxMs: 30_000 } });
  await s.waitForWatches(1, 10_000);
  await until(
    `a second watch (status ${JSON.stringify(w.status())}, log ${JSON.stringify(seen.logs)})`,
    () => s.counters.watches >= 2,
    5000,
  );
  t.equal(s.counters.lists, 1);
  t.equal(w.status().syncErrors, 0);
  t.equal(w.status().connected, true);
});

t.test('a watch is short by its age against 1 s or half its own timeoutSeconds, whichever is less', async (t) => {
  t.equal(isShortWatch(999.4, 1), false, 'a 1 s watch the server ended a hair early ran its timeout');
  t.equal(isShortWatch(499, 1), true);
  t.equal(isShortWatch(999, 300), true);
  t.equal(isShortWatch(1000, 300), false);
});

t.test('a server that ends every watch at once is not hammered: each re-watch waits a backoff step', async (t) => {
  const s = await server(t, { token: 'tok', endWatchesAfterMs: 20 });
  s.addNode(node('a'));
  const { w } = watch(t, s, { watchTimeoutSeconds: 300, backoff: { initialMs: 400, maxMs: 400 } });
  await s.waitForWatches(1, 10_000);
  const first = s.counters.watches;
  await new Promise((r) => setTimeout(r, 1000));
  // Each cycle is 20 ms of watch and 200..400 ms of backoff: at most 5 more in a second (hundreds without the backoff).
  const more = s.counters.watches - first;
  t.ok(more >= 1 && more <= 5, `${more} re-watches in 1 s`);
  t.equal(s.counters.lists, 1, 'a short watch is not a reason to relist');
  t.equal(w.status().syncErrors, 0, 'nor an error');
});

t.test('API outage: status says disconnected since when, the nodes stay (fail-static), then it reconnects', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w, seen } = watch(t, s);
  await s.waitForWatches(1);
  const before = Date.now();
  await s.stop();
  await until('disconnected', () => !w.status().connected);
  await until('a failed reconnect', () => w.status().syncErrors >= 2);
  const down = w.status();
  t.ok(Date.parse(down.disconnectedSince ?? '') >= before - 1000, `disconnected since ${down.disconnectedSince}`);
  t.match(down.lastError, /ECONNREFUSED|socket hang up|ECONNRESET/);
  t.same(names(seen), ['a'], 'the nodes are kept');
  t.same(seen.causes, ['list'], 'no change is reported for an outage');
  t.equal(seen.statuses.at(-1)?.connected, false, 'onStatus told');
  s.addNode(node('b', 2));
  await s.start();
  await until('reconnected', () => w.status().connected && seen.nodes.has('b'));
  t.equal(w.status().disconnectedSince, undefined);
  t.equal(s.counters.lists, 1, 'resumed from the resourceVersion');
});

t.test('in-cluster config: a rotated ServiceAccount token is re-read; 401s until then, then recovery', async (t) => {
  const s = await server(t, { token: 'sa-1', tls: true });
  s.addNode(node('a'));
  const sa = path.join(s.dir, 'sa');
  fs.mkdirSync(sa);
  fs.writeFileSync(path.join(sa, 'token'), 'sa-1\n');
  fs.writeFileSync(path.join(sa, 'ca.crt'), s.caPem ?? '');
  const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(s.port) };
  const { w, seen } = watch(t, s, { kubeconfig: undefined, env, serviceAccountDir: sa });
  await s.waitForWatches(1);
  t.equal(w.status().server, s.url);
  s.setToken('sa-2');
  s.dropConnections();
  await until('refused', () => s.counters.unauthorized >= 2);
  t.match(w.status(), { connected: false });
  t.match(w.status().lastError, /HTTP 401 Unauthorized/);
  fs.writeFileSync(path.join(sa, 'token'), 'sa-2\n');
  await until('reconnected with the new token', () => w.status().connected);
  s.addNode(node('b', 2));
  await until('b', () => seen.nodes.has('b'));
  t.equal(s.counters.lists, 1);
});

t.test('malformed watch events and objects are skipped and counted; the stream and the other nodes carry on', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w, seen } = watch(t, s);
  await s.waitForWatches(1);
  s.injectRaw('{"type": "ADDED", "object": {');
  s.injectRaw('[1, 2]');
  s.injectRaw('{"type": "SOMETHING", "object": {}}');
  s.injectMalformedObject('MODIFIED');
  s.injectMalformedObject('DELETED', { metadata: {} });
  s.injectMalformedObject('ADDED', { metadata: { name: 'x' }, spec: { podCIDRs: 'not-a-list' } });
  s.injectRaw('{"type": "BOOKMARK", "object": {"metadata": {}}}');
  s.addNode(node('b', 2));
  await until('b', () => seen.nodes.has('b'));
  t.equal(w.status().syncErrors, 7);
  t.match(w.status().lastError, /malformed/);
  t.same(names(seen), ['a', 'b'], 'nothing of the malformed input applied');
  t.equal(s.counters.watches, 1, 'the same stream');
  t.equal(w.status().connected, true);
  t.equal(seen.logs.filter((l) => l.startsWith('warn kube: skipped malformed input')).length, 7);
});

t.test('a malformed object in the list is skipped and counted; the rest of the list is applied', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  s.putRaw('broken', { kind: 'Node', metadata: { name: 'broken' }, status: { addresses: 'nope' } });
  s.putRaw('nameless', { kind: 'Node', metadata: {} });
  s.addNode(node('b', 2));
  const { w, seen } = watch(t, s);
  await until('synced', () => w.status().synced);
  t.same(names(seen), ['a', 'b']);
  t.equal(w.status().syncErrors, 2);
  t.match(w.status().lastError, /status.addresses|metadata.name/);
});

t.test('an ERROR event other than 410 reconnects (with backoff) from the same resourceVersion', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w } = watch(t, s);
  await s.waitForWatches(1);
  const rv = w.status().resourceVersion;
  s.injectRaw(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd hiccup' } }));
  await until('a second watch', () => s.counters.watches === 2);
  t.equal(lastWatchRv(s), rv);
  t.equal(s.counters.lists, 1);
  t.equal(w.status().syncErrors, 1);
  t.match(w.status().lastError, /HTTP 500 InternalError: etcd hiccup/);
});

t.test('paging: a 5 000-node list comes in pages of 500, fast; an expired continue token restarts the list', async (t) => {
  const s = await server(t, { token: 'tok', imagesPerNode: 10 });
  for (let i = 0; i < 5000; i++) s.addNode(node(`node-${String(i).padStart(5, '0')}`, i));
  let expireOnce = true;
  s.onRequest = (url) => {
    if (expireOnce && url.searchParams.has('continue') && s.counters.listPages === 3) {
      expireOnce = false;
      s.compact(s.bumpResourceVersion());
    }
  };
  const started = performance.now();
  const { w, seen } = watch(t, s, { backoff: { initialMs: 1, maxMs: 1 } });
  await until('synced', () => w.status().synced, 10_000);
  const ms = performance.now() - started;
  t.equal(seen.nodes.size, 5000);
  t.same(seen.causes, ['list'], 'one complete set, never a partial one');
  t.equal(s.counters.gone, 1, 'the expired continue token');
  t.equal(s.counters.lists, 2, 'the list started again');
  t.equal(s.counters.listPages, 4 + 10, '3 pages, the refused 4th, then 10');
  t.ok(
    s.requests.filter((u) => !u.includes('watch=1')).every((u) => /limit=500/.test(u)),
    'every page asks for 500',
  );
  t.equal(w.status().syncErrors, 1);
  const last = { name: 'node-04999', podCIDRs: ['10.19.135.0/24'], addresses: ['10.255.19.135'], resourceVersion: '5001' };
  t.same(seen.nodes.get('node-04999'), last);
  // Informational: the time budget (5 000 nodes programmed in 3 s) is a benchmark (`npm run bench -- agent`),
  // not a timed unit test on a machine shared with the other test files.
  t.comment(`5 000 nodes listed (with one restart) in ${ms.toFixed(0)} ms`);
});

t.test('the periodic resync relists (cause resync) and watches again', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w, seen } = watch(t, s, { resyncMs: 150 });
  await until('two resyncs', () => seen.causes.filter((c) => c === 'resync').length >= 2);
  t.same(seen.causes.slice(0, 3), ['list', 'resync', 'resync']);
  await until('a watch after the resync', () => s.counters.watches >= 3);
  t.equal(w.status().syncErrors, 0, 'a resync is no error');
  t.same(names(seen), ['a']);
});

t.test('refused requests are retried with growing jittered delays, not in a tight loop', async (t) => {
  const s = await server(t, { token: 'right' });
  const { w } = watch(t, s, { backoff: { initialMs: 40, maxMs: 80 } }, { token: 'wrong' });
  await new Promise((r) => setTimeout(r, 600));
  // The server counts a refusal when it answers, the watch when the answer reaches it: one may be on its way
  // (a rehearsal read 11 against 10). Between retries, 20..80 ms apart, the two agree.
  let n = 0;
  await until('the watch has counted every refusal the server made', () => (n = s.counters.unauthorized) === w.status().syncErrors, 1000);
  t.ok(n >= 2 && n <= 27, `${n} attempts in about 600 ms with 20..80 ms delays (a loaded machine starts late)`);
  t.match(w.status(), { connected: false, synced: false });
});

t.test('stop() ends the watch, the resync timer and a backoff sleep promptly; no request after it', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const { w } = watch(t, s, { resyncMs: 100 });
  await s.waitForWatches(1);
  let started = performance.now();
  await w.stop();
  t.ok(performance.now() - started < 500, 'stop() during a watch');
  await until('the watch closed on the server', () => s.activeWatches === 0, 1000);
  const requests = s.counters.requests;
  await new Promise((r) => setTimeout(r, 300));
  t.equal(s.counters.requests, requests, 'no request after stop(), no resync');

  await s.stop();
  const sleeping = watch(t, s, { backoff: { initialMs: 60_000, maxMs: 60_000 } });
  await until('a failed attempt', () => sleeping.w.status().syncErrors >= 1);
  started = performance.now();
  await sleeping.w.stop();
  t.ok(performance.now() - started < 500, 'stop() during a 60 s backoff');
});

t.test('a throwing handler is logged and the watch carries on', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  const logs: string[] = [];
  const applied: string[] = [];
  const w = startNodeWatch(
    { kubeconfig: s.writeKubeconfig(path.join(s.dir, 'kc')) },
    {
      onNodes: (m) => {
        applied.push([...m.keys()].join(','));
        throw new Error('reconciler bug');
      },
      onStatus: () => {
        throw new Error('status bug');
      },
      log: (level, msg) => logs.push(`${level} ${msg}`),
    },
  );
  t.teardown(() => w.stop());
  await s.waitForWatches(1);
  s.addNode(node('b', 2));
  await until('b applied', () => applied.includes('a,b'));
  t.ok(logs.some((l) => l === 'error kube: the onNodes handler threw: reconciler bug'));
  t.ok(logs.some((l) => l === 'error kube: the onStatus handler threw: status bug'));
});
