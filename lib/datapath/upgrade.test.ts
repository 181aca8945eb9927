// Privileged: an upgrade to a new object (same map layout) moves every pinned link onto the new
// programs with BPF_LINK_UPDATE: one program per hook throughout, traffic keeps flowing, the old
// program pins are pruned, and a second run finds everything current.
import * as fs from 'node:fs';
import t from 'tap';
import * as BPF from '../bpf/consts.js';
import { BpfLink, queryHook } from '../bpf/index.js';
import { buildTopology, have, inNetns, isRoot, podEndpoint, privateBpffs, type TestPod } from '../../conformance/support/index.js';
import { nativeSys } from '../sys/index.js';
import {
  attachEndpoint,
  attachUplink,
  datapathObject,
  describeObject,
  loadAndPin,
  openDatapath,
  pinPaths,
  upgradePinnedLinks,
} from './index.js';

const skip = (!isRoot && 'needs root') || (!have('ping') && 'needs ping');

t.test('upgrade: pinned links move to the new programs in place', { skip }, async (t) => {
  const sys = nativeSys();
  const fsm = privateBpffs('podlink-upgtest');
  const root = `${fsm.dir}/podlink`;
  const topo = buildTopology(sys, `podlink-upg-${process.pid}`, 'veth', ['10.77.0.1', '10.77.0.2']);
  t.teardown(() => {
    topo.remove();
    fsm.remove();
  });
  const [p1, p2] = topo.pods as [TestPod, TestPod];
  const inNode = <T>(fn: () => T): T => inNetns(sys, topo.node, fn);
  const v1 = datapathObject();
  // A different object hash with the same maps: trailing bytes are outside every ELF section.
  const v2 = describeObject(Buffer.concat([v1.bytes, Buffer.from('podlink-upgrade-test')]));
  t.not(v2.objectHash, v1.objectHash);
  t.equal(v2.layoutHash, v1.layoutHash);
  const spec = (p: TestPod) => podEndpoint(p, root);
  loadAndPin(sys, root, v1);
  for (const p of [p1, p2]) inNode(() => attachEndpoint({ sys, object: v1 }, spec(p)));
  topo.node.ip('link', 'add', 'name', 'pltup', 'type', 'veth', 'peer', 'name', 'pltupp');
  const up = topo.node.ifindex('pltup');
  inNode(() => attachUplink({ sys, object: v1 }, { bpfRoot: root, ifName: 'pltup', ifindex: up, tcx: true }));
  t.equal(p1.ping(p2.ip, { count: 1 }), true, 'v1 carries traffic');

  const progIds = (o: typeof v1) => {
    const dp = openDatapath(sys, root, { object: o });
    try {
      return Object.fromEntries([...dp.programs].map(([r, p]) => [r, p.info().id]));
    } finally {
      dp.close();
    }
  };
  const hook = (ifindex: number, type: number) => inNode(() => queryHook(sys, ifindex, type).programIds);
  const before = progIds(v1);
  loadAndPin(sys, root, v2);
  const after = progIds(v2);
  t.not(after['from-pod'], before['from-pod'], 'v2 is a separate program load');
  const linkIds = fs
    .readdirSync(`${root}/links`)
    .map((d) => BpfLink.openPinned(sys, `${root}/links/${d}/from-pod`))
    .map((l) => [l.info().id, l.close()][0]);

  const r = upgradePinnedLinks({ sys, object: v2 }, root);
  t.equal(r.updated.length, 5, 'two links per pod and the uplink updated');
  t.same([r.current, r.defunct, r.skipped], [0, [], undefined]);
  t.same(r.prunedPrograms, [pinPaths(root).progsDir(v1.objectHash)], 'the old program pins are gone');
  t.notOk(fs.existsSync(pinPaths(root).progsDir(v1.objectHash)));
  for (const p of [p1, p2]) {
    t.same(hook(p.hostIfindex, BPF.BPF_TCX_INGRESS), [after['from-pod']], `${p.hostIf}: exactly the new from-pod on ingress`);
    t.same(hook(p.hostIfindex, BPF.BPF_TCX_EGRESS), [after['to-pod']], `${p.hostIf}: exactly the new to-pod on egress`);
  }
  t.same(hook(up, BPF.BPF_TCX_INGRESS), [after['from-uplink']], 'uplink: exactly the new from-uplink');
  const sameLinks = fs
    .readdirSync(`${root}/links`)
    .map((d) => BpfLink.openPinned(sys, `${root}/links/${d}/from-pod`))
    .map((l) => [l.info().id, l.close()][0]);
  t.same(sameLinks, linkIds, 'the same links (updated in place, not re-created)');
  t.equal(p1.ping(p2.ip, { count: 1 }), true, 'v2 carries traffic, endpoint entries intact');

  const again = upgradePinnedLinks({ sys, object: v2 }, root);
  t.same([again.updated, again.current, again.prunedPrograms], [[], 5, []], 'a second run finds everything current');

  topo.node.ip('link', 'del', 'pltup');
  t.same(
    upgradePinnedLinks({ sys, object: v2 }, root).defunct,
    [pinPaths(root).uplinkPin('pltup')],
    'a deleted device is reported defunct, left for cleanup',
  );
});
