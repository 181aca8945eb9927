// Privileged: our own netlink creates a veth (and, where the kernel has it, a netkit) pair with the
// peer born in another netns, addresses and routes on both sides, ping across, dump back, delete.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { nativeSys } from '../../lib/sys/index.js';
import { netlinkIn, openNetns, type NetnsHandle } from '../../lib/netns/index.js';
import { Netlink, NetlinkError, parseMac, type Link } from '../../lib/netlink/index.js';
import { testCleanup } from '../support/cleanup.js';
import { addNetns, delNetns, netnsPath, nsIp } from '../support/netns.js';

const root = process.geteuid?.() === 0;
const sys = root ? nativeSys() : undefined!;
const uniq = `${process.pid}`;

function haveNetkit(): boolean {
  const ns = `podlink-nkprobe-${uniq}`;
  addNetns(ns);
  try {
    const h = openNetns(sys, netnsPath(ns));
    const nl = netlinkIn(sys, h.fd);
    try {
      nl.createLink({ name: 'nk0', info: { kind: 'netkit', mode: 'l3', policy: 'forward', peerPolicy: 'forward', peer: { name: 'nk1' } } });
      return true;
    } catch {
      return false;
    } finally {
      nl.close();
      h.close();
    }
  } finally {
    delNetns(ns);
  }
}

function withPair(t: Test, kind: 'veth' | 'netkit' | 'netkit-l2') {
  const nodeNs = `podlink-nl-node-${kind}-${uniq}`;
  const podNs = `podlink-nl-pod-${kind}-${uniq}`;
  const c = testCleanup(t);
  addNetns([nodeNs, podNs], c);
  const node = openNetns(sys, netnsPath(nodeNs));
  c.add('close node netns', () => node.close());
  const pod = openNetns(sys, netnsPath(podNs));
  c.add('close pod netns', () => pod.close());
  return { nodeNs, podNs, node, pod };
}

async function pairTest(t: Test, kind: 'veth' | 'netkit' | 'netkit-l2') {
  const { podNs, nodeNs, node, pod } = withPair(t, kind);
  const hostNl = netlinkIn(sys, node.fd);
  const podNl = netlinkIn(sys, pod.fd);
  t.teardown(() => {
    hostNl.close();
    podNl.close();
  });
  const l2 = kind !== 'netkit';
  const hostMac = parseMac('02:00:00:aa:bb:01');
  const podMac = parseMac('02:00:00:aa:bb:02');
  const peer = { name: 'eth0', mtu: 1400, netnsFd: pod.fd, ...(l2 ? { mac: podMac } : {}) };
  hostNl.createLink({
    name: 'plhost0', mtu: 1400, ...(l2 ? { mac: hostMac } : {}),
    info: kind === 'veth' ? { kind: 'veth', peer } : { kind: 'netkit', mode: kind === 'netkit' ? 'l3' : 'l2', policy: 'forward', peerPolicy: 'forward', scrub: 'none', peerScrub: 'default', peer },
  });
  const host = hostNl.linkByName('plhost0')!;
  const eth0 = podNl.linkByName('eth0')!;
  t.ok(host, 'host side exists in node netns');
  t.ok(eth0, 'peer was born in the pod netns under its final name');
  t.equal(hostNl.linkByName('eth0'), undefined, 'no peer left in the node netns');
  t.equal(host.kind, kind === 'veth' ? 'veth' : 'netkit');
  t.equal(eth0.mtu, 1400);
  t.equal(host.link, eth0.index, 'host IFLA_LINK is the pod ifindex');
  if (kind !== 'veth') {
    t.equal(host.netkit?.primary, true);
    t.equal(host.netkit?.mode, kind === 'netkit' ? 'l3' : 'l2');
    t.equal(host.netkit?.peerPolicy, 'forward');
  } else {
    t.equal(host.mac, '02:00:00:aa:bb:01');
    t.equal(eth0.mac, '02:00:00:aa:bb:02');
  }
  hostNl.setLink(host.index, 'plhost0', { up: true });
  podNl.setLink(eth0.index, 'eth0', { up: true });
  const lo = podNl.linkByName('lo')!;
  podNl.setLink(lo.index, 'lo', { up: true });
  // Pod: /32 + /128, default via a link-scope gateway; node: routes to the pod's IPs.
  podNl.addAddr(eth0.index, '10.99.0.2/32', { ifname: 'eth0' });
  podNl.addAddr(eth0.index, 'fd00:99::2/128', { nodad: true, ifname: 'eth0' });
  hostNl.addAddr(host.index, '10.99.0.1/32', { ifname: 'plhost0' });
  hostNl.addAddr(host.index, 'fd00:99::1/128', { nodad: true, ifname: 'plhost0' });
  podNl.addRoute({ dst: '10.99.0.1/32', oif: eth0.index, scope: 'link' });
  podNl.addRoute({ dst: '0.0.0.0/0', gw: '10.99.0.1', oif: eth0.index });
  podNl.addRoute({ dst: 'fd00:99::1/128', oif: eth0.index });
  podNl.addRoute({ dst: '::/0', gw: 'fd00:99::1', oif: eth0.index });
  hostNl.addRoute({ dst: '10.99.0.2/32', oif: host.index, scope: 'link' });
  hostNl.addRoute({ dst: 'fd00:99::2/128', oif: host.index });
  if (l2) {
    podNl.setNeigh(eth0.index, '10.99.0.1', hostMac, 'eth0');
    hostNl.setNeigh(host.index, '10.99.0.2', podMac, 'plhost0');
    podNl.setNeigh(eth0.index, 'fd00:99::1', hostMac, 'eth0');
    hostNl.setNeigh(host.index, 'fd00:99::2', podMac, 'plhost0');
  }
  const ping4 = spawnSync('ip', ['netns', 'exec', podNs, 'ping', '-c', '1', '-W', '2', '10.99.0.1']);
  t.equal(ping4.status, 0, `IPv4 ping pod → node (${ping4.stdout})`);
  const ping6 = spawnSync('ip', ['netns', 'exec', nodeNs, 'ping', '-6', '-c', '1', '-W', '2', 'fd00:99::2']);
  t.equal(ping6.status, 0, `IPv6 ping node → pod (${ping6.stdout})`);
  // Read back through our own dumps.
  const addrs = podNl.addrs().filter((a) => a.index === eth0.index).map((a) => `${a.address}/${a.prefix}`);
  t.ok(addrs.includes('10.99.0.2/32') && addrs.includes('fd00:99::2/128'), `pod addresses ${addrs}`);
  const def = podNl.routes(4).find((r) => r.dst === '0.0.0.0/0' && r.table === 254);
  t.match(def, { gw: '10.99.0.1', oif: eth0.index });
  t.ok(hostNl.routes(6).some((r) => r.dst === 'fd00:99::2/128' && r.oif === host.index), 'node v6 route');
  if (l2) t.ok(podNl.neighs(4).some((n) => n.ip === '10.99.0.1' && n.mac === '02:00:00:aa:bb:01'), 'permanent neighbour');
  const ipd = nsIp(nodeNs, ['-d', 'link', 'show', 'plhost0']);
  t.match(ipd, kind === 'veth' ? /veth/ : /netkit/, 'ip -d link agrees on the kind');
  // Delete: one side takes both, and the routes with it.
  t.equal(hostNl.deleteLink(host.index, 'plhost0'), true);
  t.equal(hostNl.deleteLink(host.index, 'plhost0'), false, 'deleting twice is a no-op');
  const left = (nl: Netlink) => nl.links().filter((l: Link) => l.name !== 'lo').map((l) => l.name);
  t.same(left(hostNl), [], 'node netns has no links left');
  t.same(left(podNl), [], 'pod netns has no links left');
  t.notOk(hostNl.routes(4).some((r) => r.dst === '10.99.0.2/32'), 'host route gone');
}

t.test('veth pair with peer born in pod netns: addresses, routes, ping, dump, delete', { skip: !root && 'needs root' }, (t) => pairTest(t, 'veth'));

const nk = root && haveNetkit();
t.test('netkit (L3) pair: same checks', { skip: !nk && 'kernel has no netkit (run under kvm-run)' }, (t) => pairTest(t, 'netkit'));
t.test('netkit-l2 pair: same checks', { skip: !nk && 'kernel has no netkit (run under kvm-run)' }, (t) => pairTest(t, 'netkit-l2'));

t.test('kernel errors surface as NetlinkError with extack text', { skip: !root && 'needs root' }, async (t) => {
  const { node } = withPair(t, 'veth');
  const nl = netlinkIn(sys, node.fd);
  t.teardown(() => nl.close());
  const e = t.throws(() => nl.createLink({ name: 'a'.repeat(16), info: { kind: 'veth', peer: { name: 'b' } } })) as unknown as NetlinkError;
  t.equal(e.name, 'NetlinkError');
  t.equal(e.code, 'ERANGE');
  t.match(e.extack, /Attribute failed policy validation/);
  t.match(e.message, /create veth a{16}/);
  nl.createLink({ name: 'dup0', info: { kind: 'veth', peer: { name: 'dup1' } } });
  t.throws(() => nl.createLink({ name: 'dup0', info: { kind: 'veth', peer: { name: 'dup2' } } }), { code: 'EEXIST' });
  t.equal(nl.linkByName('nope0'), undefined);
});
