// Privileged: our own netlink makes the tunnel's pieces in a netns of its own — an external vxlan device
// (IFF_NOARP|IFF_UP) and lightweight-tunnel routes (encap ip / ip6, v4 and v6 pod CIDRs) — checked against
// iproute2's view and our own dumps, then deleted.
import t, { type Test } from 'tap';
import { nativeSys } from '../../lib/sys/index.js';
import { netlinkIn, openNetns } from '../../lib/netns/index.js';
import * as NL from '../../lib/netlink/constants.js';
import { NetlinkError, parseMac, type Netlink, type Route, type RouteSpec } from '../../lib/netlink/index.js';
import { testCleanup } from '../support/cleanup.js';
import { addNetns, netnsPath, nsIp } from '../support/netns.js';

const root = process.geteuid?.() === 0;
const sys = root ? nativeSys() : undefined!;
const DEV = 'podlink_vxlan';
const PROTO = 201;

function inNetns(t: Test, tag: string): { ns: string; nl: Netlink } {
  const ns = `podlink-nl-tun-${tag}-${process.pid}`;
  const c = testCleanup(t);
  addNetns(ns, c);
  const h = openNetns(sys, netnsPath(ns));
  c.add('close netns', () => h.close());
  const nl = netlinkIn(sys, h.fd);
  c.add('close netlink', () => nl.close());
  return { ns, nl };
}

function createVxlan(nl: Netlink, flags: { up?: boolean; noarp?: boolean }): number {
  nl.createLink({
    name: DEV,
    mtu: 1450,
    mac: parseMac('02:00:00:aa:bb:10'),
    ...flags,
    info: { kind: 'vxlan', external: true, port: 8472, learning: false },
  });
  return nl.linkByName(DEV)!.index;
}

interface IpLink {
  flags: string[];
  mtu: number;
  address: string;
  linkinfo: { info_kind: string; info_data: { external?: boolean; port: number; learning: boolean; id?: number } };
}
const ipLink = (ns: string): IpLink => (JSON.parse(nsIp(ns, ['-d', '-j', 'link', 'show', DEV])) as IpLink[])[0]!;

/** iproute2's JSON names the encap's outer address "dst" too (a duplicate key): it becomes "encap_dst". */
function ipRoutes(ns: string, args: string[]): Record<string, unknown>[] {
  const text = nsIp(ns, ['-j', ...args]).replace(/("encap":"[^"]+"[^{}]*?)"dst":/g, '$1"encap_dst":');
  return JSON.parse(text) as Record<string, unknown>[];
}

t.test('external vxlan device: created up and NOARP, as iproute2 and our dump see it', { skip: !root && 'needs root' }, async (t) => {
  const { ns, nl } = inNetns(t, 'link');
  const index = createVxlan(nl, { up: true, noarp: true });
  const ip = ipLink(ns);
  t.equal(ip.linkinfo.info_kind, 'vxlan');
  t.match(ip.linkinfo.info_data, { external: true, port: 8472, learning: false });
  t.ok(ip.flags.includes('NOARP') && ip.flags.includes('UP'), `ip flags ${ip.flags}`);
  t.equal(ip.mtu, 1450);
  t.equal(ip.address, '02:00:00:aa:bb:10');
  const ours = nl.links().find((l) => l.index === index)!;
  t.equal(ours.kind, 'vxlan');
  t.match(ours.vxlan, { external: true, port: 8472, learning: false, vni: ip.linkinfo.info_data.id ?? 0 });
  t.equal(ours.flags & (NL.IFF_UP | NL.IFF_NOARP), NL.IFF_UP | NL.IFF_NOARP);
  t.strictSame(nl.linkByName(DEV)!.vxlan, ours.vxlan, 'linkByName decodes the same');
  t.throws(() => createVxlan(nl, {}), { code: 'EEXIST', message: /create vxlan podlink_vxlan/ });
  t.equal(nl.deleteLink(index, DEV), true);
  t.equal(nl.linkByName(DEV), undefined);
});

t.test('setLink turns NOARP and UP on and off, leaving the other flags alone', { skip: !root && 'needs root' }, async (t) => {
  const { ns, nl } = inNetns(t, 'flags');
  const index = createVxlan(nl, {});
  const flags = () => ipLink(ns).flags;
  t.notOk(flags().includes('NOARP') || flags().includes('UP'), 'created without flags: neither');
  nl.setLink(index, DEV, { noarp: true, up: true });
  t.ok(flags().includes('NOARP') && flags().includes('UP'), `${flags()}`);
  nl.setLink(index, DEV, { mtu: 1400 });
  t.ok(flags().includes('NOARP') && flags().includes('UP'), 'a change without flags keeps them');
  nl.setLink(index, DEV, { noarp: false });
  t.ok(!flags().includes('NOARP') && flags().includes('UP'), `noarp off, still up: ${flags()}`);
  nl.setLink(index, DEV, { up: false });
  t.notOk(flags().includes('UP'));
});

t.test('lightweight-tunnel routes: add, match iproute2, dump, delete', { skip: !root && 'needs root' }, async (t) => {
  const { ns, nl } = inNetns(t, 'route');
  const oif = createVxlan(nl, { up: true, noarp: true });
  const v4: RouteSpec = { dst: '10.244.9.0/24', oif, scope: 'link', protocol: PROTO, encap: { type: 'ip', id: 1, dst: '10.99.0.2' } };
  const v6: RouteSpec = { dst: 'fd00:244:9::/64', oif, protocol: PROTO, encap: { type: 'ip', id: 1, dst: '10.99.0.2' } };
  const v4over6: RouteSpec = {
    dst: '10.244.10.0/24',
    oif,
    scope: 'link',
    protocol: PROTO,
    encap: { type: 'ip6', id: 1, dst: 'fd00:99::2' },
  };
  for (const r of [v4, v6, v4over6]) nl.addRoute(r, DEV);

  const ip4 = ipRoutes(ns, ['-d', 'route', 'show', 'dev', DEV]);
  t.match(
    ip4.find((r) => r.dst === '10.244.9.0/24'),
    { encap: 'ip', id: 1, encap_dst: '10.99.0.2', scope: 'link', protocol: String(PROTO) },
  );
  t.match(
    ip4.find((r) => r.dst === '10.244.10.0/24'),
    { encap: 'ip6', id: 1, encap_dst: 'fd00:99::2' },
  );
  const ip6 = ipRoutes(ns, ['-6', 'route', 'show', 'dev', DEV]);
  t.match(
    ip6.find((r) => r.dst === 'fd00:244:9::/64'),
    { encap: 'ip', id: 1, encap_dst: '10.99.0.2' },
  );

  const ours = (family: 4 | 6) => nl.routes(family).filter((r) => r.protocol === PROTO);
  const byDst = (rs: Route[]) => Object.fromEntries(rs.map((r) => [r.dst, r]));
  const r4 = byDst(ours(4));
  const r6 = byDst(ours(6));
  t.same(Object.keys(r4).sort(), ['10.244.10.0/24', '10.244.9.0/24'], 'routes(4): the two IPv4 pod CIDRs, not the v6 one');
  t.same(Object.keys(r6), ['fd00:244:9::/64'], 'routes(6): the IPv6 pod CIDR only, although its encap is IPv4');
  t.strictSame(r4['10.244.9.0/24']!.encap, v4.encap);
  t.match(r4['10.244.9.0/24'], { family: 4, oif, scope: NL.RT_SCOPE_LINK, gw: undefined });
  t.strictSame(r4['10.244.10.0/24']!.encap, v4over6.encap);
  t.strictSame(r6['fd00:244:9::/64']!.encap, v6.encap);
  t.equal(r6['fd00:244:9::/64']!.family, 6);

  const e = t.throws(() => nl.addRoute(v4, DEV)) as unknown as NetlinkError;
  t.equal(e.code, 'EEXIST');
  t.match(e.message, 'add route 10.244.9.0/24 dev podlink_vxlan scope link encap ip id 1 dst 10.99.0.2');
  // IPv4 matches the encap on delete: another outer address is not this route.
  t.equal(nl.deleteRoute({ ...v4, encap: { type: 'ip', id: 1, dst: '10.99.0.9' } }, DEV), false, 'other encap dst: not found');
  t.ok(
    ours(4).some((r) => r.dst === v4.dst),
    'still there',
  );
  for (const r of [v4, v6, v4over6]) t.equal(nl.deleteRoute(r, DEV), true, `delete ${r.dst}`);
  for (const r of [v4, v6, v4over6]) t.equal(nl.deleteRoute(r, DEV), false, `delete ${r.dst} again: already gone`);
  t.same([...ours(4), ...ours(6)], [], 'no routes of ours left');
  t.equal(nsIp(ns, ['route', 'show', 'dev', DEV]).trim(), '', 'iproute2 agrees');
});

t.test(
  'an invalid encap fails before the kernel sees it; a replace swaps the outer address',
  { skip: !root && 'needs root' },
  async (t) => {
    const { nl } = inNetns(t, 'bad');
    const oif = createVxlan(nl, { up: true, noarp: true });
    const base: RouteSpec = { dst: '10.244.9.0/24', oif, scope: 'link', protocol: PROTO, encap: { type: 'ip', id: 1, dst: '10.99.0.2' } };
    t.throws(() => nl.addRoute({ ...base, encap: { type: 'ip', dst: '10.99.0' } }), {
      name: 'RangeError',
      message: 'encap ip dst "10.99.0" is not an IPv4 address',
    });
    t.throws(() => nl.addRoute({ ...base, encap: { type: 'ip6', dst: '10.99.0.2' } }), {
      message: 'encap ip6 dst "10.99.0.2" is not an IPv6 address',
    });
    t.notOk(
      nl.routes(4).some((r) => r.dst === base.dst),
      'nothing was added',
    );
    nl.replaceRoute(base);
    nl.replaceRoute({ ...base, encap: { type: 'ip', id: 1, dst: '10.99.0.3' } });
    const now = nl.routes(4).filter((r) => r.dst === base.dst);
    t.equal(now.length, 1, 'replaced, not added');
    t.strictSame(now[0]!.encap, { type: 'ip', id: 1, dst: '10.99.0.3' });
    t.throws(() => nl.addRoute({ ...base, oif: oif + 100 }), { code: 'ENODEV' }, 'a missing device is the kernel error');
  },
);
