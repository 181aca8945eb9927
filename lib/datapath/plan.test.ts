// The attach plan per mode (pure), its words for --dry-run, and the map layouts against the object.
import t from 'tap';
import * as BPF from '../bpf/consts.js';
import { mapSpec } from '../bpf/index.js';
import type { Netlink } from '../netlink/index.js';
import * as L from './layout.js';
import {
  datapathObject,
  datapathObjectBytes,
  describeObject,
  layoutHashOf,
  objectFromMeta,
  objectMeta,
  type ObjectMeta,
} from './object.js';
import { pinPaths } from './paths.js';
import { DatapathError, describeSteps, linkIsOnHook, linkSteps, planAttachEndpoint, type EndpointSpec } from './plan.js';
import type { TcClient } from './tc-client.js';

const base: EndpointSpec = {
  bpfRoot: '/sys/fs/bpf/podlink',
  mode: 'veth',
  tcx: true,
  hostIfName: 'pl3f2a0c1b9e8d',
  hostIfindex: 7,
  ips: ['10.1.2.3', 'fd00::3'],
  podMac: '02:00:00:aa:bb:02',
  antiSpoof: true,
  clusterCIDRs: ['10.1.0.0/16'],
};

t.test('hooks per mode (docs/architecture.md#bpf-programs)', async (t) => {
  const hooks = (s: Partial<EndpointSpec>) =>
    linkSteps({ ...base, ...s }).map((x) => [x.role, x.op, x.hook, x.attachType ?? x.tcDirection, x.ifindex]);
  t.same(hooks({ mode: 'veth', tcx: true }), [
    ['from-pod', 'bpf', 'tcx-ingress', BPF.BPF_TCX_INGRESS, 7],
    ['to-pod', 'bpf', 'tcx-egress', BPF.BPF_TCX_EGRESS, 7],
  ]);
  t.same(
    hooks({ mode: 'netkit', tcx: true }),
    [
      ['from-pod', 'bpf', 'netkit-peer', BPF.BPF_NETKIT_PEER, 7],
      ['to-pod', 'bpf', 'netkit-primary', BPF.BPF_NETKIT_PRIMARY, 7],
    ],
    'both netkit hooks on the primary (host) ifindex',
  );
  t.same(hooks({ mode: 'netkit-l2', tcx: false }), hooks({ mode: 'netkit', tcx: true }), 'netkit ignores the tcx flag');
  t.same(hooks({ mode: 'veth', tcx: false }), [
    ['from-pod', 'tc', 'tc-ingress', 'ingress', 7],
    ['to-pod', 'tc', 'tc-egress', 'egress', 7],
  ]);
  const pins = linkSteps(base).map((x) => x.pin);
  t.same(pins, ['/sys/fs/bpf/podlink/links/pl3f2a0c1b9e8d/from-pod', '/sys/fs/bpf/podlink/links/pl3f2a0c1b9e8d/to-pod']);
  t.same(
    linkSteps({ ...base, tcx: false }).map((x) => x.pin),
    [undefined, undefined],
    'tc filters are not pinned',
  );
});

t.test('map writes come first and carry the exact bytes', async (t) => {
  const steps = planAttachEndpoint(base);
  t.same(
    steps.map((s) => (s.kind === 'map-write' ? s.map : s.hook)),
    ['pl_cidrs', 'pl_pod_cfg', 'pl_endpoints', 'pl_endpoints', 'pl_stats', 'tcx-ingress', 'tcx-egress'],
  );
  const cfg = steps[1]!;
  if (cfg.kind !== 'map-write') throw new Error('unreachable');
  t.same(cfg.key, Buffer.from([7, 0, 0, 0]));
  const v = cfg.value!;
  t.equal(v.length, 92);
  t.equal(v.readUInt32LE(0), L.PL_F_ANTI_SPOOF | L.PL_F_L2, 'veth: anti-spoof + L2');
  t.same(v.subarray(4, 10), Buffer.from('020000aabb02', 'hex'));
  t.same([v[10], v[11]], [1, 1], 'one v4, one v6');
  t.same(v.subarray(12, 16), Buffer.from([10, 1, 2, 3]));
  t.same(v.subarray(16, 28), Buffer.alloc(12), 'unused v4 slots zero');
  t.same(v.subarray(28, 44), Buffer.from('fd000000000000000000000000000003', 'hex'));
  const ep = steps[2]!;
  if (ep.kind !== 'map-write') throw new Error('unreachable');
  t.same(ep.key, Buffer.from('02000000' + '0a010203' + '00'.repeat(12), 'hex'), 'AF_INET key, address in the first 4 bytes');
  t.same(ep.value, Buffer.from('07000000' + '03000000' + '020000aabb02' + '0000', 'hex'));
  const ep6 = steps[3]!;
  if (ep6.kind !== 'map-write') throw new Error('unreachable');
  t.equal(ep6.key![0], 10, 'AF_INET6');
  const cidr = steps[0]!;
  if (cidr.kind !== 'map-write') throw new Error('unreachable');
  t.same(cidr.key, Buffer.from('30000000' + '02000000' + '0a010000' + '00'.repeat(12), 'hex'), 'prefixlen 32+16, host bits zero');
  const stats = steps[4]!;
  if (stats.kind !== 'map-write') throw new Error('unreachable');
  t.equal(stats.flags, BPF.BPF_NOEXIST, 'counters are created, never reset');
});

t.test('attach in parts: the map entries go with the from-pod hook, the to-pod part is its link alone', async (t) => {
  const kinds = (part: 'all' | 'from-pod' | 'to-pod') =>
    planAttachEndpoint(base, undefined, part).map((s) => (s.kind === 'map-write' ? s.map : s.hook));
  t.same(kinds('from-pod'), ['pl_cidrs', 'pl_pod_cfg', 'pl_endpoints', 'pl_endpoints', 'pl_stats', 'tcx-ingress']);
  t.same(kinds('to-pod'), ['tcx-egress']);
  t.same([...kinds('from-pod'), ...kinds('to-pod')], kinds('all'), 'together, the whole attach in order');
  t.same(
    linkSteps({ ...base, mode: 'netkit' }, undefined, 'to-pod').map((x) => x.hook),
    ['netkit-primary'],
  );
});

t.test('flags and MACs per mode', async (t) => {
  const cfgOf = (s: Partial<EndpointSpec>) => {
    const st = planAttachEndpoint({ ...base, ...s }).find((x) => x.kind === 'map-write' && x.map === 'pl_pod_cfg');
    return L.decodePodConfig(st!.kind === 'map-write' ? st!.value! : Buffer.alloc(0));
  };
  t.same(
    cfgOf({ mode: 'netkit' }),
    { flags: L.PL_F_ANTI_SPOOF | L.PL_F_NETKIT, mac: '00:00:00:00:00:00', ip4: ['10.1.2.3'], ip6: ['fd00::3'] },
    'netkit L3: no MAC',
  );
  t.equal(cfgOf({ mode: 'netkit-l2' }).flags, L.PL_F_ANTI_SPOOF | L.PL_F_L2 | L.PL_F_NETKIT);
  t.equal(cfgOf({ antiSpoof: false }).flags, L.PL_F_L2);
  t.throws(() => planAttachEndpoint({ ...base, podMac: undefined }), DatapathError, 'L2 anti-spoofing needs the pod MAC');
  t.throws(() => planAttachEndpoint({ ...base, ips: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'] }), /at most 4 IPv4/);
});

t.test('--dry-run words, before the ifindex and IPs are known', async (t) => {
  const words = describeSteps(planAttachEndpoint({ ...base, hostIfindex: undefined, ips: [], podMac: undefined }));
  t.same(words, [
    'bpf: ensure cluster CIDR 10.1.0.0/16 in pl_cidrs',
    'bpf: write pl_pod_cfg[pl3f2a0c1b9e8d] = {flags 0x3 anti-spoof, mac (pod MAC), ips none yet}',
    'bpf: create counters pl_stats[pl3f2a0c1b9e8d]',
    'bpf: create tcx ingress link running pl_from_pod on pl3f2a0c1b9e8d, pin at /sys/fs/bpf/podlink/links/pl3f2a0c1b9e8d/from-pod',
    'bpf: create tcx egress link running pl_to_pod on pl3f2a0c1b9e8d, pin at /sys/fs/bpf/podlink/links/pl3f2a0c1b9e8d/to-pod',
  ]);
  const nk = describeSteps(linkSteps({ ...base, mode: 'netkit' }));
  t.match(nk[0], /^bpf: create netkit peer link running pl_from_pod on netkit primary pl3f2a0c1b9e8d \(ifindex 7\), pin at /);
  t.match(
    describeSteps(linkSteps({ ...base, tcx: false }))[1],
    /^tc: attach pl_to_pod to tc clsact egress \(cls_bpf, direct-action\) of pl3f2a0c1b9e8d \(ifindex 7\)$/,
  );
});

t.test('layouts match the object the build ships', async (t) => {
  const obj = datapathObject();
  const shape = (n: string) => mapSpec(obj.spec, n)!;
  t.equal(shape(L.MAPS.podCfg).valueSize, L.SIZES.podCfg);
  t.equal(shape(L.MAPS.endpoints).keySize, L.SIZES.epKey);
  t.equal(shape(L.MAPS.endpoints).valueSize, L.SIZES.epInfo);
  t.equal(shape(L.MAPS.cidrs).keySize, L.SIZES.cidrKey);
  t.equal(shape(L.MAPS.flows).keySize, L.SIZES.flowKey);
  t.equal(shape(L.MAPS.stats).valueSize, L.SIZES.stats);
  t.equal(L.SIZES.stats, L.COUNTERS.length * 16, 'one {packets, bytes} per enum pl_ctr entry');
  t.equal(shape(L.MAPS.tunnel).keySize, L.SIZES.cidrKey);
  t.equal(shape(L.MAPS.tunnel).valueSize, L.SIZES.nodeAddr);
  t.equal(shape(L.MAPS.tunnelPeers).keySize, L.SIZES.nodeAddr);
  t.equal(shape(L.MAPS.tunnelCfg).valueSize, L.SIZES.tunnelCfg);
  t.same(obj.sharedMaps.map((m) => m.name).sort(), [
    'pl_cidrs',
    'pl_endpoints',
    'pl_flows',
    'pl_pod_cfg',
    'pl_stats',
    'pl_tunnel',
    'pl_tunnel_cfg',
    'pl_tunnel_peers',
  ]);
  t.match(obj.objectHash, /^[0-9a-f]{16}$/);
  t.equal(obj.layoutHash, layoutHashOf([...obj.sharedMaps].reverse()), 'layout hash ignores order');
  t.not(obj.layoutHash, layoutHashOf(obj.sharedMaps.map((m) => (m.name === 'pl_flows' ? { ...m, maxEntries: 1 } : m))));
});

t.test('tunnel layouts round-trip', async (t) => {
  t.equal(L.decodeNodeAddr(L.encodeNodeAddr('10.99.0.2')), '10.99.0.2');
  t.equal(L.decodeNodeAddr(L.encodeNodeAddr('fd00:99::2')), 'fd00:99::2');
  t.same([...L.encodeNodeAddr('10.99.0.2').subarray(0, 8)], [2, 0, 0, 0, 10, 99, 0, 2]);
  const cfg = { ifindex: 9, vni: 1, mac: '0e:70:6c:74:75:6e' };
  t.same(L.decodeTunnelConfig(L.encodeTunnelConfig(cfg)), cfg);
  const local = { ...cfg, local4: '10.99.0.1', local6: 'fd00:99::1' };
  t.same(L.decodeTunnelConfig(L.encodeTunnelConfig(local)), local);
  t.same([...L.encodeTunnelConfig(local).subarray(16, 20)], [10, 99, 0, 1], 'local4 in network order after the MAC and pad');
});

t.test('counters decode and sum over CPUs', async (t) => {
  const cpu = (n: bigint) => {
    const b = Buffer.alloc(L.SIZES.stats);
    b.writeBigUInt64LE(n, 3 * 16); // redirectLocal.packets
    b.writeBigUInt64LE(n * 100n, 3 * 16 + 8);
    b.writeBigUInt64LE(1n, 8 * 16); // dropSpoofIp.packets
    return b;
  };
  const c = L.decodeStats([cpu(2n), cpu(5n)]);
  t.same(c.redirectLocal, { packets: 7n, bytes: 700n });
  t.same(c.dropSpoofIp.packets, 2n);
  t.same(c.fromPod, { packets: 0n, bytes: 0n });
});

t.test('which link is on which hook: netkit peer links report the peer ifindex, so the hook is asked', async (t) => {
  const tcx = { hook: 'tcx-ingress' as const, ifindex: 7, attachType: BPF.BPF_TCX_INGRESS };
  const never = () => t.fail('tcx needs no query') as unknown as number[];
  t.equal(linkIsOnHook(tcx, { id: 1, ifindex: 7, attachType: BPF.BPF_TCX_INGRESS }, never), true);
  t.equal(linkIsOnHook(tcx, { id: 1, ifindex: 8, attachType: BPF.BPF_TCX_INGRESS }, never), false);
  t.equal(linkIsOnHook(tcx, { id: 1, ifindex: 7, attachType: BPF.BPF_TCX_EGRESS }, never), false);
  t.equal(linkIsOnHook(tcx, { id: 1, ifindex: 0, attachType: BPF.BPF_TCX_INGRESS }, never), false, 'defunct');
  const peer = { hook: 'netkit-peer' as const, ifindex: 7, attachType: BPF.BPF_NETKIT_PEER };
  const asked: number[][] = [];
  const q = (i: number, a: number) => (asked.push([i, a]), [5, 9]);
  t.equal(linkIsOnHook(peer, { id: 9, ifindex: 2, attachType: BPF.BPF_NETKIT_PEER }, q), true);
  t.equal(linkIsOnHook(peer, { id: 4, ifindex: 2, attachType: BPF.BPF_NETKIT_PEER }, q), false);
  t.same(asked[0], [7, BPF.BPF_NETKIT_PEER], 'queried through the primary');
});

t.test('pin names are derivable and safe', async (t) => {
  const p = pinPaths('/sys/fs/bpf/podlink/');
  t.equal(p.programPin('0123456789abcdef', 'to-pod'), '/sys/fs/bpf/podlink/progs/0123456789abcdef/to-pod');
  t.equal(p.mapPin('00ff', 'pl_stats'), '/sys/fs/bpf/podlink/maps/00ff/pl_stats');
  t.equal(p.uplinkPin('eth0'), '/sys/fs/bpf/podlink/uplinks/eth0/from-uplink');
  t.throws(() => p.linkPin('../x', 'from-pod'), /unsafe/);
  t.throws(() => p.linksDir(''), /unsafe/);
});

// lib/netlink's client is the tc implementation the plugin passes (compile-time check only).
const _tcIsNetlink: (n: Netlink) => TcClient = (n) => n;
void _tcIsNetlink;

t.test('an object built from its meta equals the parsed one and parses the ELF only on demand', async (t) => {
  const parsed = describeObject(datapathObjectBytes());
  const meta = JSON.parse(JSON.stringify(objectMeta(parsed))) as ObjectMeta;
  let reads = 0;
  const lazy = objectFromMeta(meta, () => {
    reads++;
    return datapathObjectBytes();
  });
  t.same(
    [lazy.objectHash, lazy.layoutHash, lazy.sharedMaps, lazy.programMaps],
    [parsed.objectHash, parsed.layoutHash, parsed.sharedMaps, parsed.programMaps],
  );
  t.equal(reads, 0, 'hashes and map specs need no ELF');
  t.same(
    lazy.spec.programs.map((p) => p.name),
    parsed.spec.programs.map((p) => p.name),
  );
  t.ok(lazy.bytes.equals(parsed.bytes));
  t.equal(reads, 1, 'read and parsed once');
  t.same(parsed.programMaps.pl_from_pod?.includes('pl_endpoints'), true, 'from-pod references the endpoint map');
});
