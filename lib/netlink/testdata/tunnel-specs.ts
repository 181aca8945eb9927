// The vxlan device and encap routes that capture-tunnel.ts makes in a throwaway netns; the codec test encodes
// the same specs and compares with what the kernel dumped.
import { parseMac } from '../mac.js';
import type { NewLinkSpec } from '../link.js';
import type { RouteSpec } from '../route.js';

export const VXLAN_LINK: NewLinkSpec = {
  name: 'plvx0',
  mtu: 1450,
  mac: parseMac('02:00:00:aa:bb:10'),
  up: true,
  noarp: true,
  info: { kind: 'vxlan', external: true, port: 8472, learning: false, ttl: 64, udpCsum: true, udpZeroCsum6Tx: true, udpZeroCsum6Rx: true },
};

/** Without oif (the capture adds the device's). Each dst is unique, so a dump's route finds its spec. */
export const ENCAP_ROUTES: RouteSpec[] = [
  { dst: '10.244.9.0/24', scope: 'link', protocol: 201, encap: { type: 'ip', id: 1, dst: '10.99.0.2' } },
  {
    dst: '10.244.10.0/24',
    scope: 'link',
    protocol: 201,
    mtu: 1400,
    encap: { type: 'ip', id: 0x1234567890abn, src: '10.99.0.1', dst: '10.99.0.3', ttl: 64, tos: 16, flags: 0x4 },
  },
  {
    dst: '10.244.11.0/24',
    scope: 'link',
    protocol: 201,
    encap: { type: 'ip6', id: 1, src: 'fd00:99::1', dst: 'fd00:99::2', ttl: 63, tos: 8 },
  },
  { dst: 'fd00:244:9::/64', protocol: 201, encap: { type: 'ip', id: 1, dst: '10.99.0.2' } },
  { dst: 'fd00:244:10::/64', protocol: 201, mtu: 1380, encap: { type: 'ip6', id: 7, dst: 'fd00:99::3', flags: 0x1 } },
];
