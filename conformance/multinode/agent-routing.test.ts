// The agent tier, datapath half: >= 3 nodes on one underlay plus one behind a router, each running
// `podlink agent` fed from a nodes file. Pods made by podlink's CNI ADD, with BPF and with legacy
// host routing, reach pods on every other node (ICMP, TCP, IPv4, IPv6), the node reaches remote pods,
// and a ClusterIP on one node reaches its backend on another.
import t from 'tap';
import { isRoot, nsExec, testCleanup } from '../support/index.js';
import { canonical, forwarded, TestCluster, waitFor, type Pod } from './cluster.js';
import { echoCheck, echoServer } from './tcp.js';

// The VM tiers run this file with the kernel's own pod device (6.12: netkit, 6.1: veth over cls_bpf)
// and, the VM's CPU being emulated, a subset: two nodes (no routed one), a BPF and a legacy pod on each.
const mode = process.env.PODLINK_TEST_MODES?.split(',')[0] ?? 'veth';
const vm = process.env.PODLINK_VM_TIER === '1';

if (!isRoot) {
  t.plan(0, 'needs root (network namespaces, bpffs)');
} else {
  const tag = `pl-mr${process.pid % 100000}`;
  t.test('native routing across nodes', async (t) => {
    const c = testCleanup(t);
    const k = TestCluster.build(c, { tag, near: vm ? 2 : 3, far: vm ? 0 : 1, mode });
    const [n1, n2] = k.nodes as [typeof k.nodes[0], typeof k.nodes[0]];
    const near = k.nodes.slice(0, vm ? 2 : 3);
    k.writeNodesFile(k.entries());
    for (const n of k.nodes) k.startAgent(n, undefined, ['--routing', 'native']); // the tunnel tier runs auto and tunnel
    const slow = vm ? 6 : 1; // the VM's emulated CPU starts a process in seconds

    const want = near.slice(1).flatMap((n) => [`${n.podCIDRs[0]} via ${n.ul.ip4}`, `${n.podCIDRs[1]} via ${canonical(n.ul.ip6)}`]).sort();
    const ms = await waitFor(() => JSON.stringify(k.routes(n1)) === JSON.stringify(want), 10_000 * slow);
    t.ok(ms >= 0, `n1 holds native routes to the other nodes on its subnet after ${ms} ms: ${k.routes(n1).join(', ')}`);
    const paths: Record<string, string> = Object.fromEntries(near.map((n) => [n.name, n === n1 ? 'self' : 'native']));
    const n4 = k.nodes[3];
    if (n4) {
      t.ok(await waitFor(() => k.status(n4).agent?.nodes.length === 4, 5000) >= 0, 'n4\'s agent has synced');
      t.same(k.routes(n4), [], 'the routed node has no native route to anyone');
      paths.n4 = 'unreachable: not on a directly connected subnet (routing: native; tunnel or auto would reach it)';
    }
    const st = k.status(n1).agent!;
    t.same(Object.fromEntries(st.nodes.map((n) => [n.name, n.reason ? `${n.path}: ${n.reason}` : n.path])), paths, 'status shows every node\'s path');

    const pods: Pod[] = [];
    for (const n of near) pods.push(k.addPod(n, `${n.name}b`, 'bpf'), k.addPod(n, `${n.name}l`, 'legacy'));
    const cidrs = near.length * 2;
    t.ok(await waitFor(() => k.clusterCidrCount(n1) === cidrs, 5000 * slow) >= 0, `n1's pl_cidrs holds the ${cidrs} pod CIDRs of its subnet's nodes`);
    t.comment(`pods: ${mode} (${pods.map((p) => `${p.name}=${p.ip4}`).join(' ')})`);

    t.test('ICMP, every pod to every pod on the other nodes, both families', async (t) => {
      for (const a of pods) {
        for (const b of pods) {
          if (a.node === b.node) continue;
          t.ok(k.ping(a.ns, b.ip4), `${a.name} → ${b.name} IPv4`);
          t.ok(k.ping(a.ns, b.ip6), `${a.name} → ${b.name} IPv6`);
        }
      }
    });

    t.test('the node reaches remote pods', async (t) => {
      t.ok(k.ping(n1.ns, pods[2]!.ip4), 'n1 → n2b IPv4');
      t.ok(k.ping(n1.ns, pods[3]!.ip6), 'n1 → n2l IPv6');
    });

    t.test('TCP: BPF pods take no upper-stack hop on either node; legacy pods are forwarded by the stack', async (t) => {
      const [n1b, n1l, n2b, n2l] = [pods[0]!, pods[1]!, pods[2]!, pods[3]!];
      await echoServer(c, n2b.ns, 7001);
      await echoServer(c, n2l.ns, 7001);
      const before = [forwarded(n1.ns), forwarded(n2.ns)];
      for (const ip of [n2b.ip4, n2b.ip6]) t.equal(echoCheck(n1b.ns, ip, 7001), '', `bpf → bpf ${ip}: 1 MiB echoed intact`);
      const after = [forwarded(n1.ns), forwarded(n2.ns)];
      t.equal(after[0]! - before[0]!, 0, 'n1 forwarded no packet of the BPF flows (fib_lookup + redirect_neigh)');
      t.equal(after[1]! - before[1]!, 0, 'n2 forwarded no packet of the BPF flows (from-uplink → redirect_peer)');
      const fib = (k.status(n1).endpoints as { containerId: string; counters: Record<string, { packets: string }> }[])
        .find((e) => e.containerId === n1b.containerId)!.counters.redirectFib!.packets;
      t.ok(Number(fib) > 20, `n1b's from-pod sent ${fib} packets with redirect_neigh`);
      for (const ip of [n2l.ip4, n2l.ip6]) t.equal(echoCheck(n1l.ns, ip, 7001), '', `legacy → legacy ${ip}: 1 MiB echoed intact`);
      t.ok(forwarded(n1.ns) > after[0]!, 'the legacy flow went through n1\'s stack');
    });

    t.test('a ClusterIP on n1 whose only backend is on n2 (kube-proxy\'s DNAT on the client\'s node)', async (t) => {
      const [n1b, n2b] = [pods[0]!, pods[2]!];
      nsExec(n1.ns, 'iptables', ['-t', 'nat', '-A', 'PREROUTING', '-d', '10.96.0.10/32', '-p', 'tcp', '--dport', '80',
        '-j', 'DNAT', '--to-destination', `${n2b.ip4}:7001`]);
      t.equal(echoCheck(n1b.ns, '10.96.0.10', 80), '', 'pod on n1 → 10.96.0.10:80 → pod on n2: TCP connects and transfers 1 MiB');
      const ct = nsExec(n1.ns, 'conntrack', ['-L', '-d', '10.96.0.10'], { allowFail: true });
      if (ct) t.match(ct, /dport=80/, 'the flow is in n1\'s conntrack (reverse NAT on the client\'s node)');
    });
  });
}
