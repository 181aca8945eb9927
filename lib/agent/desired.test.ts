import t from 'tap';
import { parsePrefix, type Prefix } from './cidr.js';
import { computeDesired, NO_UNDERLAY_REASON, UNREACHABLE_REASON, type LocalFacts } from './desired.js';
import type { SourceNode } from './node.js';

const p = (s: string): Prefix => {
  const x = parsePrefix(s);
  if ('error' in x) throw new Error(x.error);
  return x;
};

const local: LocalFacts = {
  selfName: 'a',
  connected: [
    { prefix: p('10.99.0.0/24'), address: '10.99.0.1' },
    { prefix: p('fd00:99::/64'), address: 'fd00:99::1' },
  ],
  serviceCIDRs: [p('10.96.0.0/16'), p('fd00:96::/108')],
};

const self: SourceNode = { name: 'a', podCIDRs: ['10.244.1.0/24', 'fd00:244:1::/64'], addresses: ['10.99.0.1', 'fd00:99::1'] };
const b: SourceNode = { name: 'b', podCIDRs: ['10.244.2.0/24', 'fd00:244:2::/64'], addresses: ['10.99.0.2', 'fd00:99::2'] };
const c: SourceNode = { name: 'c', podCIDRs: ['10.244.3.0/24'], addresses: ['10.99.0.3'] };

const verdict = (nodes: SourceNode[], name: string, inc = new Map<string, string>()) =>
  computeDesired(nodes, local, inc).verdicts.find((v) => v.name === name)!;

t.test('native routes for every other node on a connected subnet, both families', async (t) => {
  const d = computeDesired([self, b, c], local);
  t.same(d.routes.map((r) => `${r.dst} via ${r.gw}`).sort(), [
    '10.244.2.0/24 via 10.99.0.2',
    '10.244.3.0/24 via 10.99.0.3',
    'fd00:244:2::/64 via fd00:99::2',
  ]);
  t.same(
    d.verdicts.map((v) => `${v.name}:${v.path}`),
    ['a:self', 'b:native', 'c:native'],
  );
  t.same([...d.clusterCIDRs].sort(), ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24', 'fd00:244:1::/64', 'fd00:244:2::/64']);
  t.ok(d.selfFound);
});

t.test('routing native: a node off every connected subnet is unreachable, with no route and no cluster CIDR', async (t) => {
  const far: SourceNode = { name: 'far', podCIDRs: ['10.244.9.0/24'], addresses: ['10.98.0.9'] };
  const d = computeDesired([self, b, far], { ...local, routing: 'native' });
  const v = d.verdicts.find((x) => x.name === 'far')!;
  t.equal(v.path, 'unreachable');
  t.equal(v.reason, UNREACHABLE_REASON);
  t.notOk(d.routes.some((r) => r.node === 'far'));
  t.notOk(d.clusterCIDRs.includes('10.244.9.0/24'));
  t.same(d.tunnel, { device: false, inUse: false, overhead: 50 }, 'native keeps no tunnel device');
});

t.test('routing auto: native for the neighbours, the tunnel for a node off every connected subnet', async (t) => {
  const far: SourceNode = { name: 'far', podCIDRs: ['10.244.9.0/24', 'fd00:244:9::/64'], addresses: ['10.98.0.9', 'fd00:98::9'] };
  const d = computeDesired([self, b, far], local);
  t.same(
    d.verdicts.map((v) => `${v.name}:${v.path}`),
    ['a:self', 'b:native', 'far:tunnel'],
  );
  t.same(
    d.routes.filter((r) => r.node === 'far').map((r) => `${r.dst} tunnel ${r.tunnel} gw ${r.gw}`),
    ['10.244.9.0/24 tunnel 10.98.0.9 gw undefined', 'fd00:244:9::/64 tunnel 10.98.0.9 gw undefined'],
    'both pod families over the IPv4 underlay',
  );
  t.ok(d.clusterCIDRs.includes('fd00:244:9::/64'));
  t.same(d.tunnel, { device: true, inUse: true, overhead: 50 });
  t.same([...d.peers].sort(), ['10.98.0.9', '10.99.0.2', 'fd00:98::9', 'fd00:99::2'], 'every known node address may send');
  const multi: SourceNode = { ...far, addresses: ['10.98.0.9', '10.98.0.99', 'fd00:98::9'] };
  t.ok(computeDesired([self, b, multi], local).peers.includes('10.98.0.99'), 'a second InternalIP is admitted too');
});

t.test('routing tunnel: every remote node through the tunnel; an IPv6-only node over an IPv6 underlay', async (t) => {
  const v6: SourceNode = { name: 'v6', podCIDRs: ['10.244.6.0/24', 'fd00:244:6::/64'], addresses: ['fd00:98::6'] };
  const d = computeDesired([self, b, v6], { ...local, routing: 'tunnel' });
  t.same(
    d.verdicts.map((v) => `${v.name}:${v.path}`),
    ['a:self', 'b:tunnel', 'v6:tunnel'],
  );
  t.same(
    d.routes.map((r) => `${r.dst} ${r.tunnel}`),
    ['10.244.2.0/24 10.99.0.2', 'fd00:244:2::/64 10.99.0.2', '10.244.6.0/24 fd00:98::6', 'fd00:244:6::/64 fd00:98::6'],
  );
  t.equal(d.tunnel.overhead, 70, 'an IPv6 underlay costs 70 bytes');
});

t.test('an IPv6 pod CIDR without an IPv6 node address: the tunnel in auto, unreachable in native', async (t) => {
  const x: SourceNode = { name: 'x', podCIDRs: ['10.244.7.0/24', 'fd00:244:7::/64'], addresses: ['10.99.0.7'] };
  t.equal(computeDesired([self, x], local).verdicts.find((v) => v.name === 'x')!.path, 'tunnel');
  const v = computeDesired([self, x], { ...local, routing: 'native' }).verdicts.find((v) => v.name === 'x')!;
  t.equal(v.path, 'unreachable');
  t.match(v.reason, /IPv6 pod CIDR needs an IPv6 node address/);
});

t.test("the underlay family follows this node's own entry, as the other end sees it", async (t) => {
  const self6: SourceNode = { ...self, addresses: ['fd00:99::1'] }; // the kernel has IPv4 too, the list does not
  const d = computeDesired([self6, b], { ...local, routing: 'tunnel' });
  t.same(
    d.routes.map((r) => `${r.dst} ${r.tunnel}`),
    ['10.244.2.0/24 fd00:99::2', 'fd00:244:2::/64 fd00:99::2'],
    'IPv6: b admits only the addresses listed for this node',
  );
});

t.test('routing tunnel: a node with no address in a family this node has is unreachable', async (t) => {
  const only4: LocalFacts = { ...local, connected: local.connected.filter((q) => q.prefix.family === 4), routing: 'tunnel' };
  const v6: SourceNode = { name: 'v6', podCIDRs: ['fd00:244:6::/64'], addresses: ['fd00:98::6'] };
  const v = computeDesired([self, v6], only4).verdicts.find((x) => x.name === 'v6')!;
  t.equal(v.path, 'unreachable');
  t.equal(v.reason, NO_UNDERLAY_REASON);
});

t.test('the first address of a family is the one used; InternalIP order comes from the source', async (t) => {
  const two: SourceNode = { name: 'two', podCIDRs: ['10.244.5.0/24'], addresses: ['10.99.0.5', '10.99.0.55'] };
  t.equal(computeDesired([self, two], local).routes[0]!.gw, '10.99.0.5');
});

t.test('every bad input is rejected with a reason, and the other nodes keep their routes', async (t) => {
  const bad: Record<string, [SourceNode, RegExp]> = {
    'no pod CIDRs': [{ name: 'x', podCIDRs: [], addresses: ['10.99.0.7'] }, /no pod CIDRs/],
    'malformed CIDR': [{ name: 'x', podCIDRs: ['10.244.300.0/24'], addresses: ['10.99.0.7'] }, /malformed pod CIDR/],
    'CIDR without prefix': [{ name: 'x', podCIDRs: ['10.244.7.0'], addresses: ['10.99.0.7'] }, /malformed pod CIDR/],
    'host bits set': [{ name: 'x', podCIDRs: ['10.244.7.1/24'], addresses: ['10.99.0.7'] }, /host bits set/],
    'malformed address': [{ name: 'x', podCIDRs: ['10.244.7.0/24'], addresses: ['10.99.0.300'] }, /malformed address/],
    'address with a zone': [{ name: 'x', podCIDRs: ['10.244.7.0/24'], addresses: ['fe80::1%eth0'] }, /malformed address/],
    "claims this node's pod CIDR": [
      { name: 'x', podCIDRs: ['10.244.1.0/25'], addresses: ['10.99.0.7'] },
      /overlaps this node's pod CIDR 10.244.1.0\/24/,
    ],
    "claims a bigger CIDR around this node's": [
      { name: 'x', podCIDRs: ['10.244.0.0/16'], addresses: ['10.99.0.7'] },
      /overlaps this node's pod CIDR/,
    ],
    'claims the service CIDR': [
      { name: 'x', podCIDRs: ['10.96.4.0/24'], addresses: ['10.99.0.7'] },
      /overlaps the service CIDR 10.96.0.0\/16/,
    ],
    'claims the underlay': [{ name: 'x', podCIDRs: ['10.99.0.0/28'], addresses: ['10.99.0.7'] }, /overlaps this node's network/],
    "claims this node's address": [{ name: 'x', podCIDRs: ['10.244.7.0/24'], addresses: ['10.99.0.1'] }, /is this node's own/],
    'no address at all': [{ name: 'x', podCIDRs: ['10.244.7.0/24'], addresses: [] }, /no InternalIP or ExternalIP/],
  };
  for (const [what, [node, reason]] of Object.entries(bad)) {
    const d = computeDesired([self, b, node], local);
    const v = d.verdicts.find((x) => x.name === 'x')!;
    t.equal(v.path, 'rejected', what);
    t.match(v.reason, reason, what);
    t.notOk(
      d.routes.some((r) => r.node === 'x'),
      `${what}: no route`,
    );
    t.equal(d.routes.filter((r) => r.node === 'b').length, 2, `${what}: b unaffected`);
  }
});

t.test('overlapping claims: the incumbent keeps its CIDR, then the older node, then the name', async (t) => {
  const thief: SourceNode = { name: 'aaa-thief', podCIDRs: ['10.244.2.0/25'], addresses: ['10.99.0.66'] };
  t.equal(verdict([self, b, thief], 'aaa-thief').path, 'native', 'without history the name decides');
  const inc = new Map([['10.244.2.0/24', 'b']]);
  t.equal(verdict([self, b, thief], 'b', inc).path, 'native', 'b held it');
  t.match(verdict([self, b, thief], 'aaa-thief', inc).reason, /overlaps node b's 10.244.2.0\/24/);
  const older = { ...thief, createdAt: '2020-01-01T00:00:00Z' };
  const newer = { ...b, createdAt: '2024-01-01T00:00:00Z' };
  t.equal(verdict([self, newer, older], 'b').path, 'rejected', 'the older node wins without history');
  const d = computeDesired([self, b, thief, c], local, inc);
  t.equal(d.routes.filter((r) => r.node === 'c').length, 1, 'c unaffected');
});

t.test('a chain of overlaps is resolved in precedence order', async (t) => {
  const big: SourceNode = { name: 'n1', podCIDRs: ['10.250.0.0/16'], addresses: ['10.99.0.11'] };
  const mid: SourceNode = { name: 'n2', podCIDRs: ['10.250.1.0/24'], addresses: ['10.99.0.12'] };
  const small: SourceNode = { name: 'n3', podCIDRs: ['10.250.1.0/28'], addresses: ['10.99.0.13'] };
  const d = computeDesired([self, big, mid, small], local);
  t.same(
    d.verdicts.filter((v) => v.path === 'native').map((v) => v.name),
    ['n1'],
  );
});

t.test('this node missing from the list is reported', async (t) => {
  t.notOk(computeDesired([b], local).selfFound);
});

t.test('5 000 nodes: the second pass over unchanged node objects reuses their parse, with the same answer', async (t) => {
  const nodes: SourceNode[] = [self];
  for (let i = 0; i < 5000; i++) {
    nodes.push({ name: `n${i}`, podCIDRs: [`10.${100 + (i >> 8)}.${i & 255}.0/24`], addresses: [`10.99.${(i >> 8) + 1}.${i & 255}`] });
  }
  const wide: LocalFacts = { ...local, connected: [{ prefix: p('10.99.0.0/16'), address: '10.99.0.1' }] };
  let t0 = performance.now();
  const first = computeDesired(nodes, wide);
  const firstMs = performance.now() - t0;
  nodes[8] = { ...nodes[8]!, addresses: ['10.99.200.7'] }; // n7 changed: a new object
  t0 = performance.now();
  const second = computeDesired(nodes, wide);
  const secondMs = performance.now() - t0;
  t.equal(first.routes.length, 5000);
  t.equal(second.routes.find((r) => r.node === 'n6')!.gw, '10.99.1.6');
  t.equal(second.routes.find((r) => r.node === 'n7')!.gw, '10.99.200.7', 'the changed node is parsed again');
  t.same(
    second.routes.filter((r) => r.node !== 'n7'),
    first.routes.filter((r) => r.node !== 'n7'),
  );
  t.comment(`5 000 nodes: first pass ${firstMs.toFixed(1)} ms, next pass ${secondMs.toFixed(1)} ms`);
});
