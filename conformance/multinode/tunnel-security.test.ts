// The tunnel (#16), security half: VXLAN on UDP 8472 is open to anyone on the underlay, so from-tunnel
// admits only known node addresses on VNI 1. A host on the underlay that is no node sends well-formed
// VXLAN carrying UDP to pod IPs (IPv4 and IPv6 outer and inner, BPF and legacy pods): no pod receives
// one, and `podlink status` counts the drops. The same packets from a node are delivered (so the
// forgeries were good enough), unless their VNI is not ours. (Also: with routing: tunnel in the netconf, a
// pod made before any agent ran already gets the tunnel MTU.)
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { addUnderlayHost, isRoot, nsExec, testCleanup } from '../support/index.js';
import { nsRun, PODLINK, TestCluster, waitFor, type ClusterNode } from './cluster.js';
import { echoCheck, echoServer } from './tcp.js';
import { udpListener } from './udp.js';

const SEND = path.join(path.dirname(new URL(import.meta.url).pathname), 'vxlan-send.py');
const PORT = 9999;
// The VM tiers run this file with the kernel's own pod device: netkit pods through the tunnel on 6.12,
// veth over cls_bpf (no tcx) on 6.1.
const mode = process.env.PODLINK_TEST_MODES?.split(',')[0] ?? 'veth';
const slow = process.env.PODLINK_VM_TIER === '1' ? 6 : 1; // the VM's emulated CPU starts a process in seconds

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-ms${process.pid % 100000}`;
  t.test('forged VXLAN from a host that is no node', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: 2, far: 0, mode, routing: 'tunnel' });
    const [n1, n2] = k.nodes as [ClusterNode, ClusterNode];
    const stranger = addUnderlayHost(c, k.underlay, `${tag}-x`, 200);
    const first = k.addPod(n1, 'first', 'bpf');
    t.equal(k.mtu(first.ns, 'eth0'), 1450, 'routing: tunnel in the netconf: a pod made before any agent ran gets 1500 - 50');
    k.writeNodesFile(k.entries());
    for (const n of k.nodes) k.startAgent(n, undefined, ['--routing', 'tunnel']);
    const ms = await waitFor(() => k.paths(n1).n2 === 'tunnel' && k.tunnelPeers(n1).includes(n2.ul.ip4) && !!k.tunnelDevice(n1), 10_000 * slow, 50);
    t.ok(ms >= 0, `n1 tunnels to n2 and admits it (${ms} ms): peers [${k.tunnelPeers(n1).join(', ')}]`);
    t.notOk(k.tunnelPeers(n1).includes(stranger.ip4), 'the stranger is no peer');
    const mac = k.tunnelDevice(n1)?.address ?? 'ff:ff:ff:ff:ff:ff';
    const pods = [k.addPod(n1, 'b', 'bpf'), k.addPod(n1, 'l', 'legacy')];
    const listeners = await Promise.all(pods.map((p) => udpListener(c, p.ns, PORT)));
    const vxlan = k.tunnelDevice(n1)?.ifindex ?? 0;
    const drops = () => k.statsPackets(n1, vxlan, 'dropTunnelSource');

    // One forged packet per pod and inner family; the payload names it, so a listener shows which got through.
    const send = (from: string, outer: string, vni: number, label: string) => {
      for (const p of pods) {
        for (const dst of [p.ip4, p.ip6]) {
          const src = dst.includes(':') ? 'fd00:244:2::99' : '10.244.2.99';
          nsExec(from, 'python3', [SEND, outer, '8472', String(vni), src, dst, String(PORT), `${label} ${p.name} ${dst}`, mac]);
        }
      }
    };
    const got = (label: string) => listeners.flatMap((l) => l.received()).filter((m) => m.startsWith(`${label} `));
    const expectAll = (label: string) => pods.flatMap((p) => [p.ip4, p.ip6].map((ip) => `${label} ${p.name} ${ip}`)).sort();

    t.test('from a node: delivered to every pod (the forged packets are well-formed)', async (t) => {
      send(n2.ns, n1.ul.ip4, 1, 'node');
      const ms = await waitFor(() => got('node').length === 4, 3000 * slow);
      t.same(got('node').sort(), expectAll('node'), `all four arrived (${ms} ms)`);
    });

    for (const outer of ['ip4', 'ip6'] as const) {
      t.test(`from the stranger, IPv${outer.slice(2)} underlay: no pod receives one; status counts the drops`, async (t) => {
        const label = `stranger-${outer}`;
        const before = drops();
        send(stranger.ns, n1.ul[outer], 1, label);
        const ms = await waitFor(() => drops() - before >= 4, 3000 * slow);
        t.ok(ms >= 0, `pl_stats dropTunnelSource of podlink_vxlan grew by ${drops() - before} (≥ 4 wanted)`);
        await settle();
        t.same(got(label), [], 'no pod received a forged packet');
        statusShowsDrops(t, k, n1, drops());
      });
    }

    t.test('from a node, on a VNI that is not ours: dropped', async (t) => {
      const before = drops();
      send(n2.ns, n1.ul.ip4, 2, 'vni2');
      t.ok(await waitFor(() => drops() - before >= 4, 3000 * slow) >= 0, `dropped: the counter grew by ${drops() - before}`);
      await settle();
      t.same(got('vni2'), [], 'no pod received one');
    });

    t.test('after all that, a node\'s packets still arrive', async (t) => {
      send(n2.ns, n1.ul.ip6, 1, 'again');
      t.ok(await waitFor(() => got('again').length === 4, 3000 * slow) >= 0, 'IPv6 underlay from n2: all four arrived');
      const b2 = k.addPod(n2, 'b2', 'bpf');
      t.ok(k.ping(pods[0]!.ns, b2.ip4), `and the tunnel carries real traffic: n1 pod → n2 pod (${mode})`);
      await echoServer(c, b2.ns, 7001);
      const before = k.endpointPackets(pods[0]!, 'redirectTunnel');
      for (const ip of [b2.ip4, b2.ip6]) t.equal(echoCheck(pods[0]!.ns, ip, 7001), '', `TCP ${mode} pod → ${mode} pod ${ip}: 1 MiB echoed intact`);
      t.ok(k.endpointPackets(pods[0]!, 'redirectTunnel') - before > 20, 'encapsulated by from-pod (redirectTunnel)');
    });
  });
}

/** Time for a packet that got through to reach its listener. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 500));
}

/** `podlink status`, text and --json, reports the tunnel drops with the count the datapath holds. */
function statusShowsDrops(t: Test, k: TestCluster, n: ClusterNode, count: number): void {
  const text = nsRun(n.ns, PODLINK, ['status', '--mode-file', n.modeFile, '--state-dir', n.stateDir, '--bpf-root', n.bpfRoot]).stdout;
  const line = text.split('\n').find((l) => /tunnel/i.test(l) && /drop/i.test(l) && l.includes(String(count)));
  t.ok(line, `podlink status shows the ${count} tunnel drops: ${line?.trim() ?? 'no line names them'}`);
  const json = k.status(n).tunnel as { droppedUnknownSource?: string } | null;
  t.equal(json?.droppedUnknownSource, String(count), 'podlink status --json reports them (tunnel.droppedUnknownSource)');
}
