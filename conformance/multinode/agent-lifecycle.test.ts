// The agent tier, control half: node add/change/delete from a nodes file (routes follow within 1 s),
// a restart with a node deleted meanwhile, fail-static while the agent or its source is away, CNI calls
// while the agent is down, every bad input, routes the agent did not make, liveness and metrics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { isRoot, testCleanup } from '../support/index.js';
import { nsRun, PODLINK, TestCluster, waitFor } from './cluster.js';

type Entry = { name: string; podCIDRs: string[]; addresses: string[] };

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-ml${process.pid % 100000}`;
  t.test('agent lifecycle', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: 3, far: 0, mode: 'veth' });
    const [n1, n2, n3] = k.nodes as [typeof k.nodes[0], typeof k.nodes[0], typeof k.nodes[0]];
    const base = k.entries();
    const textfiles = path.join(k.work, 'textfile');
    k.writeNodesFile(base);
    const dry = nsRun(n1.ns, PODLINK, [...k.agentArgs(n1, ['--nodes-file', k.nodesFile]), '--dry-run']).stdout;
    t.match(dry, /route add 10\.244\.2\.0\/24 via 10\.77\.0\.2 proto 201 \(node n2\)/, 'agent --dry-run prints the plan');
    t.match(dry, /pl_cidrs add 10\.244\.3\.0\/24 \(learned\)/);
    t.same(k.routes(n1), [], 'and changes nothing');
    k.startAgent(n1, undefined, ['--textfile-dir', textfiles]);
    k.startAgent(n2);
    const has = (dst: string, via?: string) => k.routes(n1).some((r) => r.startsWith(`${dst} via`) && (!via || r.endsWith(` ${via}`)));
    t.ok(await waitFor(() => has('10.244.2.0/24') && has('10.244.3.0/24'), 10_000) >= 0, 'initial routes');
    t.match(nsRun(n1.ns, PODLINK, [...k.agentArgs(n1, ['--nodes-file', k.nodesFile]), '--dry-run']).stdout, /nothing to change/,
      'agent --dry-run once the agent has reconciled');
    const b1 = k.addPod(n1, 'b1');
    const b2 = k.addPod(n2, 'b2');
    t.ok(k.ping(b1.ns, b2.ip4), 'pods on n1 and n2 reach each other');

    t.test('node add, change and delete: routes follow within 1 s of the change', async (t) => {
      const n9: Entry = { name: 'n9', podCIDRs: ['10.244.9.0/24', 'fd00:244:9::/64'], addresses: ['10.77.0.9', 'fd00:77::9'] };
      k.writeNodesFile([...base, n9]);
      let ms = await waitFor(() => has('10.244.9.0/24', '10.77.0.9') && has('fd00:244:9::/64', 'fd00:77::9'), 1000, 5);
      t.ok(ms >= 0, `added in ${ms} ms`);
      k.writeNodesFile([...base, { ...n9, addresses: ['10.77.0.19', 'fd00:77::19'] }]);
      ms = await waitFor(() => has('10.244.9.0/24', '10.77.0.19') && has('fd00:244:9::/64', 'fd00:77::19'), 1000, 5);
      t.ok(ms >= 0, `address change followed in ${ms} ms`);
      k.writeNodesFile([...base, { ...n9, podCIDRs: ['10.244.19.0/24'], addresses: ['10.77.0.19'] }]);
      ms = await waitFor(() => has('10.244.19.0/24', '10.77.0.19') && !has('10.244.9.0/24') && !has('fd00:244:9::/64'), 1000, 5);
      t.ok(ms >= 0, `pod CIDR change followed in ${ms} ms`);
      k.writeNodesFile(base);
      ms = await waitFor(() => !has('10.244.19.0/24'), 1000, 5);
      t.ok(ms >= 0, `deleted node's routes removed in ${ms} ms`);
      const st = k.status(n1).agent!;
      t.notOk(st.nodes.some((n) => n.name === 'n9'), 'status forgets the deleted node');
    });

    t.test('a restart with a node deleted meanwhile; routes and pods keep working while the agent is down', async (t) => {
      k.stopAgent(n1, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1500));
      const dead = nsRun(n1.ns, PODLINK, ['status', '--alive', '--max-age', '1', '--mode-file', n1.modeFile], { allowFail: true });
      t.equal(dead.code, 1, `--alive fails once the heartbeat is older than --max-age: ${dead.stderr.trim()}`);
      t.ok(has('10.244.2.0/24') && has('10.244.3.0/24'), 'routes stay while the agent is down (fail-static)');
      const b1x = k.addPod(n1, 'b1x');
      t.ok(k.ping(b1x.ns, b2.ip4), 'ADD works while the agent is down, and the new pod reaches n2');
      const check = nsRun(n1.ns, '/usr/bin/env', ['-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'CNI_COMMAND=STATUS', 'CNI_PATH=/usr/lib/cni', PODLINK],
        { input: JSON.stringify({ ...k.netconf(n1, 'bpf'), cniVersion: '1.1.0' }), allowFail: true });
      t.equal(check.code, 0, `STATUS answers while the agent is down ${check.stdout}`);
      k.writeNodesFile(base.filter((e) => e.name !== 'n3'));
      k.startAgent(n1, undefined, ['--textfile-dir', textfiles]);
      const ms = await waitFor(() => !has('10.244.3.0/24') && !has('fd00:244:3::/64'), 5000, 10);
      t.ok(ms >= 0, `on start, the agent removed the routes of the node deleted while it was down (${ms} ms)`);
      t.ok(has('10.244.2.0/24', '10.77.0.2'), 'n2\'s route stayed');
      t.notMatch(k.agentLog(n1).split('podlink agent on node n1').pop()!, /route (remove|add|change) 10\.244\.2\./, 'the restart did not touch n2\'s routes');
      t.ok(k.ping(b1.ns, b2.ip4), 'pods still reach each other');
      t.equal(nsRun(n1.ns, PODLINK, ['status', '--alive', '--mode-file', n1.modeFile], { allowFail: true }).code, 0, '--alive passes again');
      k.writeNodesFile(base);
      t.ok(await waitFor(() => has('10.244.3.0/24'), 2000) >= 0, 'n3 back');
    });

    t.test('every bad input is rejected with a status entry and no route; the other nodes are unaffected', async (t) => {
      const bad: Entry[] = [
        { name: 'no-cidrs', podCIDRs: [], addresses: ['10.77.0.31'] },
        { name: 'bad-cidr', podCIDRs: ['10.244.300.0/24'], addresses: ['10.77.0.32'] },
        { name: 'bad-address', podCIDRs: ['10.244.33.0/24'], addresses: ['10.77.0.333'] },
        { name: 'overlaps-n2', podCIDRs: ['10.244.2.128/25'], addresses: ['10.77.0.34'] },
        { name: 'claims-mine', podCIDRs: ['10.244.1.0/24'], addresses: ['10.77.0.35'] },
        { name: 'claims-services', podCIDRs: ['10.96.0.0/24'], addresses: ['10.77.0.36'] },
        { name: 'no-address', podCIDRs: ['10.244.37.0/24'], addresses: [] },
      ];
      const junk = [{ podCIDRs: ['10.244.38.0/24'] }, 'not an object', { name: 'UPPER case', podCIDRs: [] }];
      k.writeNodesFile([...base, ...bad, ...junk]);
      t.ok(await waitFor(() => (k.status(n1).agent?.nodes.length ?? 0) === 3 + bad.length, 3000) >= 0, 'every named entry has a status entry');
      const st = k.status(n1).agent!;
      const reason = (n: string) => st.nodes.find((x) => x.name === n);
      const expect: Record<string, RegExp> = {
        'no-cidrs': /no pod CIDRs/, 'bad-cidr': /malformed pod CIDR/, 'bad-address': /malformed address/,
        'overlaps-n2': /overlaps node n2's 10.244.2.0\/24/, 'claims-mine': /overlaps this node's pod CIDR/,
        'claims-services': /overlaps the service CIDR 10.96.0.0\/16/, 'no-address': /no InternalIP or ExternalIP/,
      };
      for (const [name, re] of Object.entries(expect)) {
        t.equal(reason(name)?.path, 'rejected', `${name} rejected`);
        t.match(reason(name)?.reason, re, `${name}: ${reason(name)?.reason}`);
      }
      t.equal(reason('n2')?.path, 'native', 'n2 keeps its CIDR against the later claim');
      t.ok(st.source.syncErrors as number >= 3, `the unnamed entries count as sync errors (${st.source.syncErrors})`);
      t.same(k.routes(n1).filter((r) => !/^10\.244\.[23]\.|^fd00:244:[23]::/.test(r)), [], 'no route for any rejected node');
      t.ok(k.ping(b1.ns, b2.ip4), 'n1 → n2 unaffected');
      k.writeNodesFile(base);
    });

    t.test('a nodes file that does not parse keeps the last good list (fail-static) and says so', async (t) => {
      k.writeNodesFile('{"nodes": [ not json');
      t.ok(await waitFor(() => k.status(n1).agent?.source.connected === false, 3000) >= 0, 'status: the source is unreadable');
      const st = k.status(n1).agent!;
      t.match(st.source.lastError, /parse .*keeping the last good list/);
      const text = nsRun(n1.ns, PODLINK, ['status', '--mode-file', n1.modeFile, '--state-dir', n1.stateDir, '--bpf-root', n1.bpfRoot]).stdout;
      t.match(text, /Nodes file: .*unreadable since .*routes kept as they are/, 'the text status says so');
      await new Promise((r) => setTimeout(r, 2500)); // one periodic resync
      t.ok(has('10.244.2.0/24') && has('10.244.3.0/24'), 'routes unchanged');
      k.writeNodesFile(base);
      t.ok(await waitFor(() => k.status(n1).agent?.source.connected === true, 3000) >= 0, 'recovers when the file is good again');
    });

    t.test('routes the agent did not make are never touched', async (t) => {
      k.batch(n1, ['route add 10.244.50.0/24 via 10.77.0.3 proto static', 'route add 10.244.51.0/24 via 10.77.0.2']);
      k.writeNodesFile([...base, { name: 'n50', podCIDRs: ['10.244.50.0/24'], addresses: ['10.77.0.50'] }]);
      t.ok(await waitFor(() => /10\.244\.50\.0\/24 exists with protocol 4/.test(String(k.status(n1).agent?.routes.lastError)), 3000) >= 0,
        'a pod CIDR someone else routes is reported, not taken over');
      await new Promise((r) => setTimeout(r, 2500));
      const all = k.routesAll(n1);
      t.match(all, /10\.244\.50\.0\/24 via 10\.77\.0\.3 dev ul0 proto static/, 'the foreign route for that CIDR is unchanged');
      t.match(all, /10\.244\.51\.0\/24 via 10\.77\.0\.2 dev ul0/, 'an unrelated route survives resyncs');
      k.writeNodesFile(base);
    });

    t.test('metrics textfile', async (t) => {
      const prom = path.join(textfiles, 'podlink.prom');
      t.ok(await waitFor(() => /podlink_agent_nodes\{path="native"\} 2/.test(fs.readFileSync(prom, 'utf8')), 8000) >= 0, 'nodes by path');
      const text = fs.readFileSync(prom, 'utf8');
      for (const m of ['podlink_agent_api_sync_errors_total', 'podlink_agent_seconds_since_last_sync', 'podlink_agent_route_failures_total',
        'podlink_cni_duration_seconds_bucket', 'podlink_datapath_config']) t.match(text, m, m);
    });

    t.test('uninstall, after the agent is gone, removes its routes and status and nothing else', async (t) => {
      await waitFor(() => has('10.244.2.0/24'), 2000);
      k.stopAgent(n1);
      const empty = path.join(k.work, 'empty');
      fs.mkdirSync(empty, { recursive: true });
      const r = nsRun(n1.ns, PODLINK, ['uninstall', '--mode-file', n1.modeFile, '--state-dir', n1.stateDir, '--bpf-root', n1.bpfRoot,
        '--conf-dir', empty, '--bin-dir', empty, '--textfile-dir', path.join(k.work, 'no-textfile')]);
      t.match(r.stdout, /agent routes .*4 routes \(protocol 201\)/, 'reports the routes it removed');
      t.same(k.routes(n1), [], 'no protocol-201 route left');
      t.match(k.routesAll(n1), /10\.244\.51\.0\/24 via 10\.77\.0\.2/, 'a route podlink did not make stays');
      t.notOk(fs.existsSync(path.join(path.dirname(n1.modeFile), 'agent.json')), 'agent.json removed');
    });
  });
}
