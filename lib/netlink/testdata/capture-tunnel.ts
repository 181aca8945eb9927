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
import { toHexLines } from './dump-hex.js';

const sys = nativeSys();
const ns = createAnonymousNetns(sys);
const nl = netlinkIn(sys, ns);

try {
  nl.createLink(VXLAN_LINK);
  const link = nl.sock.request(getLinkRequest({ name: VXLAN_LINK.name }));
  const index = nl.linkByName(VXLAN_LINK.name!)!.index;
  for (const r of ENCAP_ROUTES) nl.addRoute({ ...r, oif: index });
  // rtmsg byte 5 is rtm_protocol: only the routes made here, not the kernel's local and multicast ones.
  const ours = (m: NlMsg) => m.body[5] === 201;
  const routes = [...nl.sock.dump(dumpRoutesRequest(4)), ...nl.sock.dump(dumpRoutesRequest(6))].filter(ours);
  writeFileSync(new URL('./vxlan-link.hex', import.meta.url), toHexLines(link));
  writeFileSync(new URL('./route-encap-dump.hex', import.meta.url), toHexLines(routes));
} finally {
  nl.close();
  sys.close(ns);
}
