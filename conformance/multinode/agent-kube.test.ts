// The agent tier with the Kubernetes source: each node's `podlink agent --kubeconfig` lists and watches
// Nodes on a test API server (conformance/support/kube-apiserver.ts) that listens inside the underlay's
// bridge netns, reachable from every node. Node add, change and delete through watch events, spec.podCIDR
// and ExternalIP fallbacks, 410 Gone, dropped streams, an API outage with a node deleted meanwhile, and
// malformed events.
import * as path from 'node:path';
import t from 'tap';
import { isRoot, KubeApiServer, nsBatch, testCleanup, type TestNode } from '../support/index.js';
import { canonical, nsRun, PODLINK, TestCluster, waitFor } from './cluster.js';

const API = '10.77.0.250';

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-mk${process.pid % 100000}`;
  t.test('agent with the Kubernetes API as its node source', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: 3, far: 0, mode: 'veth' });
    const [n1, n2, n3] = k.nodes as [typeof k.nodes[0], typeof k.nodes[0], typeof k.nodes[0]];
    nsBatch(k.bridge, [`addr add ${API}/24 dev br0`]);
    const api = await KubeApiServer.create({ token: 'test-token', netns: { name: k.bridge, host: API }, bookmarkIntervalMs: 1000 });
    t.teardown(() => api.close());
    const kube = (n: typeof n1): TestNode => ({
      name: n.name, podCIDRs: [...n.podCIDRs],
      addresses: [{ type: 'InternalIP', address: n.ul.ip4 }, { type: 'InternalIP', address: n.ul.ip6 }, { type: 'ExternalIP', address: '192.0.2.1' }],
    });
    api.addNodes([kube(n1), kube(n2), kube(n3)]);
    const kubeconfig = api.writeKubeconfig(path.join(k.work, 'kubeconfig'));
    k.startAgent(n1, ['--kubeconfig', kubeconfig]);
    const has = (dst: string, via?: string) => k.routes(n1).some((r) => r.startsWith(`${dst} via`) && (!via || r.endsWith(` ${via}`)));
    const ms = await waitFor(() => has('10.244.2.0/24', n2.ul.ip4) && has('fd00:244:3::/64', canonical(n3.ul.ip6)), 10_000);
    t.ok(ms >= 0, `routes from the API's list after ${ms} ms: ${k.routes(n1).join(', ')}`);
    const text = nsRun(n1.ns, PODLINK, ['status', '--mode-file', n1.modeFile, '--state-dir', n1.stateDir, '--bpf-root', n1.bpfRoot]).stdout;
    t.match(text, new RegExp(`API: +kubernetes http://${API.replace(/\./g, '\\.')}:\\d+: synced, last event`), 'status: API line');
    t.match(text, /n2 +10\.244\.2\.0\/24,fd00:244:2::\/64 +10\.77\.0\.2,fd00:77::2 +\S+ +native/, 'status: Nodes table');

    t.test('watch events: add, change, delete within 1 s', async (t) => {
      await api.waitForWatches(1);
      api.addNode({ name: 'n9', podCIDRs: ['10.244.9.0/24'], addresses: [{ type: 'InternalIP', address: '10.77.0.9' }] });
      let d = await waitFor(() => has('10.244.9.0/24', '10.77.0.9'), 1000, 5);
      t.ok(d >= 0, `ADDED → route in ${d} ms`);
      api.modifyNode({ name: 'n9', podCIDRs: ['10.244.9.0/24'], addresses: [{ type: 'InternalIP', address: '10.77.0.19' }] });
      d = await waitFor(() => has('10.244.9.0/24', '10.77.0.19'), 1000, 5);
      t.ok(d >= 0, `MODIFIED address → route follows in ${d} ms`);
      api.deleteNode('n9');
      d = await waitFor(() => !has('10.244.9.0/24'), 1000, 5);
      t.ok(d >= 0, `DELETED → route removed in ${d} ms`);
    });

    t.test('fallbacks: spec.podCIDR without podCIDRs, ExternalIP for a family without InternalIP', async (t) => {
      api.putRaw('n8', {
        kind: 'Node', apiVersion: 'v1', metadata: { name: 'n8', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { podCIDR: '10.244.8.0/24' },
        status: { addresses: [{ type: 'ExternalIP', address: '10.77.0.8' }, { type: 'Hostname', address: 'n8' }] },
      });
      t.ok(await waitFor(() => has('10.244.8.0/24', '10.77.0.8'), 2000) >= 0, 'route via the ExternalIP for spec.podCIDR');
      api.deleteNode('n8');
      t.ok(await waitFor(() => !has('10.244.8.0/24'), 2000) >= 0, 'gone again');
    });

    t.test('410 Gone and dropped streams: the agent relists or re-watches, and nothing flaps', async (t) => {
      const lists = api.counters.lists;
      api.bumpResourceVersion(); // another resource moved on, and the history before it is gone
      api.compact();
      api.dropConnections();
      t.ok(await waitFor(() => api.counters.lists > lists, 10_000) >= 0, 'relisted after 410');
      const watches = api.counters.watches;
      api.dropConnections();
      t.ok(await waitFor(() => api.counters.watches > watches, 10_000) >= 0, 're-watched after a dropped stream');
      t.ok(has('10.244.2.0/24') && has('10.244.3.0/24'), 'routes in place');
      t.notMatch(k.agentLog(n1), /route remove 10\.244\.[23]\./, 'no route was withdrawn');
    });

    t.test('malformed events are skipped and counted; the agent keeps running', async (t) => {
      const before = k.status(n1).agent!.source.syncErrors;
      api.injectRaw('{"type": "MODIFIED", "object": {not json');
      api.injectMalformedObject();
      t.ok(await waitFor(() => k.status(n1).agent!.source.syncErrors > before, 5000) >= 0, 'counted as sync errors');
      t.ok(n1.agent && n1.agent.exitCode === null, 'the agent is still running');
      api.addNode({ name: 'n7', podCIDRs: ['10.244.7.0/24'], addresses: [{ type: 'InternalIP', address: '10.77.0.7' }] });
      t.ok(await waitFor(() => has('10.244.7.0/24'), 5000) >= 0, 'later events still apply');
      api.deleteNode('n7');
      t.ok(await waitFor(() => !has('10.244.7.0/24'), 5000) >= 0);
    });

    t.test('API outage: routes stay, status says since when; after reconnect a node deleted meanwhile goes', async (t) => {
      await api.stop();
      t.ok(await waitFor(() => k.status(n1).agent!.source.connected === false, 10_000) >= 0, 'status: disconnected');
      const st = k.status(n1).agent!;
      t.ok(st.source.disconnectedSince, `disconnected since ${st.source.disconnectedSince}`);
      const text = nsRun(n1.ns, PODLINK, ['status', '--mode-file', n1.modeFile, '--state-dir', n1.stateDir, '--bpf-root', n1.bpfRoot]).stdout;
      t.match(text, /API: +kubernetes .*disconnected since .*routes kept as they are/, 'the text status says so');
      await new Promise((r) => setTimeout(r, 2500)); // a periodic resync passes
      t.ok(has('10.244.2.0/24') && has('10.244.3.0/24'), 'routes unchanged during the outage (fail-static)');
      api.deleteNode('n3');
      api.compact(); // as after a long outage: the agent's resourceVersion is gone
      await api.start();
      const d = await waitFor(() => !has('10.244.3.0/24') && !has('fd00:244:3::/64'), 40_000);
      t.ok(d >= 0, `reconnected and removed n3's routes ${d} ms after the API came back`);
      t.ok(has('10.244.2.0/24'), 'n2 kept');
      t.equal(k.status(n1).agent!.source.connected, true, 'status: connected again');
    });

    t.test('a wrong token is an error in status, not a crash, and the routes stay', async (t) => {
      api.setToken('rotated');
      api.dropConnections();
      t.ok(await waitFor(() => /401|Unauthorized/i.test(String(k.status(n1).agent!.source.lastError)), 20_000) >= 0,
        `status names the refusal: ${k.status(n1).agent!.source.lastError}`);
      t.ok(has('10.244.2.0/24'), 'routes stay');
      api.setToken('test-token');
    });
  });
}
