import t from 'tap';
import { CIDR_CONFIGURED, CIDR_LEARNED } from '../datapath/index.js';
import { parsePrefix, type Prefix } from './cidr.js';
import { describeAgentPlan, incumbentsFromRoutes, planAgent, planCidrs } from './plan.js';
import { planRoutes } from './routes.js';

const p = (s: string) => parsePrefix(s) as Prefix;
const local = { selfName: 'a', connected: [{ prefix: p('10.99.0.0/24'), address: '10.99.0.1' }], serviceCIDRs: [] };
const nodes = [
  { name: 'a', podCIDRs: ['10.244.1.0/24'], addresses: ['10.99.0.1'] },
  { name: 'b', podCIDRs: ['10.244.2.0/24'], addresses: ['10.99.0.2'] },
  { name: 'c', podCIDRs: ['10.244.3.0/24'], addresses: ['10.99.0.3'] },
];

t.test('planRoutes: removals first, then adds and changes; nothing for a route already right', async (t) => {
  const current = new Map([
    ['10.244.2.0/24', { gw: '10.99.0.2' }],
    ['10.244.3.0/24', { gw: '10.99.0.33' }],
    ['10.244.9.0/24', { gw: '10.99.0.9' }],
    ['10.244.8.0/24', { tunnel: '10.98.0.8' }],
  ]);
  const want = [
    { family: 4 as const, dst: '10.244.2.0/24', gw: '10.99.0.2', node: 'b' },
    { family: 4 as const, dst: '10.244.3.0/24', gw: '10.99.0.3', node: 'c' },
    { family: 6 as const, dst: 'fd00:244:4::/64', gw: 'fd00:99::4', node: 'd' },
    { family: 4 as const, dst: '10.244.8.0/24', gw: '10.99.0.8', node: 'e' },
    { family: 4 as const, dst: '10.244.5.0/24', tunnel: '10.98.0.5', node: 'f' },
  ];
  t.same(
    planRoutes(want, current).map((c) => `${c.op} ${c.dst} ${c.gw ?? `tunnel ${c.tunnel}`}`),
    [
      'remove 10.244.9.0/24 10.99.0.9',
      'change 10.244.3.0/24 10.99.0.3',
      'add fd00:244:4::/64 fd00:99::4',
      'change 10.244.8.0/24 10.99.0.8',
      'add 10.244.5.0/24 tunnel 10.98.0.5',
    ],
    'a tunnel route that becomes native is a change, like a new gateway',
  );
});

t.test("planRoutes: a tunnel route whose outer source is not this node's listed address is changed", async (t) => {
  const current = new Map([
    ['10.244.2.0/24', { tunnel: '10.98.0.2', src: '10.98.0.77' }],
    ['10.244.3.0/24', { tunnel: '10.98.0.3', src: '10.98.0.1' }],
    ['fd00:244:4::/64', { tunnel: 'fd00:98::4' }],
  ]);
  const want = [
    { family: 4 as const, dst: '10.244.2.0/24', tunnel: '10.98.0.2', node: 'b' },
    { family: 4 as const, dst: '10.244.3.0/24', tunnel: '10.98.0.3', node: 'c' },
    { family: 6 as const, dst: 'fd00:244:4::/64', tunnel: 'fd00:98::4', node: 'd' },
  ];
  const words = (local?: { 4?: string; 6?: string }) => planRoutes(want, current, local).map((c) => `${c.op} ${c.dst}`);
  t.same(
    words({ 4: '10.98.0.1', 6: 'fd00:98::1' }),
    ['change 10.244.2.0/24', 'change fd00:244:4::/64'],
    'old source, no source where one is listed',
  );
  t.same(words({ 4: '10.98.0.1' }), ['change 10.244.2.0/24'], 'no IPv6 address listed: no source wanted');
  t.same(words(undefined), [], 'before the outer sources are known, any source will do');
});

t.test('planCidrs: only learned entries are removed; a configured one is neither removed nor added again', async (t) => {
  const current = new Map([
    ['10.244.1.0/24', CIDR_CONFIGURED],
    ['10.244.8.0/24', CIDR_CONFIGURED],
    ['10.244.9.0/24', CIDR_LEARNED],
  ]);
  t.same(planCidrs(['10.244.1.0/24', '10.244.2.0/24'], current), { add: ['10.244.2.0/24'], remove: ['10.244.9.0/24'] });
});

t.test("incumbentsFromRoutes: a route names its node through the gateway, in the kernel's address form", async (t) => {
  const six = [{ name: 'x', podCIDRs: [], addresses: ['fd00:99:0::7'] }];
  t.same([...incumbentsFromRoutes(six, new Map([['fd00:244:7::/64', { gw: 'fd00:99::7' }]]))], [['fd00:244:7::/64', 'x']]);
});

t.test('planAgent and its words', async (t) => {
  const plan = planAgent(nodes, local, new Map(), { routes: new Map(), cidrs: new Map() });
  const words = describeAgentPlan(plan);
  t.match(words, ['route add 10.244.2.0/24 via 10.99.0.2 proto 201 (node b)', 'route add 10.244.3.0/24 via 10.99.0.3 proto 201 (node c)']);
  t.ok(words.includes('pl_cidrs add 10.244.2.0/24 (learned)'));
  t.ok(words.includes('node c: native'));
  t.ok(
    words.some((l) => /^tunnel podlink_vxlan .*kept idle, every node is native; pl_tunnel_peers admits 2 node addresses$/.test(l)),
    'auto keeps an idle device',
  );
  const native = describeAgentPlan(planAgent(nodes, { ...local, routing: 'native' }, new Map(), { routes: new Map(), cidrs: new Map() }));
  t.ok(native.some((l) => /^no tunnel device \(routing: native\)/.test(l)));
  const noMaps = describeAgentPlan(planAgent(nodes, local, new Map(), { routes: new Map() }));
  t.ok(noMaps.some((l) => /BPF datapath not loaded yet/.test(l)));
  const routes = new Map([
    ['10.244.2.0/24', { gw: '10.99.0.2' }],
    ['10.244.3.0/24', { gw: '10.99.0.3' }],
  ]);
  const cidrs = new Map(['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'].map((c) => [c, CIDR_LEARNED]));
  t.equal(
    describeAgentPlan(planAgent(nodes, local, new Map(), { routes, cidrs }))[0],
    'nothing to change: the kernel already holds the desired routes and cluster CIDRs',
  );
});
