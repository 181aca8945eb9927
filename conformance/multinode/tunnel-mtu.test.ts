// The tunnel (#16), MTU half: two nodes on two subnets (one routed hop), `routing: auto`, so they tunnel.
// Pods get the tunnel MTU by default once the agent knows a node needs the tunnel; a pod configured
// larger than the tunnel path learns the path MTU from ICMP frag-needed / packet-too-big and its TCP
// still completes (no black hole); 1 GB of TCP crosses with no checksum error and no retransmission
// storm in either node or pod netns; UDP of every size, fragmented too, crosses intact.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { isRoot, nsExec, PLUGIN_PATH, testCleanup } from '../support/index.js';
import { bulkSend, bulkSink, csumErrors, snmp } from './bulk.js';
import { TestCluster, waitFor, type ClusterNode, type Pod } from './cluster.js';
import { echoCheck, echoServer } from './tcp.js';
import { udpEchoCheck, udpEchoServer } from './udp.js';

const GB = 1 << 30;

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-mm${process.pid % 100000}`;
  t.test('MTU and bulk transfer through the tunnel', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: 1, far: 1, mode: 'veth' });
    const [n1, n2] = k.nodes as [ClusterNode, ClusterNode];
    t.equal(k.mtu(n1.ns, n1.ul.dev), 1500, 'the underlay MTU is 1500');
    const early = k.addPod(n1, 'early', 'bpf');
    t.equal(k.mtu(early.ns, 'eth0'), 1500, 'before any agent ran, a pod gets the uplink MTU (no node needs the tunnel yet)');

    k.writeNodesFile(k.entries());
    for (const n of k.nodes) k.startAgent(n);
    const ms = await waitFor(() => k.paths(n1).n2 === 'tunnel' && k.paths(n2).n1 === 'tunnel' && k.tunnelRoutes(n2).length === 2, 10_000, 50);
    t.ok(ms >= 0, `n1 and n2 tunnel to each other (${ms} ms)`);
    t.equal(k.tunnelDevice(n1)?.mtu, 1450, 'podlink_vxlan: MTU 1500 - 50');

    const pod = (n: ClusterNode, name: string, hostRouting: 'bpf' | 'legacy', mtu?: number) =>
      k.addPod(n, name, hostRouting, mtu ? { mtu } : undefined);
    const a = pod(n1, 'a', 'bpf');
    const b = pod(n2, 'b', 'bpf');
    const big = pod(n1, 'big', 'bpf', 1500);
    const bigl = pod(n1, 'bigl', 'legacy', 1500);
    const bigFar = pod(n2, 'bigfar', 'bpf', 1500);
    t.same([a, b].map((p) => k.mtu(p.ns, 'eth0')), [1450, 1450], 'a pod created with the default gets MTU 1450 on both nodes');
    t.same([big, bigFar].map((p) => k.mtu(p.ns, 'eth0')), [1500, 1500], 'mtu: 1500 in the netconf wins');
    const above = (k.status(n1).tunnel as { podsAboveTunnelMtu: { containerId: string; mtu: number }[] }).podsAboveTunnelMtu;
    t.same(above.map((p) => `${p.containerId} ${p.mtu}`).sort(), [early, big, bigl].map((p) => `${p.containerId} 1500`).sort(),
      'podlink status names n1\'s pods whose MTU exceeds the tunnel\'s (the one made before the agent, the two configured so)');
    for (const p of [a, b, big, bigl, bigFar]) {
      await echoServer(c, p.ns, 7001);
      await udpEchoServer(c, p.ns, 7002);
    }

    t.test('a pod bigger than the tunnel path: ICMP frag-needed / packet-too-big, then its TCP completes', async (t) => {
      for (const from of [big, bigl]) {
        for (const v6 of [false, true]) {
          const dst = v6 ? bigFar.ip6 : bigFar.ip4;
          const r = pmtu(from, dst, v6);
          t.ok(r.learned, `${from.name} (${from.hostRouting}) → ${dst} DF ${v6 ? 1452 : 1472} bytes: told mtu 1450`, { diagnostic: true, ...r });
          t.ok(ping(from, dst, v6 ? 1402 : 1422), `${from.name} → ${dst}: a DF packet of exactly 1450 bytes crosses`);
        }
      }
      for (const ip of [bigFar.ip4, bigFar.ip6]) t.equal(echoCheck(big.ns, ip, 7001), '', `TCP, 1500-byte pods on both ends, ${ip}: 1 MiB echoed`);
      t.equal(echoCheck(bigl.ns, bigFar.ip4, 7001), '', 'TCP from the legacy 1500-byte pod: 1 MiB echoed');
    });

    t.test('UDP through the tunnel: small, at the MTU, and fragmented, both families', async (t) => {
      t.equal(udpEchoCheck(a.ns, b.ip4, 7002, [1, 1000, 1422, 8000, 30000]), '', 'IPv4: 1, 1000, 1422, 8000, 30000 bytes');
      t.equal(udpEchoCheck(a.ns, b.ip6, 7002, [1, 1000, 1402, 8000, 30000]), '', 'IPv6: 1, 1000, 1402, 8000, 30000 bytes');
      t.equal(udpEchoCheck(big.ns, bigFar.ip4, 7002, [1472, 4000]), '', 'IPv4 between 1500-byte pods (the stack fragments at 1450)');
    });

    t.test('1 GB of TCP through the tunnel: intact, no checksum error, no retransmission storm', async (t) => {
      await bulkSink(c, b.ns, 7003);
      const where = [n1.ns, n2.ns, a.ns, b.ns];
      const before = where.map(snmp);
      const encapsulated = k.endpointPackets(a, 'redirectTunnel');
      const r = bulkSend(a.ns, b.ip4, 7003, GB);
      const after = where.map(snmp);
      t.ok(r.ok, `${r.out} in ${r.ms} ms (${((GB * 8) / r.ms / 1e6).toFixed(2)} Gbit/s)`);
      const bpf = k.endpointPackets(a, 'redirectTunnel') - encapsulated;
      t.ok(bpf > 10_000, `a's from-pod encapsulated ${bpf} packets (GSO units) itself: the BPF path, not the stack's`);
      where.forEach((ns, i) => t.same(csumErrors(before[i]!, after[i]!), {}, `no checksum error counted in ${ns}`));
      const d = (i: number, key: string) => after[i]![key]! - before[i]![key]!;
      const [sent, resent] = [d(2, 'Tcp.OutSegs'), d(2, 'Tcp.RetransSegs')];
      t.ok(sent > GB / 1500, `the sender sent ${sent} segments`);
      t.ok(resent <= Math.max(50, sent / 200), `retransmitted ${resent} of them (≤ 0.5% or 50)`);
      t.equal(d(3, 'Tcp.InErrs'), 0, 'the receiving pod counted no bad segment');
      t.equal(d(1, 'Udp.InErrors'), 0, 'n2 dropped no VXLAN datagram (UDP InErrors)');
    });
  });
}

/** Up to three DF pings of 1500 bytes; learned when ping reports mtu 1450 or the pod's route cache holds it. */
function pmtu(p: Pod, dst: string, v6: boolean): { learned: boolean; ping: string; route: string } {
  let out = '';
  for (let i = 0; i < 3 && !/mtu ?= ?1450/.test(out); i++) out += dfPing(p, dst, v6 ? 1452 : 1472).out;
  const route = nsExec(p.ns, 'ip', [v6 ? '-6' : '-4', 'route', 'get', dst]);
  return { learned: /mtu ?= ?1450/.test(out) || /mtu 1450/.test(route), ping: out.trim().slice(0, 300), route: route.trim() };
}

/** One DF ping with `size` bytes of payload; what ping said on stdout and stderr (why it failed, too). */
function dfPing(p: Pod, dst: string, size: number): { ok: boolean; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', p.ns, 'ping', '-M', 'do', '-s', String(size), '-c', '1', '-W', '1', dst],
    { encoding: 'utf8', env: { PATH: PLUGIN_PATH }, timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function ping(p: Pod, dst: string, size: number): boolean {
  for (let i = 0; i < 3; i++) if (dfPing(p, dst, size).ok) return true;
  return false;
}
