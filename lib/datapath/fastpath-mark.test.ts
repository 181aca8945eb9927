// Privileged (this host, veth): to-pod's netkit fast-path mark, driven through BPF_PROG_TEST_RUN so that
// it runs without netkit. With the mark and a pod's host ifindex in cb[1] the packet is counted for that
// pod without being parsed; when cb[1] names no pod (cb is the IP layer's scratch space on the stack's
// path, and a pod can choose its first word) the mark is ignored and nothing is counted for that index.
import t from 'tap';
import { BpfProgram } from '../bpf/index.js';
import { isRoot, legacyTcBed, podEndpoint, type TestPod } from '../../conformance/support/index.js';
import { nativeSys } from '../sys/index.js';
import { attachEndpoint, encodeIfindexKey, loadAndPin, MAPS, openDatapathMaps, pinPaths, readCounters } from './index.js';

/** PL_CB_FASTPATH in bpf-objects/podlink.h ("pLfp"). */
const MARK = 0x704c6670;
const SKB_CB = 48; // struct __sk_buff.cb[0]; cb[1] follows

/** TCP from 10.77.9.9 to `dst`, behind an Ethernet header addressed to `mac`. */
function tcpPacket(mac: string, dst: string): Buffer {
  const eth = Buffer.concat([Buffer.from(mac.replace(/:/g, ''), 'hex'), Buffer.from('02000000aa01', 'hex'), Buffer.from([0x08, 0x00])]);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(40, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(6, 9);
  Buffer.from([10, 77, 9, 9]).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(80, 2);
  tcp.writeUInt8(0x50, 12);
  tcp.writeUInt8(0x10, 13);
  return Buffer.concat([eth, ip, tcp]);
}

/** struct pl_flow_key (bpf-objects/podlink.h) of a TCP flow that reached a pod through the stack (PL_FLOW_FULL). */
function flowKey(pod: string, podPort: number, peer: string, peerPort: number): Buffer {
  const k = Buffer.alloc(40);
  k.writeUInt8(2, 0); // AF_INET
  k.writeUInt8(6, 1); // TCP
  k.writeUInt8(1, 2); // PL_FLOW_FULL
  k.writeUInt16BE(podPort, 4);
  k.writeUInt16BE(peerPort, 6);
  Buffer.from(pod.split('.').map(Number)).copy(k, 8);
  Buffer.from(peer.split('.').map(Number)).copy(k, 24);
  return k;
}

function ctxWithCb(cb0: number, cb1: number): Buffer {
  const ctx = Buffer.alloc(192); // sizeof(struct __sk_buff)
  ctx.writeUInt32LE(cb0, SKB_CB);
  ctx.writeUInt32LE(cb1, SKB_CB + 4);
  return ctx;
}

t.test('to-pod: the fast-path mark counts for the pod in cb[1], and only for a pod', { skip: !isRoot && 'needs root' }, async (t) => {
  const sys = nativeSys();
  const bed = legacyTcBed(sys, 'mark', ['10.77.3.1']);
  t.teardown(() => bed.remove());
  const { root, topo, tc, inNode } = bed;
  const [p] = topo.pods as [TestPod];
  const loaded = loadAndPin(sys, root);
  // Legacy tc, which every kernel of the matrix has: the hook does not matter to a test run.
  inNode(() => attachEndpoint({ sys, tc }, podEndpoint(p, root, { tcx: false })));
  const toPod = BpfProgram.openPinned(sys, pinPaths(root).programPin(loaded.objectHash, 'to-pod'));
  t.teardown(() => toPod.close());
  const pkt = tcpPacket(p.mac, p.ip);
  const counters = () => readCounters(sys, root, p.hostIfindex);

  // The marked packet is addressed to no pod: only cb[1] can tell to-pod whom to count it for.
  const before = counters();
  const marked = inNode(() => toPod.testRun(tcpPacket(p.mac, '10.77.9.10'), ctxWithCb(MARK, p.hostIfindex)));
  const after = counters();
  t.equal(marked.retval, 0, 'passes');
  t.equal(after.fromFastpath.packets - before.fromFastpath.packets, 1n, 'counted as fast path for the pod named in cb[1]');
  t.same([marked.ctx!.readUInt32LE(SKB_CB), marked.ctx!.readUInt32LE(SKB_CB + 4)], [0, 0], 'the mark is consumed');

  // No other counter of the pod is asserted on: the kernel's own IPv6 traffic on the device counts
  // there too (it did, in the 6.12 VM). The flow record is this packet's alone.
  const maps = openDatapathMaps(sys, root)!;
  t.teardown(() => maps.close());
  const flow = flowKey(p.ip, 80, '10.77.9.9', 40000);
  t.equal(maps.get(MAPS.flows)!.lookup(flow), undefined, 'no flow recorded yet');
  const bogus = 0x7fff0042;
  const forged = inNode(() => toPod.testRun(pkt, ctxWithCb(MARK, bogus)));
  t.equal(forged.retval, 0, 'passes');
  t.equal(counters().fromFastpath.packets, after.fromFastpath.packets, 'not counted as fast path');
  t.not(
    maps.get(MAPS.flows)!.lookup(flow),
    undefined,
    'the ordinary path ran: it recorded the flow that reached the pod through the stack',
  );
  t.equal(maps.get(MAPS.stats)!.lookupPerCpu(encodeIfindexKey(bogus)), undefined, 'no counters entry for an index that is no pod');
});
