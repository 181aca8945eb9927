// (i)'s hand-built flannel: the lines it programs, and in real netns that its pods reach each other
// through flannel.1 at both MTUs (a 9000-byte DF ping fits; one byte more does not).
import t from 'tap';
import { Netns } from '../harness.js';
import { testCleanup } from '../../support/cleanup.js';
import { nsExec, nsIp } from '../../support/netns.js';
import { isRoot } from '../../support/sh.js';
import { linkPackets } from './uplink.js';
import { buildFlannel, flannelFdbLines, flannelIpLines, hostIn, type FlannelNode } from './flannel.js';

const a: FlannelNode = { name: 'n1', subnet: '10.218.1.0/24', underlay: '10.214.0.1', mac: '0a:58:0a:da:01:00' };
const b: FlannelNode = { name: 'n2', subnet: '10.218.2.0/24', underlay: '10.214.0.2', mac: '0a:58:0a:da:02:00' };

t.test('hostIn counts from the network address', async (t) => {
  t.equal(hostIn('10.218.1.0/24', 0), '10.218.1.0');
  t.equal(hostIn('10.218.2.0/24', 11), '10.218.2.11');
});

t.test("a node's vxlan device, address, neighbour, route and FDB entry point at the other node", async (t) => {
  t.same(flannelIpLines(a, b, 9050), [
    'link add flannel.1 address 0a:58:0a:da:01:00 mtu 9000 type vxlan id 1 local 10.214.0.1 dev ul0 dstport 8472 nolearning',
    'addr add 10.218.1.0/32 dev flannel.1',
    'link set flannel.1 up',
    'neigh add 10.218.2.0 lladdr 0a:58:0a:da:02:00 dev flannel.1 nud permanent',
    'route add 10.218.2.0/24 via 10.218.2.0 dev flannel.1 onlink',
  ]);
  t.same(flannelFdbLines(b), ['fdb add 0a:58:0a:da:02:00 dev flannel.1 dst 10.214.0.2 self permanent']);
  t.match(flannelIpLines(a, b, 1500)[0], / mtu 1450 /, 'uplink − 50');
});

t.test('pods on two nodes reach each other through flannel.1, pod MTU = vxlan MTU', { skip: !isRoot && 'needs root (netns)' }, async (t) => {
  const c = testCleanup(t);
  const bed = buildFlannel(new Netns(c), `pldfl${process.pid % 100000}`);
  const ping = (from: string, to: string, size: number) => nsExec(from, 'ping', ['-c', '1', '-W', '2', '-M', 'do', '-s', String(size), to]);
  t.match(ping(bed.pods.c1500.ns, bed.pods.s1500.ip, 1472), /1 received/);
  t.match(ping(bed.pods.c9000.ns, bed.pods.s9000.ip, 8972), /1 received/, 'a full 9000-byte packet through the tunnel');
  t.throws(() => ping(bed.pods.c9000.ns, bed.pods.s9000.ip, 8973), 'one byte more does not fit');
  t.ok(linkPackets(bed.nodes[0], 'flannel.1').tx >= 2, 'node 1 sent through flannel.1');
  t.ok(linkPackets(bed.nodes[1], 'flannel.1').tx >= 2, 'node 2 answered through flannel.1');
  t.match(nsIp(bed.nodes[0], ['-d', 'link', 'show', 'dev', 'flannel.1']), /vxlan id 1 local 10\.214\.0\.1 dev ul0 .*dstport 8472 nolearning/);
});
