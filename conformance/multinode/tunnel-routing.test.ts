// The tunnel (#16), routing half: three nodes on one underlay and a fourth behind a router, `routing: auto`.
// Neighbours route natively, the routed node through podlink_vxlan; pods with BPF and legacy host
// routing reach pods on every node (ICMP, TCP, UDP, both families), nodes reach remote pods, a
// ClusterIP on one node reaches its backend across the tunnel; switching routing on a live cluster and
// removing / re-adding the routed node move the routes, pl_tunnel and pl_tunnel_peers with them; a routed
// node known by its IPv6 address only is reached over an IPv6 underlay.
import t, { type Test } from 'tap';
import { isRoot, nsExec, testCleanup } from '../support/index.js';
import { canonical, forwarded, TestCluster, waitFor, type ClusterNode, type Pod } from './cluster.js';
import { echoCheck, echoServer } from './tcp.js';
import { udpEchoCheck, udpEchoServer } from './udp.js';

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-mt${process.pid % 100000}`;
  t.test('tunnel routing: auto, tunnel and native on a live cluster', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: 3, far: 1, mode: 'veth' });
    const [n1, n2, n3, n4] = k.nodes as [ClusterNode, ClusterNode, ClusterNode, ClusterNode];
    k.writeNodesFile(k.entries());
    for (const n of k.nodes) k.startAgent(n);

    // IPv4 underlay between every pair (all nodes have both families): both pod CIDRs go to the IPv4 address.
    const tunnelled = (to: ClusterNode[]) => to.flatMap((n) => n.podCIDRs.map((p) => `${p} → ${n.ul.ip4}`)).sort();
    const tunnelRoutes = (to: ClusterNode[]) => tunnelled(to).map((r) => `${r} id 1`);
    const native = (to: ClusterNode[]) =>
      to.flatMap((n) => [`${n.podCIDRs[0]} via ${n.ul.ip4}`, `${n.podCIDRs[1]} via ${canonical(n.ul.ip6)}`]).sort();
    const state = (n: ClusterNode) => ({ native: k.routes(n).filter((r) => r.includes(' via ')), tunnel: k.tunnelRoutes(n), map: k.tunnelMap(n) });
    const converged = async (t: Test, n: ClusterNode, want: { native: ClusterNode[]; tunnel: ClusterNode[] }, ms = 10_000) => {
      const w = { native: native(want.native), tunnel: tunnelRoutes(want.tunnel), map: tunnelled(want.tunnel) };
      const took = await waitFor(() => JSON.stringify(state(n)) === JSON.stringify(w), ms, 50);
      t.ok(took >= 0, `${n.name}: native routes to [${want.native.map((x) => x.name)}], tunnel to [${want.tunnel.map((x) => x.name)}] ` +
        `(${took} ms)`, { found: state(n), wanted: w });
    };
    const restartAgents = (routing: string) => {
      for (const n of k.nodes) k.stopAgent(n);
      for (const n of k.nodes) k.startAgent(n, undefined, ['--routing', routing]);
    };

    await converged(t, n1, { native: [n2, n3], tunnel: [n4] });
    await converged(t, n4, { native: [], tunnel: [n1, n2, n3] });
    t.same(k.paths(n1), { n1: 'self', n2: 'native', n3: 'native', n4: 'tunnel' }, 'n1: native to its neighbours, tunnel to the routed node');
    t.same(k.paths(n4), { n1: 'tunnel', n2: 'tunnel', n3: 'tunnel', n4: 'self' }, 'n4: tunnel to every other node');
    t.ok(k.tunnelPeers(n1).includes(n4.ul.ip4), `n1's pl_tunnel_peers admits n4: ${k.tunnelPeers(n1).join(', ')}`);
    for (const n of [n1, n4]) {
      const dev = k.tunnelDevice(n);
      t.ok(dev, `${n.name} has podlink_vxlan`);
      if (!dev) continue;
      const d = dev.linkinfo.info_data;
      t.same([dev.linkinfo.info_kind, d.external, d.port, d.learning, dev.mtu, dev.flags.includes('NOARP')], ['vxlan', true, 8472, false, 1450, true],
        `${n.name}: vxlan, external, port 8472, learning off, MTU 1500 - 50, NOARP`);
    }
    t.not(k.tunnelDevice(n1)?.address, k.tunnelDevice(n4)?.address, 'a MAC of its own per node (vxlan_rcv drops a frame from its own MAC)');

    const pods: Pod[] = [];
    for (const n of k.nodes) pods.push(k.addPod(n, `${n.name}b`, 'bpf'), k.addPod(n, `${n.name}l`, 'legacy'));
    const pod = (name: string) => pods.find((p) => p.name === name)!;
    t.comment(`pods: ${pods.map((p) => `${p.name}=${p.ip4}`).join(' ')}`);
    t.same(pods.map((p) => `${p.name} ${k.mtu(p.ns, 'eth0')}`), pods.map((p) => `${p.name} 1450`),
      'every pod gets the tunnel MTU (a node of the cluster needs the tunnel)');

    const matrix = (t: Test, from: Pod[], to: Pod[]) => {
      for (const a of from) {
        for (const b of to) {
          if (a.node === b.node) continue;
          t.ok(k.ping(a.ns, b.ip4), `${a.name} → ${b.name} IPv4`);
          t.ok(k.ping(a.ns, b.ip6), `${a.name} → ${b.name} IPv6`);
        }
      }
    };

    t.test('ICMP: every pod to every pod on the other nodes, both families', async (t) => matrix(t, pods, pods));

    t.test('TCP and UDP through the tunnel, BPF and legacy pods, both directions and families', async (t) => {
      for (const p of pods) {
        await echoServer(c, p.ns, 7001);
        await udpEchoServer(c, p.ns, 7002);
      }
      const pairs = [['n1b', 'n4b'], ['n4b', 'n1b'], ['n1l', 'n4l'], ['n4l', 'n2b'], ['n3b', 'n4l']].map(([a, b]) => [pod(a!), pod(b!)] as const);
      for (const [a, b] of pairs) {
        for (const ip of [b.ip4, b.ip6]) {
          t.equal(echoCheck(a.ns, ip, 7001), '', `TCP ${a.name} → ${b.name} ${ip}: 1 MiB echoed intact`);
          t.equal(udpEchoCheck(a.ns, ip, 7002, [1, 1400, 4000]), '', `UDP ${a.name} → ${b.name} ${ip}: 1, 1400 and 4000 (fragmented) bytes`);
        }
      }
    });

    t.test('BPF pods: from-pod encapsulates and from-tunnel delivers; neither node forwards a packet', async (t) => {
      const [a, b] = [pod('n1b'), pod('n4b')];
      const before = [forwarded(n1.ns), forwarded(n4.ns)];
      const vxlan4 = k.tunnelDevice(n4)!.ifindex;
      const counts = () => [k.endpointPackets(a, 'redirectTunnel'), k.endpointPackets(b, 'redirectTunnel'), k.statsPackets(n4, vxlan4, 'fromTunnel')];
      const c0 = counts();
      for (const ip of [b.ip4, b.ip6]) t.equal(echoCheck(a.ns, ip, 7001), '', `bpf → bpf ${ip}: 1 MiB echoed intact`);
      t.same([forwarded(n1.ns) - before[0]!, forwarded(n4.ns) - before[1]!], [0, 0], 'no packet of the flows took the stack\'s forwarding path');
      const d = counts().map((x, i) => x - c0[i]!);
      t.ok(d[0]! > 20 && d[1]! > 20, `from-pod encapsulated ${d[0]} packets on n1 and ${d[1]} on n4 (redirectTunnel)`);
      t.ok(d[2]! > 20, `n4's from-tunnel saw ${d[2]} packets`);
      const legacy = forwarded(n1.ns);
      t.equal(echoCheck(pod('n1l').ns, pod('n4l').ip4, 7001), '', 'legacy → legacy');
      t.ok(forwarded(n1.ns) > legacy, 'the legacy flow went through n1\'s stack (its encap route)');
    });

    t.test('the node reaches remote pods through the tunnel (its encap routes)', async (t) => {
      t.ok(k.ping(n1.ns, pod('n4b').ip4), 'n1 → n4b IPv4');
      t.ok(k.ping(n1.ns, pod('n4l').ip6), 'n1 → n4l IPv6');
      t.ok(k.ping(n4.ns, pod('n2b').ip4), 'n4 → n2b IPv4');
      t.ok(k.ping(n4.ns, pod('n3l').ip6), 'n4 → n3l IPv6');
      t.match(nsExec(n1.ns, 'ip', ['route', 'get', pod('n4b').ip4]), /dev podlink_vxlan/, 'n1 routes n4\'s pods through podlink_vxlan');
      t.equal(echoCheck(n1.ns, pod('n4b').ip4, 7001), '', 'TCP n1 → n4b: 1 MiB echoed intact');
      t.equal(udpEchoCheck(n4.ns, pod('n1l').ip6, 7002, [1, 1400]), '', 'UDP n4 → n1l IPv6');
    });

    t.test('a ClusterIP on n1 whose only backend is behind the tunnel (kube-proxy\'s DNAT on the client\'s node)', async (t) => {
      nsExec(n1.ns, 'iptables', ['-t', 'nat', '-A', 'PREROUTING', '-d', '10.96.0.10/32', '-p', 'tcp', '--dport', '80',
        '-j', 'DNAT', '--to-destination', `${pod('n4b').ip4}:7001`]);
      t.equal(echoCheck(pod('n1b').ns, '10.96.0.10', 80), '', 'BPF pod on n1 → 10.96.0.10:80 → pod on n4: 1 MiB echoed');
      t.equal(echoCheck(pod('n1l').ns, '10.96.0.10', 80), '', 'legacy pod on n1 → 10.96.0.10:80 → pod on n4: 1 MiB echoed');
      const rule = nsExec(n1.ns, 'iptables', ['-t', 'nat', '-L', 'PREROUTING', '-n', '-v', '-x']).split('\n').find((l) => l.includes('10.96.0.10'));
      t.ok(Number(rule?.trim().split(/\s+/)[0]) >= 2, `both connections went through n1's DNAT: ${rule?.trim()}`);
    });

    t.test('node churn: the routed node leaves and comes back', async (t) => {
      k.writeNodesFile(k.entries([n1, n2, n3]));
      await converged(t, n1, { native: [n2, n3], tunnel: [] }, 5000);
      await converged(t, n2, { native: [n1, n3], tunnel: [] }, 5000);
      t.notOk(k.tunnelPeers(n1).includes(n4.ul.ip4), `n1's pl_tunnel_peers forgot n4: [${k.tunnelPeers(n1).join(', ')}]`);
      t.notOk('n4' in k.paths(n1), 'status forgets n4');
      t.notOk(k.ping(pod('n1b').ns, pod('n4b').ip4), 'n1b no longer reaches n4b');
      t.ok(k.ping(pod('n1b').ns, pod('n2b').ip4), 'n1b still reaches n2b');
      k.writeNodesFile(k.entries());
      await converged(t, n1, { native: [n2, n3], tunnel: [n4] }, 5000);
      t.ok(k.tunnelPeers(n1).includes(n4.ul.ip4), 'n1\'s pl_tunnel_peers admits n4 again');
      await converged(t, n4, { native: [], tunnel: [n1, n2, n3] }, 5000);
      t.ok(k.ping(pod('n1b').ns, pod('n4b').ip4), 'n1b reaches n4b again');
      t.ok(k.ping(pod('n4l').ns, pod('n2l').ip6), 'n4l reaches n2l again');
    });

    t.test("an encap route whose outer source is not the node's listed address is put right", async (t) => {
      const encapLines = () => nsExec(n4.ns, 'ip', ['-4', 'route', 'show', 'proto', '201', 'dev', 'podlink_vxlan']).split('\n').filter(Boolean);
      const sources = () => [...new Set(encapLines().map((l) => /encap ip .*src (\S+)/.exec(l)?.[1] ?? '(none)'))];
      t.same(sources(), [n4.ul.ip4], `n4's encap routes send from its listed address ${n4.ul.ip4}`);
      const [dst, remote] = /^(\S+) .*encap ip .*dst (\S+)/.exec(encapLines()[0]!)!.slice(1);
      nsExec(n4.ns, 'ip', ['route', 'replace', dst!, 'encap', 'ip', 'id', '1', 'dst', remote!, 'src', '10.123.0.9', 'dev', 'podlink_vxlan', 'proto', '201', 'scope', 'link']);
      t.ok(sources().includes('10.123.0.9'), `${dst} now sends from 10.123.0.9 (set by hand)`);
      const ms = await waitFor(() => JSON.stringify(sources()) === JSON.stringify([n4.ul.ip4]), 8000, 100);
      t.ok(ms >= 0, `the agent's next full pass puts ${n4.ul.ip4} back (${ms} ms)`, { found: encapLines() });
      t.ok(k.ping(pod('n4b').ns, pod('n1b').ip4), 'n4b reaches n1b');
    });

    t.test('switching routing on a live cluster: native → tunnel → auto', async (t) => {
      restartAgents('native');
      await converged(t, n1, { native: [n2, n3], tunnel: [] });
      await converged(t, n4, { native: [], tunnel: [] });
      t.match(k.paths(n1), { n2: 'native', n4: 'unreachable' }, 'native: n4 is unreachable from n1');
      t.notOk(k.ping(pod('n1b').ns, pod('n4b').ip4), 'native: n1b cannot reach n4b (no path)');
      matrix(t, [pod('n1b'), pod('n2l')], [pod('n2b'), pod('n3l'), pod('n1l')]);
      t.comment(`native: podlink_vxlan on n1 ${k.tunnelDevice(n1) ? 'stays' : 'is gone'}`);

      restartAgents('tunnel');
      await converged(t, n1, { native: [], tunnel: [n2, n3, n4] });
      await converged(t, n2, { native: [], tunnel: [n1, n3, n4] });
      await converged(t, n4, { native: [], tunnel: [n1, n2, n3] });
      t.same(k.paths(n1), { n1: 'self', n2: 'tunnel', n3: 'tunnel', n4: 'tunnel' }, 'tunnel: every other node through the tunnel');
      matrix(t, [pod('n1b'), pod('n1l')], [pod('n2b'), pod('n2l'), pod('n4b'), pod('n4l')]);
      t.equal(echoCheck(pod('n1b').ns, pod('n2b').ip6, 7001), '', 'tunnel: TCP n1b → n2b IPv6 through the tunnel');
      t.match(nsExec(n1.ns, 'ip', ['route', 'get', pod('n2b').ip4]), /dev podlink_vxlan/, 'tunnel: n1 routes its neighbour\'s pods through it');

      restartAgents('auto');
      await converged(t, n1, { native: [n2, n3], tunnel: [n4] });
      await converged(t, n4, { native: [], tunnel: [n1, n2, n3] });
      t.same(k.paths(n1), { n1: 'self', n2: 'native', n3: 'native', n4: 'tunnel' }, 'auto again');
      matrix(t, [pod('n1b'), pod('n4l')], [pod('n2b'), pod('n4b'), pod('n1l')]);
    });

    t.test('a routed node with only an IPv6 address: the tunnel runs over IPv6', async (t) => {
      const v6only = k.entries().map((e) => (e.name === 'n4' ? { ...e, addresses: [n4.ul.ip6] } : e));
      k.writeNodesFile(v6only);
      const want = n4.podCIDRs.map((p) => `${p} → ${canonical(n4.ul.ip6)}`).sort();
      const ms = await waitFor(() => JSON.stringify(k.tunnelMap(n1)) === JSON.stringify(want), 5000, 50);
      t.ok(ms >= 0, `n1's pl_tunnel sends n4's pod CIDRs to its IPv6 address (${ms} ms)`, { found: k.tunnelMap(n1), wanted: want });
      // The agent writes the tunnel map, then the routes (lib/agent/agent.ts): wait for those too.
      const routes = want.map((r) => `${r} id 1`);
      await waitFor(() => JSON.stringify(k.tunnelRoutes(n1)) === JSON.stringify(routes), 5000, 50);
      t.same(k.tunnelRoutes(n1), routes, 'and so do its encap routes (encap ip6)');
      t.ok(k.tunnelPeers(n1).includes(canonical(n4.ul.ip6)), 'pl_tunnel_peers admits n4\'s IPv6 address');
      t.comment(`podlink_vxlan MTU on n1: ${k.tunnelDevice(n1)?.mtu}, on n4: ${k.tunnelDevice(n4)?.mtu}`);
      for (const [a, b] of [[pod('n1b'), pod('n4b')], [pod('n4l'), pod('n1l')]] as const) {
        if (!t.ok(k.ping(a.ns, b.ip4) && k.ping(a.ns, b.ip6), `${a.name} → ${b.name}: ICMP, both families`)) continue;
        t.equal(echoCheck(a.ns, b.ip4, 7001), '', `${a.name} → ${b.name}: TCP, 1 MiB of full-size segments echoed`);
      }
      t.equal(udpEchoCheck(pod('n1b').ns, pod('n4b').ip6, 7002, [1, 1400, 4000]), '', 'UDP n1b → n4b');
      k.writeNodesFile(k.entries());
      t.ok(await waitFor(() => k.tunnelMap(n1).every((e) => e.endsWith(n4.ul.ip4)), 5000) >= 0, 'back to the IPv4 underlay');
    });
  });
}
