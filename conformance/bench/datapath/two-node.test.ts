import t from 'tap';
import { NET } from './config.js';
import type { NodeSpec } from './pods.js';
import { nodesFileEntries, routesMissing, tunnelRoutesMissing, underlayTarget } from './two-node.js';

const node = (name: string, subnet: string): NodeSpec => ({ name, mode: 'veth', hostRouting: 'bpf', subnet, bpfRoot: '/x', dir: '/y' });

t.test('the nodes file names each node with its pod subnet and its underlay address', async (t) => {
  t.same(nodesFileEntries(node('a', NET.node1), node('b', NET.node2)), [
    { name: 'a', podCIDRs: [NET.node1], addresses: [NET.underlay[0]] },
    { name: 'b', podCIDRs: [NET.node2], addresses: [NET.underlay[1]] },
  ]);
  t.same(nodesFileEntries(node('a', NET.tunnel1), node('b', NET.tunnel2), NET.tunnelUnderlay).map((e) => e.addresses), [[NET.tunnelUnderlay[0]], [NET.tunnelUnderlay[1]]]);
});

t.test('routesMissing: a route counts only with its gateway', async (t) => {
  const ip = JSON.stringify([{ dst: '10.217.2.0/24', gateway: '10.215.0.2', dev: 'ul0', protocol: '201' }]);
  t.same(routesMissing(ip, ['10.217.2.0/24 via 10.215.0.2']), []);
  t.same(routesMissing(ip, ['10.217.2.0/24 via 10.215.0.9']), ['10.217.2.0/24 via 10.215.0.9'], 'another gateway');
  t.same(routesMissing('', ['10.217.1.0/24 via 10.215.0.1']), ['10.217.1.0/24 via 10.215.0.1'], 'no route at all: empty output');
  t.same(routesMissing('[]\n', ['10.217.1.0/24 via 10.215.0.1']), ['10.217.1.0/24 via 10.215.0.1']);
  t.throws(() => routesMissing('not json', []), 'unreadable output is an error, not "no route"');
});

t.test('tunnelRoutesMissing: a tunnel route counts only through the tunnel device to the right node', async (t) => {
  const ip = '10.216.2.0/24  encap ip id 1 src 0.0.0.0 dst 10.213.0.2 ttl 0 tos 0 dev podlink_vxlan scope link \n';
  const want = '10.216.2.0/24 dev podlink_vxlan encap dst 10.213.0.2';
  t.same(tunnelRoutesMissing(ip, [want]), []);
  t.same(tunnelRoutesMissing(ip.replace('dst 10.213.0.2', 'dst 10.213.0.9'), [want]), [want], 'another node');
  t.same(tunnelRoutesMissing('10.216.2.0/24 via 10.213.0.2 dev ul0 \n', [want]), [want], 'a native route is not the tunnel');
  t.same(tunnelRoutesMissing(ip.replace('podlink_vxlan', 'flannel.1'), [want]), [want], 'another device');
  t.same(tunnelRoutesMissing('', [want]), [want], 'no route at all');
});

t.test("(g)'s target: from node 1 to node 2's underlay address of the asked MTU", async (t) => {
  const n1 = node('n1', NET.node1);
  t.same(underlayTarget(n1, 1500), { client: 'n1', ip: NET.underlay1500[1] });
  t.same(underlayTarget(n1, 9000), { client: 'n1', ip: NET.underlay[1] });
  t.not(NET.underlay1500[1], NET.underlay[1], 'two address pairs, one route MTU each');
});
