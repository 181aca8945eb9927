// Privileged: node netns on an underlay bridge, a fourth node behind a router netns, and a private
// bpffs; traffic flows where the topology says, and teardown leaves no netns, link or mount behind.
import t from 'tap';
import * as fs from 'node:fs';
import { privateBpffs } from './bpffs.js';
import { Cleanup, testCleanup } from './cleanup.js';
import { addNetns, netnsPath, nsExec, nsIp, nsLinks } from './netns.js';
import { addNode, NODE_LO_ADDRS } from './node.js';
import { isRoot, sh } from './sh.js';
import { addUnderlay, addUnderlayHost } from './underlay.js';

const tag = `plsu${process.pid}`;
const skip = !isRoot && 'needs root';

// Up to three tries: on a loaded machine the first packet through a router can wait for neighbour
// resolution longer than a ping's deadline; a topology that is wrong fails all three.
const ping = (ns: string, dst: string) => {
  for (let i = 0; i < 3; i++) {
    try {
      nsExec(ns, 'ping', ['-q', '-c', '1', '-W', '2', dst]);
      return true;
    } catch {
      // try again
    }
  }
  return false;
};

const mine = () => fs.readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`));

t.test('three nodes on one bridge, a fourth behind a router: addresses, routes, reachability, teardown', { skip }, async (t) => {
  const c = new Cleanup();
  let cleaned = false;
  t.teardown(() => cleaned || c.run());
  const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => addNode(`${tag}-${n}`, c, { loAddrs: NODE_LO_ADDRS, forwarding: true }));
  const u = addUnderlay(c, {
    tag: `${tag}-u`,
    nodes: nodes.slice(0, 3),
    subnet: { v4: '10.231.41', v6: 'fd00:231:41' },
    routed: { nodes: nodes.slice(3), subnet: { v4: '10.231.42', v6: 'fd00:231:42' } },
    mtu: 9000,
  });
  t.equal(u.bridge, `${tag}-u-br`);
  t.equal(u.router, `${tag}-u-rt`);
  t.same(u.nodes.map((n) => [n.ns, n.ip4, n.ip6]), [
    [nodes[0], '10.231.41.1', 'fd00:231:41::1'],
    [nodes[1], '10.231.41.2', 'fd00:231:41::2'],
    [nodes[2], '10.231.41.3', 'fd00:231:41::3'],
    [nodes[3], '10.231.42.1', 'fd00:231:42::1'],
  ]);
  t.match(nsIp(nodes[0]!, ['addr', 'show', 'dev', 'lo']), /10\.0\.0\.1\/32[\s\S]*fd00:ffff::1\/128/, 'node addresses on lo');
  t.equal(nsLinks(nodes[1]!).find((l) => l.ifname === 'ul0') !== undefined, true, 'ul0 in the node');
  t.match(nsIp(nodes[2]!, ['-d', 'link', 'show', 'ul0']), /mtu 9000/);
  t.ok(ping(nodes[0]!, '10.231.41.3'), 'n1 → n3 over the bridge (IPv4)');
  t.ok(ping(nodes[2]!, 'fd00:231:41::2'), 'n3 → n2 over the bridge (IPv6)');
  t.ok(ping(nodes[0]!, '10.231.42.1'), 'n1 → n4 through the router (IPv4)');
  t.ok(ping(nodes[3]!, 'fd00:231:41::1'), 'n4 → n1 through the router (IPv6)');
  t.match(nsExec(nodes[0]!, 'ip', ['route', 'get', '10.231.42.1']), /via 10\.231\.41\.254/, 'the far subnet is one routed hop away');
  t.equal(mine().length, 6, 'four nodes, the bridge netns and the router netns');
  t.same(c.run(), []);
  cleaned = true;
  t.same(mine(), [], 'teardown removed every netns (and with them every link)');
});

t.test('an underlay without a router has no routes to anywhere else', { skip }, async (t) => {
  const c = testCleanup(t);
  const nodes = ['a', 'b'].map((n) => addNode(`${tag}-${n}`, c));
  const u = addUnderlay(c, { tag: `${tag}-v`, nodes, subnet: { v4: '10.231.43', v6: 'fd00:231:43' }, dev: 'ulx' });
  t.equal(u.router, undefined);
  t.ok(ping(nodes[1]!, u.nodes[0]!.ip4));
  t.notMatch(nsIp(nodes[0]!, ['route']), /via/);
  t.match(nsIp(nodes[0]!, ['link', 'show', 'ulx']), /ulx@/);
  const h = addUnderlayHost(c, u, `${tag}-x`, 200);
  t.same([h.ns, h.dev, h.ip4, h.ip6], [`${tag}-x`, 'ul0', '10.231.43.200', 'fd00:231:43::c8'], 'a host that is no node joins the first subnet');
  t.ok(ping(h.ns, u.nodes[1]!.ip4), 'it reaches a node (IPv4)');
  t.ok(ping(u.nodes[0]!.ns, h.ip6), 'a node reaches it (IPv6)');
});

t.test('set-up that fails halfway leaves nothing behind', { skip }, async (t) => {
  const before = mine();
  t.throws(() =>
    Cleanup.scope((c) => {
      const n = addNode(`${tag}-h1`, c);
      // the second node does not exist: the veth to it cannot be made
      addUnderlay(c, { tag: `${tag}-h`, nodes: [n, `${tag}-missing`], subnet: { v4: '10.231.44', v6: 'fd00:231:44' } });
    }),
  /Cannot find|does not exist|No such file|Invalid/);
  t.same(mine(), before, 'the node and the bridge netns are gone');
});

t.test('addNetns fails on an existing name and deletes what it registered', { skip }, async (t) => {
  const c = new Cleanup();
  addNetns(`${tag}-dup`, c, { noDad: true });
  t.equal(sh('ip', ['netns', 'exec', `${tag}-dup`, 'sysctl', '-n', 'net.ipv6.conf.default.accept_dad']).trim(), '0', 'noDad');
  t.throws(() => addNetns(`${tag}-dup`, undefined), /File exists/);
  t.same(c.run(), []);
  t.notOk(fs.existsSync(netnsPath(`${tag}-dup`)));
});

t.test('private bpffs: a bpf mount while it lives, gone with its pins after', { skip }, async (t) => {
  const c = new Cleanup();
  const fsm = privateBpffs('podlink-supporttest', c);
  t.match(fs.readFileSync('/proc/self/mounts', 'utf8'), new RegExp(`^bpf ${fsm.dir} bpf `, 'm'));
  fs.mkdirSync(`${fsm.dir}/podlink/links`, { recursive: true });
  t.same(c.run(), []);
  t.notOk(fs.existsSync(fsm.dir));
  t.notMatch(fs.readFileSync('/proc/self/mounts', 'utf8'), fsm.dir);
});
