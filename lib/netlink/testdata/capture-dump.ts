// Captures a kernel RTM_GETLINK dump of a veth pair in a scratch netns into link-dump.hex.
// Run as root: node --import tsx lib/netlink/testdata/capture-dump.ts
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { nativeSys } from '../../sys/index.js';
import { openNetns, netlinkIn } from '../../netns/index.js';
import { NetlinkSocket } from '../socket.js';
import { dumpLinksRequest } from '../link.js';

const ns = `podlink-capture-${process.pid}`;
execFileSync('ip', ['netns', 'add', ns]);
try {
  execFileSync('ip', ['-n', ns, 'link', 'add', 'vhost0', 'mtu', '1450', 'type', 'veth', 'peer', 'name', 'vpod0']);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'vhost0', 'address', '02:00:00:aa:bb:01']);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'vpod0', 'address', '02:00:00:aa:bb:02']);
  const sys = nativeSys();
  const h = openNetns(sys, `/run/netns/${ns}`);
  const nl = netlinkIn(sys, h.fd);
  const msgs = (nl.sock as NetlinkSocket).dump(dumpLinksRequest());
  // Raw kernel bytes: the header exactly as received, then the body untouched.
  const bufs = msgs.map((m) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(16 + m.body.length, 0);
    h.writeUInt16LE(m.type, 4);
    h.writeUInt16LE(m.flags, 6);
    h.writeUInt32LE(m.seq, 8);
    h.writeUInt32LE(m.pid, 12);
    return Buffer.concat([h, m.body]);
  });
  writeFileSync(new URL('./link-dump.hex', import.meta.url), bufs.map((b) => b.toString('hex')).join('\n') + '\n');
  console.log(execFileSync('ip', ['-n', ns, '-d', 'link']).toString());
  nl.close();
  h.close();
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
