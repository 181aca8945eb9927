// Privileged, netkit (L3 and L2): needs Linux >= 6.7 with CONFIG_NETKIT, so on this project's CI it
// runs under ../shared/tools/kvm-run; elsewhere it skips. Pod-to-pod goes netkit peer program →
// bpf_redirect(dst primary) → dst primary program (which must recognise the fast path) → dst pod.
import * as fs from 'node:fs';
import t from 'tap';
import * as BPF from '../bpf/consts.js';
import { BpfLink, haveNetkit, queryHook } from '../bpf/index.js';
import {
  buildTopology,
  clusterIpDnat,
  fetchHello,
  have,
  helloServer,
  inNetns,
  isRoot,
  podEndpoint,
  privateBpffs,
  type TestPod,
} from '../../conformance/support/index.js';
import { nativeSys } from '../sys/index.js';
import { attachEndpoint, checkEndpoint, detachEndpoint, loadAndPin, pinPaths, readCounters } from './index.js';

function netkitSkip(): string | false {
  if (!isRoot) return 'needs root';
  if (!have('ping')) return 'needs ping';
  try {
    return haveNetkit(nativeSys()) ? false : 'kernel without netkit (needs Linux >= 6.7, CONFIG_NETKIT); run under ../shared/tools/kvm-run';
  } catch (e) {
    return `netkit probe inconclusive: ${(e as Error).message}`;
  }
}
const skip = netkitSkip();

for (const mode of ['netkit', 'netkit-l2'] as const) {
  t.test(`datapath: ${mode} pods (BPF_NETKIT_PEER/PRIMARY on the primary)`, { skip }, async (t) => {
    const sys = nativeSys();
    const fsm = privateBpffs('podlink-nktest');
    const root = `${fsm.dir}/podlink`;
    const topo = buildTopology(sys, `podlink-bpftest-${process.pid}-${mode === 'netkit' ? 'nk3' : 'nk2'}`, mode, [
      '10.77.1.1',
      '10.77.1.2',
    ]);
    t.teardown(() => {
      topo.remove();
      fsm.remove();
    });
    const [p1, p2] = topo.pods as [TestPod, TestPod];
    const deps = { sys };
    const inNode = <T>(fn: () => T): T => inNetns(sys, topo.node, fn);
    const podMac = (p: TestPod) => (mode === 'netkit-l2' ? p.mac : undefined);
    const spec = (p: TestPod) => podEndpoint(p, root, { mode, podMac: podMac(p), clusterCIDRs: ['10.77.0.0/16'] });
    const counters = (ifindex: number) => readCounters(sys, root, ifindex);

    loadAndPin(sys, root);
    for (const p of [p1, p2]) inNode(() => attachEndpoint(deps, spec(p)));

    t.test('one program per netkit hook, both queried through the primary', async (t) => {
      for (const p of [p1, p2]) {
        t.same(
          inNode(() => checkEndpoint(deps, spec(p))),
          [],
          `${p.hostIf}: CHECK clean`,
        );
        t.equal(inNode(() => queryHook(sys, p.hostIfindex, BPF.BPF_NETKIT_PEER)).programIds.length, 1);
        t.equal(inNode(() => queryHook(sys, p.hostIfindex, BPF.BPF_NETKIT_PRIMARY)).programIds.length, 1);
      }
      const infoOf = (role: 'from-pod' | 'to-pod') => {
        const link = BpfLink.openPinned(sys, pinPaths(root).linkPin(p2.hostIf, role));
        const info = link.info();
        link.close();
        return [info.type, info.attachType, info.ifindex];
      };
      // Kernel fact: a PEER link reports the peer device's ifindex (pod netns), a PRIMARY link the primary's.
      t.same(infoOf('from-pod'), [BPF.BPF_LINK_TYPE_NETKIT, BPF.BPF_NETKIT_PEER, p2.ns.ifindex('eth0')]);
      t.same(infoOf('to-pod'), [BPF.BPF_LINK_TYPE_NETKIT, BPF.BPF_NETKIT_PRIMARY, p2.hostIfindex]);
    });

    t.test('fast path with forwarding off; the destination primary recognises it', async (t) => {
      t.equal(p1.ping(p2.ip), true, 'ping p1 → p2');
      const c1 = counters(p1.hostIfindex);
      const c2 = counters(p2.hostIfindex);
      t.ok(c1.redirectLocal.packets >= 3n, `p1 redirects ${c1.redirectLocal.packets}`);
      t.ok(c2.redirectLocal.packets >= 3n, `p2 redirects its replies ${c2.redirectLocal.packets} (no flow was recorded for them)`);
      t.ok(c2.fromFastpath.packets >= 3n, `p2's to-pod saw the skb->cb marker ${c2.fromFastpath.packets}`);
      t.equal(c2.passFlow.packets, 0n);
    });

    t.test('anti-spoof drops a foreign source IP', async (t) => {
      p1.ns.ip('addr', 'add', '10.77.1.99/32', 'dev', 'eth0');
      const before = counters(p1.hostIfindex).dropSpoofIp.packets;
      t.equal(p1.ping(p2.ip, { count: 2, src: '10.77.1.99' }), false);
      t.ok(counters(p1.hostIfindex).dropSpoofIp.packets - before >= 2n);
      p1.ns.ip('addr', 'del', '10.77.1.99/32', 'dev', 'eth0');
    });

    // The DNATed request reaches p2 through the node's stack and its primary: only the to-pod program sees it
    // and records the flow, so p2's replies go back through the stack for the reverse NAT instead of being
    // redirected to p1 with p2's own address (docs/architecture.md#why-two-hooks).
    t.test('NATed flows stay on the stack: ClusterIP DNAT to a local pod', { skip: !have('iptables') && 'needs iptables' }, async (t) => {
      topo.node.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      t.teardown(() => void topo.node.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=0']));
      clusterIpDnat(topo.node, '10.96.1.10', p2.ip);
      await helloServer(t, p2.ns.name, p2.ip, '');
      const passBefore = counters(p2.hostIfindex).passFlow.packets;
      t.equal(fetchHello(p1.ns, '10.96.1.10'), `hello ${p1.ip}`, 'the client reached the backend through the ClusterIP and got its answer');
      t.ok(counters(p2.hostIfindex).passFlow.packets > passBefore, "the backend's replies were handed to the stack (reverse NAT)");
      t.ok(counters(p2.hostIfindex).toPod.packets > 0n, "the backend's primary saw the DNATed packets");
    });

    t.test('detach unpins both hooks; deleting the pair leaves nothing behind', async (t) => {
      inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p1.hostIf, hostIfindex: p1.hostIfindex, ips: [p1.ip] }));
      t.same(inNode(() => queryHook(sys, p1.hostIfindex, BPF.BPF_NETKIT_PEER)).programIds, []);
      t.same(inNode(() => queryHook(sys, p1.hostIfindex, BPF.BPF_NETKIT_PRIMARY)).programIds, []);
      topo.node.ip('link', 'del', p2.hostIf); // removes both ends; the links go defunct
      t.match(
        inNode(() => checkEndpoint(deps, spec(p2))),
        [/defunct/, /defunct/],
      );
      detachEndpoint(deps, { bpfRoot: root, hostIfName: p2.hostIf, ips: [p2.ip] });
      t.notOk(fs.existsSync(pinPaths(root).linksDir(p2.hostIf)));
    });
  });
}
