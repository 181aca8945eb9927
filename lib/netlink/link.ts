// Links: ifinfomsg, the generic IFLA_* attributes, create/delete/set/get/dump requests and the decoded view.
// Kind-specific IFLA_INFO_DATA lives in link-veth.ts, link-netkit.ts and link-vxlan.ts.
import type { Writer } from '../codec/index.js';
import { AttrMap, putNest, putString, putStringNoNul } from './attrs.js';
import * as K from './constants.js';
import {
  ifFlags,
  putDeviceAttrs,
  putIfInfo,
  readDeviceAttrs,
  readIfInfo,
  readLinkFlags,
  type DeviceAttrs,
  type LinkFlags,
} from './link-device.js';
import { decodeNetkitData, decodeNetkitRequest, encodeNetkitData, type NetkitOptions } from './link-netkit.js';
import { decodeVethData, encodeVethData } from './link-veth.js';
import { decodeVxlanData, encodeVxlanData, type VxlanOptions } from './link-vxlan.js';
import { formatMac } from './mac.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';

export type LinkKindSpec =
  { kind: 'veth'; peer: DeviceAttrs } | ({ kind: 'netkit'; peer: DeviceAttrs } & NetkitOptions) | ({ kind: 'vxlan' } & VxlanOptions);

/** Flags (up, noarp) go in the ifinfomsg; the kernel applies them once the device exists. */
export interface NewLinkSpec extends DeviceAttrs, LinkFlags {
  info?: LinkKindSpec;
}

export interface Link {
  index: number;
  name: string;
  flags: number;
  mtu?: number;
  mac?: string;
  kind?: string;
  /** IFLA_LINK: for veth/netkit, the peer's ifindex (in the peer's netns). */
  link?: number;
  linkNetnsId?: number;
  txqlen?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  gsoMaxSize?: number;
  groMaxSize?: number;
  netkit?: ReturnType<typeof decodeNetkitData>;
  vxlan?: VxlanOptions;
  attrs: AttrMap;
}

/** Writes the body (ifinfomsg + attrs) of an RTM_NEWLINK create request. */
export function fillNewLink(spec: NewLinkSpec): (w: Writer) => void {
  return (w) => {
    putIfInfo(w, ifFlags(spec));
    putDeviceAttrs(w, spec, false);
    const info = spec.info;
    if (!info) return;
    putNest(w, K.IFLA_LINKINFO, (w) => {
      putStringNoNul(w, K.IFLA_INFO_KIND, info.kind);
      putNest(w, K.IFLA_INFO_DATA, (w) => {
        if (info.kind === 'veth') encodeVethData(w, info.peer);
        else if (info.kind === 'netkit') encodeNetkitData(w, info, info.peer);
        else encodeVxlanData(w, info);
      });
    });
  };
}

export function createLinkRequest(spec: NewLinkSpec): NlRequest {
  const info = spec.info;
  const peer = info && 'peer' in info ? ` with peer ${info.peer.name ?? '?'}` : '';
  const what = `create ${info?.kind ?? 'link'} ${spec.name ?? '?'}${peer}`;
  return { type: K.RTM_NEWLINK, flags: K.NLM_F_CREATE | K.NLM_F_EXCL, fill: fillNewLink(spec), what };
}

export function deleteLinkRequest(index: number, name = `#${index}`): NlRequest {
  return { type: K.RTM_DELLINK, fill: (w) => putIfInfo(w, { index }), what: `delete link ${name}` };
}

export function setLinkRequest(index: number, name: string, set: DeviceAttrs & LinkFlags): NlRequest {
  const words = Object.entries(set)
    .filter(([k]) => k !== 'name')
    .map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? v.toString('hex') : v}`);
  return {
    type: K.RTM_NEWLINK,
    fill: (w) => {
      putIfInfo(w, { index, ...ifFlags(set) });
      const { up: _u, noarp: _a, name: _n, ...attrs } = set;
      putDeviceAttrs(w, attrs, false);
    },
    what: `set link ${name} ${words.join(' ')}`.trim(),
  };
}

export function getLinkRequest(by: { index?: number; name?: string }): NlRequest {
  return {
    type: K.RTM_GETLINK,
    fill: (w) => {
      putIfInfo(w, { index: by.index ?? 0 });
      if (by.name !== undefined) putString(w, K.IFLA_IFNAME, by.name);
    },
    what: `get link ${by.name ?? `#${by.index}`}`,
  };
}

export function dumpLinksRequest(): NlRequest {
  return { type: K.RTM_GETLINK, fill: (w) => putIfInfo(w), what: 'dump links' };
}

export function decodeLink(m: NlMsg): Link {
  const ifi = readIfInfo(m.body);
  const a = AttrMap.of(m.body, 16);
  const info = a.nested(K.IFLA_LINKINFO);
  const kind = info?.str(K.IFLA_INFO_KIND);
  const data = info?.raw(K.IFLA_INFO_DATA);
  const mac = a.raw(K.IFLA_ADDRESS);
  return {
    index: ifi.index,
    name: a.str(K.IFLA_IFNAME) ?? '',
    flags: ifi.flags,
    mtu: a.u32(K.IFLA_MTU),
    mac: mac?.length === 6 ? formatMac(mac) : undefined,
    kind,
    link: a.u32(K.IFLA_LINK),
    linkNetnsId: a.s32(K.IFLA_LINK_NETNSID),
    txqlen: a.u32(K.IFLA_TXQLEN),
    numTxQueues: a.u32(K.IFLA_NUM_TX_QUEUES),
    numRxQueues: a.u32(K.IFLA_NUM_RX_QUEUES),
    gsoMaxSize: a.u32(K.IFLA_GSO_MAX_SIZE),
    groMaxSize: a.u32(K.IFLA_GRO_MAX_SIZE),
    netkit: kind === 'netkit' && data ? decodeNetkitData(AttrMap.of(data)) : undefined,
    vxlan: kind === 'vxlan' && data ? decodeVxlanData(AttrMap.of(data)) : undefined,
    attrs: a,
  };
}

/** Decodes an RTM_NEWLINK create request back into the spec that produced it (tests, --dry-run JSON). */
export function decodeNewLinkRequest(body: Buffer): NewLinkSpec {
  const a = AttrMap.of(body, 16);
  const spec: NewLinkSpec = { ...readLinkFlags(readIfInfo(body)), ...readDeviceAttrs(a) };
  const info = a.nested(K.IFLA_LINKINFO);
  const kind = info?.str(K.IFLA_INFO_KIND);
  const data = info?.nested(K.IFLA_INFO_DATA);
  if (kind === 'veth' && data) spec.info = { kind: 'veth', peer: decodeVethData(data) ?? {} };
  if (kind === 'netkit' && data) {
    const n = decodeNetkitRequest(data);
    spec.info = { kind: 'netkit', ...n.options, peer: n.peer ?? {} };
  }
  if (kind === 'vxlan' && data) spec.info = { kind: 'vxlan', ...decodeVxlanData(data) };
  return spec;
}
