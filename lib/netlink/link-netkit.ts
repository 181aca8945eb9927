// netkit IFLA_INFO_DATA (drivers/net/netkit.c netkit_policy / netkit_fill_info; docs/kernel.md#netkit-attributes).
// Kernels ignore attribute types above their IFLA_NETKIT_MAX, so support for scrub (6.13) and
// headroom/tailroom (6.14) must be read back from a dump, never assumed from a successful create.
import type { Writer } from '../codec/index.js';
import { AttrMap, putNest, putU16, putU32 } from './attrs.js';
import * as K from './constants.js';
import { putDeviceAttrs, putIfInfo, readDeviceAttrs, type DeviceAttrs } from './link.js';

export type NetkitMode = 'l2' | 'l3';
export type NetkitPolicy = 'forward' | 'drop';
export type NetkitScrub = 'none' | 'default';

export interface NetkitOptions {
  mode: NetkitMode;
  policy: NetkitPolicy;
  peerPolicy: NetkitPolicy;
  scrub?: NetkitScrub;
  peerScrub?: NetkitScrub;
  headroom?: number;
  tailroom?: number;
}

export interface NetkitInfo {
  primary?: boolean;
  mode?: NetkitMode;
  policy?: NetkitPolicy;
  peerPolicy?: NetkitPolicy;
  scrub?: NetkitScrub;
  peerScrub?: NetkitScrub;
  headroom?: number;
  tailroom?: number;
}

const policyNum = (p: NetkitPolicy) => (p === 'drop' ? K.NETKIT_DROP : K.NETKIT_PASS);
const scrubNum = (s: NetkitScrub) => (s === 'none' ? K.NETKIT_SCRUB_NONE : K.NETKIT_SCRUB_DEFAULT);

export function encodeNetkitData(w: Writer, o: NetkitOptions, peer: DeviceAttrs): void {
  putU32(w, K.IFLA_NETKIT_MODE, o.mode === 'l2' ? K.NETKIT_L2 : K.NETKIT_L3);
  putU32(w, K.IFLA_NETKIT_POLICY, policyNum(o.policy));
  putU32(w, K.IFLA_NETKIT_PEER_POLICY, policyNum(o.peerPolicy));
  if (o.scrub !== undefined) putU32(w, K.IFLA_NETKIT_SCRUB, scrubNum(o.scrub));
  if (o.peerScrub !== undefined) putU32(w, K.IFLA_NETKIT_PEER_SCRUB, scrubNum(o.peerScrub));
  if (o.headroom) putU16(w, K.IFLA_NETKIT_HEADROOM, o.headroom);
  if (o.tailroom) putU16(w, K.IFLA_NETKIT_TAILROOM, o.tailroom);
  // PEER_INFO is a blob (ifinfomsg + attrs), not flagged NLA_F_NESTED.
  putNest(w, K.IFLA_NETKIT_PEER_INFO, (w) => {
    putIfInfo(w);
    putDeviceAttrs(w, peer, true);
  });
}

function policyName(n: number | undefined): NetkitPolicy | undefined {
  return n === undefined ? undefined : n === K.NETKIT_DROP ? 'drop' : 'forward';
}
function scrubName(n: number | undefined): NetkitScrub | undefined {
  return n === undefined ? undefined : n === K.NETKIT_SCRUB_NONE ? 'none' : 'default';
}

export function decodeNetkitData(a: AttrMap): NetkitInfo {
  const mode = a.u32(K.IFLA_NETKIT_MODE);
  const primary = a.u8(K.IFLA_NETKIT_PRIMARY);
  return {
    primary: primary === undefined ? undefined : primary !== 0,
    mode: mode === undefined ? undefined : mode === K.NETKIT_L2 ? 'l2' : 'l3',
    policy: policyName(a.u32(K.IFLA_NETKIT_POLICY)),
    peerPolicy: policyName(a.u32(K.IFLA_NETKIT_PEER_POLICY)),
    scrub: scrubName(a.u32(K.IFLA_NETKIT_SCRUB)),
    peerScrub: scrubName(a.u32(K.IFLA_NETKIT_PEER_SCRUB)),
    headroom: a.u16(K.IFLA_NETKIT_HEADROOM),
    tailroom: a.u16(K.IFLA_NETKIT_TAILROOM),
  };
}

/** Decodes a create request's INFO_DATA back into options + peer (used by codec tests and --dry-run). */
export function decodeNetkitRequest(a: AttrMap): { options: NetkitOptions; peer?: DeviceAttrs } {
  const i = decodeNetkitData(a);
  const p = a.raw(K.IFLA_NETKIT_PEER_INFO);
  return {
    options: {
      mode: i.mode ?? 'l3',
      policy: i.policy ?? 'forward',
      peerPolicy: i.peerPolicy ?? 'forward',
      scrub: i.scrub,
      peerScrub: i.peerScrub,
      headroom: i.headroom,
      tailroom: i.tailroom,
    },
    peer: p ? readDeviceAttrs(AttrMap.of(p, 16)) : undefined,
  };
}
