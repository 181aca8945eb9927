// Codec tests for the tunnel: an external vxlan link and lightweight-tunnel (encap ip/ip6) routes, against
// what this machine's kernel dumped for the same specs (testdata/capture-tunnel.ts, testdata/tunnel-specs.ts).
import t from 'tap';
import { Writer } from '../codec/index.js';
import * as NL from './constants.js';
import { decodeAttrs, decodeLink, decodeNewLinkRequest, encodeAttrs, encodeMessage, splitMessages, type Attr } from './index.js';
import { createLinkRequest, setLinkRequest } from './link.js';
import { readIfInfo } from './link-device.js';
import { addRouteRequest, decodeRoute, deleteRouteRequest, replaceRouteRequest, type RouteSpec } from './route.js';
import type { RouteEncap } from './route-encap.js';
import { ENCAP_ROUTES, VXLAN_LINK } from './testdata/tunnel-specs.js';
import { readHexLines, reencode } from './testdata/dump-hex.js';
import type { NlRequest } from './socket.js';

const captured = readHexLines;
const encode = (req: NlRequest) => splitMessages(encodeMessage(req.type, 0, 1, req.fill))[0]!;
const byType = (attrs: Attr[], type: number) => attrs.find((a) => a.type === type);
const hex = (a: Attr | undefined) => (a ? `${a.rawType}:${a.payload.toString('hex')}` : 'absent');
/** What a decoded encap reads back as: ids that fit a JS number come back as numbers. */
const asRead = (e: RouteEncap): RouteEncap => {
  const id = e.id === undefined ? undefined : BigInt(e.id) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(e.id) : BigInt(e.id);
  return id === undefined ? e : { ...e, id };
};

t.test('the kernel-captured vxlan link decodes, and our INFO_DATA attributes are byte-equal to its', async (t) => {
  const [raw] = captured('vxlan-link.hex');
  const [m] = splitMessages(raw!);
  t.equal(reencode(m!, 16).toString('hex'), raw!.toString('hex'), 'the dump re-encodes byte-exactly');
  const link = decodeLink(m!);
  t.equal(link.kind, 'vxlan');
  t.equal(link.name, 'plvx0');
  t.equal(link.mtu, 1450);
  t.equal(link.mac, '02:00:00:aa:bb:10');
  t.equal(link.flags & (NL.IFF_UP | NL.IFF_NOARP), NL.IFF_UP | NL.IFF_NOARP, 'created up and NOARP');
  t.strictSame(link.vxlan, {
    external: true,
    port: 8472,
    learning: false,
    vni: 0,
    ttl: 64,
    udpCsum: true,
    udpZeroCsum6Tx: true,
    udpZeroCsum6Rx: true,
  });
  t.equal(link.netkit, undefined);

  const kernelData = decodeAttrs(link.attrs.nested(NL.IFLA_LINKINFO)!.raw(NL.IFLA_INFO_DATA)!);
  const req = encode(createLinkRequest(VXLAN_LINK));
  const ourInfo = decodeAttrs(req.body, 16).find((a) => a.type === NL.IFLA_LINKINFO)!;
  const ourData = byType(decodeAttrs(ourInfo.payload), NL.IFLA_INFO_DATA)!;
  const ours = decodeAttrs(ourData.payload);
  t.equal(ours.length, 7, 'ttl, learning, port, 3 checksum flags, collect-metadata');
  for (const a of ours) t.equal(hex(a), hex(byType(kernelData, a.type)), `IFLA_VXLAN attribute ${a.type} as the kernel has it`);
});

t.test('vxlan create request: encode → decode gives the spec back, flags in the ifinfomsg', async (t) => {
  const req = createLinkRequest(VXLAN_LINK);
  t.equal(req.what, 'create vxlan plvx0');
  const m = encode(req);
  t.match(readIfInfo(m.body), { flags: NL.IFF_UP | NL.IFF_NOARP, change: NL.IFF_UP | NL.IFF_NOARP });
  t.strictSame(decodeNewLinkRequest(m.body), VXLAN_LINK);
  const minimal = { name: 'v', info: { kind: 'vxlan', external: true, port: 4789, learning: true, vni: 42 } } as const;
  t.strictSame(decodeNewLinkRequest(encode(createLinkRequest(minimal)).body), minimal, 'optional attributes stay absent');
  const plain = encode(createLinkRequest({ name: 'x', info: { kind: 'veth', peer: { name: 'y' } } }));
  t.match(readIfInfo(plain.body), { flags: 0, change: 0 }, 'no flags asked: ifinfomsg flags and change stay 0');
});

t.test('setLink flags: only the named ones are in ifi_change', async (t) => {
  const cases: [Parameters<typeof setLinkRequest>[2], number, number][] = [
    [{ up: true, noarp: true }, NL.IFF_UP | NL.IFF_NOARP, NL.IFF_UP | NL.IFF_NOARP],
    [{ noarp: true }, NL.IFF_NOARP, NL.IFF_NOARP],
    [{ noarp: false, up: true }, NL.IFF_UP, NL.IFF_UP | NL.IFF_NOARP],
    [{ up: false }, 0, NL.IFF_UP],
    [{ mtu: 1400 }, 0, 0],
  ];
  for (const [set, flags, change] of cases) {
    const req = setLinkRequest(5, 'plvx0', set);
    const m = encode(req);
    t.match(readIfInfo(m.body), { index: 5, flags, change }, req.what);
    const names = decodeAttrs(m.body, 16).map((a) => a.type);
    t.same(names, set.mtu === undefined ? [] : [NL.IFLA_MTU], 'flags are not attributes');
  }
  t.equal(setLinkRequest(5, 'plvx0', { up: true, noarp: true }).what, 'set link plvx0 up=true noarp=true');
});

t.test('kernel-captured encap routes decode to their specs; our RTA_ENCAP bytes equal the kernel dump', async (t) => {
  const dumps = captured('route-encap-dump.hex').map((b) => splitMessages(b)[0]!);
  t.equal(dumps.length, ENCAP_ROUTES.length);
  for (const m of dumps) {
    const r = decodeRoute(m);
    const spec = ENCAP_ROUTES.find((s) => s.dst === r.dst)!;
    t.ok(spec, `${r.dst} is one of ours`);
    t.equal(r.family, spec.dst.includes(':') ? 6 : 4);
    t.equal(r.protocol, 201);
    t.equal(r.oif, 2);
    t.equal(r.mtu, spec.mtu);
    t.strictSame(r.encap, asRead(spec.encap!), `${r.dst} encap reads back as the spec`);
    const ours = decodeAttrs(encode(addRouteRequest({ ...spec, oif: r.oif })).body, 12);
    const kernel = decodeAttrs(m.body, 12);
    for (const type of [NL.RTA_ENCAP_TYPE, NL.RTA_METRICS])
      t.equal(hex(byType(ours, type)), hex(byType(kernel, type)), `${r.dst}: ${type}`);
    // The kernel dumps every field, zeros included; the request has the ones the spec gives.
    const kernelEncap = decodeAttrs(byType(kernel, NL.RTA_ENCAP)!.payload);
    const ourEncap = decodeAttrs(byType(ours, NL.RTA_ENCAP)!.payload);
    for (const a of ourEncap) t.equal(hex(a), hex(byType(kernelEncap, a.type)), `${r.dst}: encap attribute ${a.type} as the kernel has it`);
    for (const a of kernelEncap.filter((k) => !byType(ourEncap, k.type)))
      t.ok(
        a.payload.every((b) => b === 0),
        `${r.dst}: ${a.type} left out is 0`,
      );
    const full = Object.keys(spec.encap!).length === 7;
    if (full)
      t.equal(hex(byType(ours, NL.RTA_ENCAP)), hex(byType(kernel, NL.RTA_ENCAP)), `${r.dst}: all fields given: RTA_ENCAP byte-equal`);
  }
  t.equal(ENCAP_ROUTES.filter((s) => Object.keys(s.encap!).length === 7).length, 1, 'one spec gives every field');
});

t.test('encap routes: encode → decode round trip for add, replace and delete', async (t) => {
  const specs: RouteSpec[] = [
    ...ENCAP_ROUTES.map((s) => ({ ...s, oif: 9 })),
    { dst: '10.244.12.0/24', oif: 3, encap: { type: 'ip', id: 0xffffffffffffffffn, dst: '192.168.1.1' } },
    { dst: '10.244.13.0/24', oif: 3, encap: { type: 'ip6', dst: 'fd00::1' } },
  ];
  for (const s of specs) {
    for (const make of [addRouteRequest, replaceRouteRequest, deleteRouteRequest]) {
      const r = decodeRoute(encode(make(s)));
      t.equal(r.dst, s.dst);
      t.equal(r.oif, s.oif);
      t.equal(r.mtu, s.mtu);
      t.strictSame(r.encap, asRead(s.encap!));
    }
  }
  t.equal(decodeRoute(encode(addRouteRequest(specs[5]!))).encap!.id, 0xffffffffffffffffn, 'an id past 2^53 stays a bigint');
  const plain = decodeRoute(encode(addRouteRequest({ dst: '10.0.0.0/8', gw: '10.1.1.1' })));
  t.equal(plain.encap, undefined, 'no encap on a plain route');
  t.equal(plain.mtu, undefined);
  t.equal(
    addRouteRequest(ENCAP_ROUTES[1]!, 'plvx0').what,
    'add route 10.244.10.0/24 dev plvx0 scope link encap ip id 20015998341291 src 10.99.0.1 dst 10.99.0.3 ttl 64 tos 16',
  );
  t.equal(
    deleteRouteRequest(ENCAP_ROUTES[2]!).what,
    'delete route 10.244.11.0/24 scope link encap ip6 id 1 src fd00:99::1 dst fd00:99::2 hoplimit 63 tc 8',
  );
});

t.test('an encap type other than ip/ip6 decodes as no encap', async (t) => {
  const w = new Writer();
  w.u8(2).u8(24).zeros(2).u8(254).u8(4).u8(0).u8(1).u32(0);
  w.u16(8)
    .u16(NL.RTA_DST)
    .bytes(Buffer.of(10, 0, 0, 0));
  w.u16(12).u16(NL.RTA_ENCAP).u16(8).u16(1).u32(0x100); // MPLS: a label stack
  w.u16(6).u16(NL.RTA_ENCAP_TYPE).u16(1).align(4);
  const r = decodeRoute({ type: NL.RTM_NEWROUTE, flags: 0, seq: 0, pid: 0, body: w.finish() });
  t.equal(r.dst, '10.0.0.0/24');
  t.equal(r.encap, undefined);
});

t.test('invalid encap and vxlan options fail before anything is sent, naming the field', async (t) => {
  const route = (encap: object) => () => encode(addRouteRequest({ dst: '10.244.9.0/24', oif: 2, encap: encap as RouteEncap }));
  const bad: [object, RegExp][] = [
    [{ type: 'ip', dst: 'nope' }, /^encap ip dst "nope" is not an IPv4 address$/],
    [{ type: 'ip', dst: '' }, /^encap ip dst "" is not an IPv4 address$/],
    [{ type: 'ip', dst: 'fd00:99::2' }, /^encap ip dst "fd00:99::2" is not an IPv4 address$/],
    [{ type: 'ip6', dst: '10.99.0.2' }, /^encap ip6 dst "10.99.0.2" is not an IPv6 address$/],
    [{ type: 'ip', dst: '10.99.0.2', src: 'fd00::1' }, /^encap ip src "fd00::1" is not an IPv4 address$/],
    [{ type: 'ip', dst: '10.99.0.2', ttl: 256 }, /^encap ip ttl 256 is not in 0-255$/],
    [{ type: 'ip6', dst: 'fd00::2', tos: -1 }, /^encap ip6 tos -1 is not in 0-255$/],
    [{ type: 'ip', dst: '10.99.0.2', id: -1 }, /^encap ip id -1 does not fit in 64 bits$/],
    [{ type: 'ip', dst: '10.99.0.2', id: 1n << 64n }, /^encap ip id 18446744073709551616 does not fit in 64 bits$/],
    [{ type: 'ip', dst: '10.99.0.2', flags: 0x10000 }, /^encap ip flags 65536 is not a u16$/],
    [{ type: 'mpls', dst: '10.99.0.2' }, /^encap type "mpls" is not ip or ip6$/],
  ];
  for (const [e, msg] of bad)
    t.throws(
      route(e),
      { name: 'RangeError', message: msg },
      JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
    );
  const vx = (o: object) => () =>
    encode(createLinkRequest({ name: 'v', info: { kind: 'vxlan', external: true, learning: false, port: 8472, ...o } }));
  t.throws(vx({ port: 0 }), { name: 'RangeError', message: 'vxlan port 0 is not in 1-65535' });
  t.throws(vx({ port: 65536 }), { name: 'RangeError', message: 'vxlan port 65536 is not in 1-65535' });
  t.throws(vx({ vni: 1 << 24 }), { name: 'RangeError', message: 'vxlan vni 16777216 is not in 0-16777215' });
  t.throws(vx({ ttl: 300 }), { name: 'RangeError', message: 'vxlan ttl 300 is not in 0-255' });
});
