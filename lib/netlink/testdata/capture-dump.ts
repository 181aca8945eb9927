// Captures a kernel RTM_GETLINK dump of a veth pair into link-dump.hex: the pair is made in a
// throwaway anonymous netns with our own netlink (no iproute2), and the bytes are saved exactly as
// the kernel sent them. Run as root: node --import tsx lib/netlink/testdata/capture-dump.ts
import { writeFileSync } from 'node:fs';
import { nativeSys } from '../../sys/index.js';
import { createAnonymousNetns, netlinkIn } from '../../netns/index.js';
import { dumpLinksRequest } from '../link.js';
import { parseMac } from '../mac.js';
import { toHexLines } from './dump-hex.js';

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
  writeFileSync(new URL('./link-dump.hex', import.meta.url), toHexLines(msgs));
} finally {
  nl.close();
  sys.close(ns); // the last reference: the netns and the pair go with it
}
