import t from 'tap';
import { changePlan, fleet, fleetNode, MAX_INDEX, nodeAddresses, podCIDRs, SELF, testNode } from './fleet.js';

t.test('every node of the plan has its own pod CIDRs and addresses, all on the underlay', async (t) => {
  const nodes = fleet(5000);
  t.equal(nodes.length, 5001);
  t.equal(nodes[0]!.name, SELF);
  const cidrs = nodes.flatMap((n) => n.podCIDRs);
  const addrs = nodes.flatMap((n) => [...n.addresses, ...(n.name === SELF ? [] : nodeAddresses(Number(n.name.slice(5)), true))]);
  t.equal(new Set(cidrs).size, cidrs.length, 'pod CIDRs are distinct');
  t.equal(new Set(addrs).size, addrs.length, 'primary and alternate addresses are distinct');
  t.ok(addrs.every((a) => a.startsWith('10.80.') || a.startsWith('fd00:80::')), 'every address on 10.80.0.0/16 or fd00:80::/64');
  t.ok(cidrs.every((c) => !c.startsWith('10.96.') && !c.startsWith('10.80.')), 'no pod CIDR in the service CIDR or the underlay');
  t.same(podCIDRs(0), ['10.128.0.0/24', 'fd00:244::/64']);
  t.same(podCIDRs(257), ['10.129.1.0/24', 'fd00:244:101::/64']);
  t.same(nodeAddresses(257), ['10.80.1.1', 'fd00:80::101']);
  t.same(nodeAddresses(257, true), ['10.80.129.1', 'fd00:80::1:101']);
  t.throws(() => nodeAddresses(0), RangeError);
  t.throws(() => nodeAddresses(MAX_INDEX), RangeError);
});

t.test('testNode: both addresses as InternalIP, both pod CIDRs', async (t) => {
  t.same(testNode(fleetNode(3)), {
    name: 'node-00003', podCIDRs: ['10.128.3.0/24', 'fd00:244:3::/64'],
    addresses: [{ type: 'InternalIP', address: '10.80.0.3' }, { type: 'InternalIP', address: 'fd00:80::3' }],
  });
});

t.test('the change plan cycles modify / add / delete and every change moves a route', async (t) => {
  const plan = changePlan(100, 12);
  t.same(plan.map((c) => c.kind), ['modify', 'add', 'delete', 'modify', 'add', 'delete', 'modify', 'add', 'delete', 'modify', 'add', 'delete']);
  t.equal(plan[1]!.node.name, 'node-00101', 'adds go past the fleet');
  t.equal(plan[2]!.node.name, 'node-00101', 'and the delete removes that node again');
  t.same(plan[2]!.expect, [{ op: 'del', dst: '10.128.101.0/24' }, { op: 'del', dst: 'fd00:244:65::/64' }]);
  t.same(plan[4]!.node.name, 'node-00102');
  // a node modified twice goes to its alternate addresses and back
  const byNode = new Map<string, string[]>();
  for (const c of changePlan(10, 90).filter((c) => c.kind === 'modify')) byNode.set(c.node.name, [...(byNode.get(c.node.name) ?? []), c.node.addresses[0]]);
  for (const [name, seq] of byNode) {
    for (let i = 1; i < seq.length; i++) t.not(seq[i], seq[i - 1], `${name}: each modify changes the address`);
  }
  t.ok(plan[0]!.expect.every((e) => e.op === 'add' && e.gw), 'a modify expects both routes via the new addresses');
  t.throws(() => changePlan(MAX_INDEX - 2, 30), RangeError);
});
