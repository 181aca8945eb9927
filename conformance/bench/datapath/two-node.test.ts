import t from 'tap';
import { NET } from './config.js';
import type { NodeSpec } from './pods.js';
import { nodesFileEntries, routesMissing, underlayTarget } from './two-node.js';

const node = (name: string, subnet: string): NodeSpec => ({ name, mode: 'veth', hostRouting: 'bpf', subnet, bpfRoot: '/x', dir: '/y' });

t.test('the nodes file names each node with its pod subnet and its underlay address', async (t) => {
  t.same(nodesFileEntries(node('a', NET.node1), node('b', NET.node2)), [
    { name: 'a', podCIDRs: [NET.node1], addresses: [NET.underlay[0]] },
    { name: 'b', podCIDRs: [NET.node2], addresses: [NET.underlay[1]] },
  ]);
});

t.test('routesMissing: a route counts only with its gateway', async (t) => {
  const ip = JSON.stringify([{ dst: '10.217.2.0/24', gateway: '10.215.0.2', dev: 'ul0', protocol: '201' }]);
  t.same(routesMissing(ip, ['10.217.2.0/24 via 10.215.0.2']), []);
  t.same(routesMissing(ip, ['10.217.2.0/24 via 10.215.0.9']), ['10.217.2.0/24 via 10.215.0.9'], 'another gateway');
  t.same(routesMissing('', ['10.217.1.0/24 via 10.215.0.1']), ['10.217.1.0/24 via 10.215.0.1'], 'no route at all: empty output');
  t.same(routesMissing('[]\n', ['10.217.1.0/24 via 10.215.0.1']), ['10.217.1.0/24 via 10.215.0.1']);
  t.throws(() => routesMissing('not json', []), 'unreadable output is an error, not "no route"');
});

t.test("(g)'s target: from node 1 to node 2's underlay address of the asked MTU", async (t) => {
  const n1 = node('n1', NET.node1);
  t.same(underlayTarget(n1, 1500), { client: 'n1', ip: NET.underlay1500[1] });
  t.same(underlayTarget(n1, 9000), { client: 'n1', ip: NET.underlay[1] });
  t.not(NET.underlay1500[1], NET.underlay[1], 'two address pairs, one route MTU each');
});
