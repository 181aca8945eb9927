// Captures a kernel RTM_GETLINK dump of a veth pair into link-dump.hex: the pair is made in a
// throwaway anonymous netns with our own netlink (no iproute2), and the bytes are saved exactly as
// the kernel sent them. Run as root: node --import tsx lib/netlink/testdata/capture-dump.ts
import { writeFileSync } from 'node:fs';
import { nativeSys } from '../../sys/index.js';
import { createAnonymousNetns, netlinkIn } from '../../netns/index.js';
import { dumpLinksRequest } from '../link.js';
import { parseMac } from '../mac.js';

const sys = nativeSys();
const ns = createAnonymousNetns(sys);
const nl = netlinkIn(sys, ns);
try {
  nl.createLink({
    name: 'vhost0',
    mtu: 1450,
    mac: parseMac('02:00:00:aa:bb:01'),
    info: { kind: 'veth', peer: { name: 'vpod0', mac: parseMac('02:00:00:aa:bb:02') } },
  });
  const msgs = nl.sock.dump(dumpLinksRequest());
  const bufs = msgs.map((m) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(16 + m.body.length, 0);
    h.writeUInt16LE(m.type, 4);
    h.writeUInt16LE(m.flags, 6);
    h.writeUInt32LE(m.seq, 8);
    h.writeUInt32LE(m.pid, 12);
    return Buffer.concat([h, m.body]);
  });
  writeFileSync(new URL('./link-dump.hex', import.meta.url), `${bufs.map((b) => b.toString('hex')).join('\n')}\n`);
} finally {
  nl.close();
  sys.close(ns); // the last reference: the netns and the pair go with it
}
