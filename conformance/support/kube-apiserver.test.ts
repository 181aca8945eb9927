// The test API server's wire protocol, checked with plain HTTP requests (no podlink client in the loop).
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { load as loadYaml } from 'js-yaml';
import { KubeApiServer, type KubeApiServerOptions } from './kube-apiserver.js';

const auth = { headers: { Authorization: 'Bearer tok' } };

async function server(t: Test, opts: KubeApiServerOptions = { token: 'tok' }): Promise<KubeApiServer> {
  const s = await KubeApiServer.create(opts);
  t.teardown(() => s.close());
  return s;
}

async function getJson(s: KubeApiServer, q: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${s.url}/api/v1/nodes${q}`, auth);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The first n lines of a watch stream, then the stream is closed. */
async function watchLines(s: KubeApiServer, q: string, n: number, act = () => {}): Promise<{ type: string; object: any }[]> {
  const ac = new AbortController();
  const r = await fetch(`${s.url}/api/v1/nodes?watch=1&${q}`, { ...auth, signal: ac.signal });
  const reader = r.body!.getReader();
  act();
  let text = '';
  while (text.split('\n').length <= n) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  ac.abort();
  return text.split('\n').filter(Boolean).slice(0, n).map((l) => JSON.parse(l));
}

const node = (name: string) => ({ name, podCIDRs: ['10.1.0.0/24'], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] });

t.test('auth: 401 without the token, 404 elsewhere; counters and the request log', async (t) => {
  const s = await server(t);
  t.equal((await fetch(`${s.url}/api/v1/nodes`)).status, 401);
  const r = await fetch(`${s.url}/api/v1/pods`, auth);
  t.equal(r.status, 404);
  t.match(await r.json(), { kind: 'Status', code: 404, reason: 'NotFound' });
  t.match(s.counters, { requests: 2, unauthorized: 1 });
  t.same(s.requests, ['/api/v1/nodes', '/api/v1/pods']);
});

t.test('list: v1 NodeList at the current resourceVersion; limit/continue pages over one snapshot', async (t) => {
  const s = await server(t);
  for (const n of ['c', 'a', 'b', 'd', 'e']) s.addNode(node(n));
  const all = await getJson(s, '');
  t.match(all.body, { kind: 'NodeList', metadata: { resourceVersion: '6' } });
  t.same((all.body.items as any[]).map((i) => i.metadata.name), ['a', 'b', 'c', 'd', 'e']);
  t.match((all.body.items as any[])[0], {
    spec: { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24'] }, status: { addresses: [{ type: 'InternalIP' }] },
  });
  const p1 = await getJson(s, '?limit=2');
  t.match(p1.body.metadata, { resourceVersion: '6', remainingItemCount: 3 });
  s.deleteNode('e');
  const cont = (p1.body.metadata as any).continue as string;
  const p2 = await getJson(s, `?limit=2&continue=${encodeURIComponent(cont)}`);
  const p3 = await getJson(s, `?limit=2&continue=${encodeURIComponent((p2.body.metadata as any).continue)}`);
  t.same((p3.body.items as any[]).map((i) => i.metadata.name), ['e'], 'the snapshot, not the live set');
  t.equal((p3.body.metadata as any).continue, undefined);
  const q1 = await getJson(s, '?limit=2');
  s.compact(s.bumpResourceVersion());
  const expired = await getJson(s, `?limit=2&continue=${encodeURIComponent((q1.body.metadata as any).continue)}`);
  t.equal(expired.status, 410);
  t.match(expired.body, { kind: 'Status', code: 410, reason: 'Expired' });
});

t.test('watch: events after the resourceVersion, live events, bookmarks only when allowed, 410 after compaction', async (t) => {
  const s = await server(t);
  s.addNode(node('a'));
  s.addNode(node('b'));
  const fromStart = await watchLines(s, 'resourceVersion=2', 2, () => s.deleteNode('a'));
  t.same(fromStart.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]), [
    ['ADDED', 'b', '3'], ['DELETED', 'a', '4'],
  ], 'history then live');
  const zero = await watchLines(s, 'resourceVersion=0', 1);
  t.same(zero.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'b']], 'resourceVersion 0: the current state as ADDED');
  const bm = await watchLines(s, 'resourceVersion=4&allowWatchBookmarks=true', 2, () => {
    setTimeout(() => {
      s.bumpResourceVersion(5);
      s.bookmark();
      s.addNode(node('c'));
    }, 50);
  });
  t.same(bm.map((e) => [e.type, e.object.metadata.resourceVersion]), [['BOOKMARK', '9'], ['ADDED', '10']]);
  const noBm = await watchLines(s, 'resourceVersion=10', 1, () => {
    setTimeout(() => {
      s.bookmark();
      s.modifyNode(node('c'));
    }, 50);
  });
  t.same(noBm.map((e) => e.type), ['MODIFIED'], 'no bookmark unless asked');
  s.compact();
  const gone = await watchLines(s, 'resourceVersion=4', 2);
  t.match(gone, [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }], 'an ERROR event, then the end');
  t.equal(gone.length, 1);
  t.equal(s.counters.gone, 1);
});

t.test('watch: timeoutSeconds ends the stream cleanly; dropConnections cuts it; goneAs status answers HTTP 410', async (t) => {
  const s = await server(t, { token: 'tok', goneAs: 'status' });
  s.addNode(node('a'));
  const started = Date.now();
  const ended = await watchLines(s, 'resourceVersion=2&timeoutSeconds=1', 1);
  t.same(ended, []);
  t.ok(Date.now() - started >= 900, 'after about a second');
  const r = await fetch(`${s.url}/api/v1/nodes?watch=1&resourceVersion=2`, auth);
  await s.waitForWatches(1);
  s.dropConnections();
  await t.rejects(r.text(), 'the stream is cut, not ended');
  s.compact();
  t.equal((await fetch(`${s.url}/api/v1/nodes?watch=1&resourceVersion=1`, auth)).status, 410);
});

t.test('https with a self-signed CA; stop() and start() keep the port and the state; the kubeconfig writer', async (t) => {
  const s = await server(t, { token: 'tok', tls: true });
  s.addNode(node('a'));
  const get = () => new Promise<number>((resolve, reject) => {
    https.get(`${s.url}/api/v1/nodes`, { ca: s.caPem, agent: false, ...auth }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  t.equal(await get(), 200);
  const port = s.port;
  await s.stop();
  await t.rejects(get(), /ECONNREFUSED/);
  await s.start();
  t.equal(s.port, port);
  t.equal(await get(), 200);
  const yaml = loadYaml(fs.readFileSync(s.writeKubeconfig(path.join(s.dir, 'kc.yaml'), { ca: 'data' }), 'utf8')) as any;
  t.equal(yaml['current-context'], 'test');
  t.match(yaml.clusters[0].cluster, { server: s.url, 'certificate-authority-data': Buffer.from(s.caPem ?? '').toString('base64') });
  const jsonFile = s.writeKubeconfig(path.join(s.dir, 'kc.json'), { format: 'json', tokenFile: path.join(s.dir, 'tok') });
  const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  t.same(json.users[0].user, { tokenFile: path.join(s.dir, 'tok') });
  t.equal(fs.readFileSync(path.join(s.dir, 'tok'), 'utf8'), 'tok\n');
});
