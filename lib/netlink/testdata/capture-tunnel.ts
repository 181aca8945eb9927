// Captures the kernel's view of an external vxlan device and lightweight-tunnel routes (tunnel-specs.ts) into
// vxlan-link.hex and route-encap-dump.hex, made in a throwaway anonymous netns with our own netlink.
// Run as root: node --import tsx lib/netlink/testdata/capture-tunnel.ts
import { writeFileSync } from 'node:fs';
import { nativeSys } from '../../sys/index.js';
import { createAnonymousNetns, netlinkIn } from '../../netns/index.js';
import { dumpRoutesRequest } from '../route.js';
import { getLinkRequest } from '../link.js';
import type { NlMsg } from '../message.js';
import { ENCAP_ROUTES, VXLAN_LINK } from './tunnel-specs.js';

const sys = nativeSys();
const ns = createAnonymousNetns(sys);
const nl = netlinkIn(sys, ns);

function hexLines(msgs: NlMsg[]): string {
  const bufs = msgs.map((m) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(16 + m.body.length, 0);
    h.writeUInt16LE(m.type, 4);
    h.writeUInt16LE(m.flags, 6);
    h.writeUInt32LE(m.seq, 8);
    h.writeUInt32LE(m.pid, 12);
    return Buffer.concat([h, m.body]);
  });
  return `${bufs.map((b) => b.toString('hex')).join('\n')}\n`;
}

try {
  nl.createLink(VXLAN_LINK);
  const link = nl.sock.request(getLinkRequest({ name: VXLAN_LINK.name }));
  const index = nl.linkByName(VXLAN_LINK.name!)!.index;
  for (const r of ENCAP_ROUTES) nl.addRoute({ ...r, oif: index });
  // rtmsg byte 5 is rtm_protocol: only the routes made here, not the kernel's local and multicast ones.
  const ours = (m: NlMsg) => m.body[5] === 201;
  const routes = [...nl.sock.dump(dumpRoutesRequest(4)), ...nl.sock.dump(dumpRoutesRequest(6))].filter(ours);
  writeFileSync(new URL('./vxlan-link.hex', import.meta.url), hexLines(link));
  writeFileSync(new URL('./route-encap-dump.hex', import.meta.url), hexLines(routes));
} finally {
  nl.close();
  sys.close(ns);
}
