// Codec tests against kernel-shaped bytes: requests (docs/kernel.md#netkit-attributes) and a captured link dump.
import t from 'tap';
import { NETKIT_NEWLINK, VETH_NEWLINK } from './testdata/fixtures.js';
import { readHexLines, reencode } from './testdata/dump-hex.js';
import * as NL from './constants.js';
import {
  decodeAttrs,
  decodeLink,
  decodeNewLinkRequest,
  encodeAttrs,
  encodeMessage,
  fillNewLink,
  splitMessages,
  decodeError,
} from './index.js';
import { bytesToIp, ipToBytes, parseCidr } from './ip.js';
import { formatMac, parseMac } from './mac.js';
import { Writer } from '../codec/index.js';
import type { NewLinkSpec } from './link.js';

const peerOf = (s: NewLinkSpec) => (s.info && 'peer' in s.info ? s.info.peer : undefined);

t.test('netkit RTM_NEWLINK decodes to the spec and re-encodes byte-exactly', async (t) => {
  const [m] = splitMessages(NETKIT_NEWLINK);
  t.equal(m!.type, NL.RTM_NEWLINK);
  t.equal(m!.flags, 0x0605);
  const spec = decodeNewLinkRequest(m!.body);
  t.equal(spec.name, 'lxc0123456789a');
  t.equal(spec.mtu, 1500);
  t.match(spec.info, {
    kind: 'netkit',
    mode: 'l3',
    policy: 'forward',
    peerPolicy: 'drop',
    scrub: 'none',
    peerScrub: 'default',
    headroom: 64,
    tailroom: 16,
  });
  t.same(peerOf(spec), { name: 'eth0', mtu: 1500, netnsFd: 7 });
  const again = encodeMessage(NL.RTM_NEWLINK, 0x0605, 1, fillNewLink(spec));
  t.equal(again.toString('hex'), NETKIT_NEWLINK.toString('hex'));
});

t.test('veth RTM_NEWLINK decodes to the spec and re-encodes byte-exactly', async (t) => {
  const [m] = splitMessages(VETH_NEWLINK);
  const spec = decodeNewLinkRequest(m!.body);
  t.equal(spec.name, 'lxc0123456789a');
  t.equal(spec.txqlen, 1000);
  t.equal(spec.mac!.toString('hex'), '020000aabb01');
  t.equal(spec.info!.kind, 'veth');
  t.equal(peerOf(spec)!.name, 'eth0');
  t.equal(peerOf(spec)!.mac!.toString('hex'), '020000aabb02');
  t.equal(peerOf(spec)!.netnsFd, 7);
  const again = encodeMessage(NL.RTM_NEWLINK, 0x0605, 2, fillNewLink(spec));
  t.equal(again.toString('hex'), VETH_NEWLINK.toString('hex'));
});

t.test('veth queue counts: IFLA_NUM_TX_QUEUES (31) and IFLA_NUM_RX_QUEUES (32) as u32 on both ends, decoded back', async (t) => {
  const spec: NewLinkSpec = {
    name: 'plq',
    txqlen: 1000,
    numTxQueues: 1,
    numRxQueues: 1,
    info: { kind: 'veth', peer: { name: 'eth0', numTxQueues: 1, numRxQueues: 1 } },
  };
  const w = new Writer();
  fillNewLink(spec)(w);
  const body = w.finish();
  const top = decodeAttrs(body, 16);
  const u32 = (type: number) => top.find((a) => a.type === type)?.payload.readUInt32LE(0);
  t.same([u32(31), u32(32)], [1, 1], 'host end: attribute types 31 and 32 hold 1');
  t.same(decodeNewLinkRequest(body), spec, 'decodes to the same spec, peer included');
});

t.test('a kernel-captured link dump decodes and re-encodes byte-exactly', async (t) => {
  const raw = readHexLines('link-dump.hex');
  t.equal(raw.length, 3);
  const links = raw.map((b) => {
    const [m] = splitMessages(b);
    t.equal(reencode(m!, 16).toString('hex'), b.toString('hex'), 'byte-exact');
    return decodeLink(m!);
  });
  const host = links.find((l) => l.name === 'vhost0')!;
  const pod = links.find((l) => l.name === 'vpod0')!;
  t.equal(host.kind, 'veth');
  t.equal(host.mtu, 1450);
  t.equal(host.mac, '02:00:00:aa:bb:01');
  t.equal(host.link, pod.index, 'IFLA_LINK names the peer');
  t.equal(pod.mac, '02:00:00:aa:bb:02');
  t.equal(links.find((l) => l.index === 1)!.name, 'lo');
});

t.test('random attribute streams re-encode byte-exactly', async (t) => {
  let seed = 42;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
  for (let i = 0; i < 200; i++) {
    const w = new Writer();
    const count = rnd(8);
    for (let j = 0; j < count; j++) {
      const len = rnd(20);
      w.u16(4 + len)
        .u16(rnd(0xffff))
        .bytes(Buffer.from(Array.from({ length: len }, () => rnd(256))))
        .align(4);
    }
    const b = w.finish();
    const w2 = new Writer();
    encodeAttrs(w2, decodeAttrs(b));
    t.equal(w2.finish().toString('hex'), b.toString('hex'));
  }
  t.throws(() => decodeAttrs(Buffer.from([9, 0, 1, 0, 0])), /bad attribute length/);
});

t.test('NLMSG_ERROR with extack decodes errno and message', async (t) => {
  const w = new Writer();
  w.u32(0)
    .u16(NL.NLMSG_ERROR)
    .u16(NL.NLM_F_CAPPED | NL.NLM_F_ACK_TLVS)
    .u32(5)
    .u32(0);
  w.s32(-34);
  w.u32(40).u16(16).u16(0x605).u32(5).u32(0); // capped original header
  const msg = 'Attribute failed policy validation';
  w.u16(4 + msg.length + 1)
    .u16(NL.NLMSGERR_ATTR_MSG)
    .bytes(Buffer.from(`${msg}\0`))
    .align(4);
  const b = w.finish();
  b.writeUInt32LE(b.length, 0);
  const [m] = splitMessages(b);
  t.same(decodeError(m!), { errno: 34, extack: msg });
});

t.test('IP text and bytes', async (t) => {
  const cases: [string, string][] = [
    ['10.1.2.3', '0a010203'],
    ['fd00::1', 'fd000000000000000000000000000001'],
    ['::', '0'.repeat(32)],
    ['fe80::1:0:0:2', 'fe800000000000000001000000000002'],
    ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001'],
  ];
  for (const [ip, hex] of cases) {
    t.equal(ipToBytes(ip).toString('hex'), hex, ip);
    t.equal(bytesToIp(Buffer.from(hex, 'hex')), ip);
  }
  t.same(parseCidr('fd00:0::5/128'), { family: 6, address: 'fd00::5', prefix: 128 });
  t.throws(() => parseCidr('10.0.0.1/33'));
  t.throws(() => parseCidr('10.0.0.1/x'));
  t.throws(() => ipToBytes('nope'));
});

t.test('MAC text and bytes', async (t) => {
  const b = parseMac('02:0A:00:aa:bb:1');
  t.same([...b], [2, 10, 0, 0xaa, 0xbb, 1]);
  t.equal(formatMac(b), '02:0a:00:aa:bb:01');
  t.equal(formatMac(parseMac('02-00-00-00-00-ff')), '02:00:00:00:00:ff');
  for (const bad of ['', '02:00:00:00:00', '02:00:00:00:00:00:00', '02:00:00:00:00:gg', '02:00:00:00:00:100']) {
    t.throws(() => parseMac(bad), { name: 'RangeError', message: `bad MAC address: ${bad}` });
  }
});
