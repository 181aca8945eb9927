// Privileged, veth without tcx: the legacy attach (clsact + cls_bpf direct-action) through the TcClient,
// implemented by lib/netlink's client. tc and tcx coexist on this kernel, so the path runs here too.
import t from 'tap';
import * as BPF from '../bpf/consts.js';
import { isBpfErrno, queryHook } from '../bpf/index.js';
import { have, isRoot, legacyTcBed, podEndpoint, type TestPod } from '../../conformance/support/index.js';
import { E, nativeSys } from '../sys/index.js';
import { attachEndpoint, checkEndpoint, detachEndpoint, readCounters } from './index.js';

const skip = (!isRoot && 'needs root') || (!have('ping') && 'needs ping');

t.test('datapath: veth pods on legacy tc (clsact + cls_bpf)', { skip }, async (t) => {
  const sys = nativeSys();
  const bed = legacyTcBed(sys, 'tc', ['10.77.2.1', '10.77.2.2']);
  t.teardown(() => bed.remove());
  const { root, topo, tc, inNode } = bed;
  const [p1, p2] = topo.pods as [TestPod, TestPod];
  const deps = { sys, tc };
  // Kernels before 6.6 have no tcx hook to query at all (EINVAL): nothing can be on it.
  const tcxPrograms = (ifindex: number) => {
    try {
      return inNode(() => queryHook(sys, ifindex, BPF.BPF_TCX_INGRESS)).programIds;
    } catch (e) {
      if (isBpfErrno(e, E.EINVAL)) return [];
      throw e;
    }
  };
  const spec = (p: TestPod) => podEndpoint(p, root, { tcx: false });

  for (const p of [p1, p2]) {
    const r = inNode(() => attachEndpoint(deps, spec(p)));
    t.same(r.pins, [], 'tc filters have no pins');
  }
  inNode(() => attachEndpoint(deps, spec(p1))); // replace: still one filter per hook
  for (const p of [p1, p2]) {
    t.same(
      inNode(() => checkEndpoint(deps, spec(p))),
      [],
      `${p.hostIf}: CHECK clean`,
    );
    // (the dump also lists the classifier's head entry, which has no bpf name)
    const names = (dir: 'ingress' | 'egress') => tc.filters(p.hostIfindex, dir).flatMap((f) => (f.bpfName ? [f.bpfName] : []));
    t.same(names('ingress'), ['pl_from_pod']);
    t.same(names('egress'), ['pl_to_pod']);
    t.same(tcxPrograms(p.hostIfindex), [], 'nothing on tcx');
  }
  t.equal(p1.ping(p2.ip), true, 'ping p1 → p2 with forwarding off');
  t.ok(readCounters(sys, root, p1.hostIfindex).redirectLocal.packets >= 3n, 'redirected from tc ingress');

  const done = inNode(() => detachEndpoint(deps, { bpfRoot: root, hostIfName: p1.hostIf, hostIfindex: p1.hostIfindex, ips: [p1.ip] }));
  t.match(done, [/deleted tc ingress filter/, /deleted tc egress filter/]);
  t.same(
    tc.filters(p1.hostIfindex, 'ingress').filter((f) => f.bpfName),
    [],
  );
  t.match(
    inNode(() => checkEndpoint(deps, spec(p1))),
    [/0 pl_from_pod filters/, /0 pl_to_pod filters/],
  );
});
