// Links: ifinfomsg, the generic IFLA_* attributes, create/delete/set/get/dump requests and the decoded view.
// Kind-specific IFLA_INFO_DATA lives in link-veth.ts and link-netkit.ts.
import { Reader, Writer } from '../codec/index.js';
import { AttrMap, putAttr, putNest, putString, putStringNoNul, putU32 } from './attrs.js';
import * as K from './constants.js';
import { decodeNetkitData, decodeNetkitRequest, encodeNetkitData, type NetkitOptions } from './link-netkit.js';
import { decodeVethData, encodeVethData } from './link-veth.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';

export interface IfInfo {
  family: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}

/** Per-device settings applied at creation (rtnl_create_link applies these to each end). */
export interface DeviceAttrs {
  name?: string;
  mtu?: number;
  txqlen?: number;
  mac?: Buffer;
  gsoMaxSize?: number;
  groMaxSize?: number;
  gsoIpv4MaxSize?: number;
  groIpv4MaxSize?: number;
  /** Place the device in the netns behind this fd (IFLA_NET_NS_FD). */
  netnsFd?: number;
}

export type LinkKindSpec =
  | { kind: 'veth'; peer: DeviceAttrs }
  | ({ kind: 'netkit'; peer: DeviceAttrs } & NetkitOptions);

export interface NewLinkSpec extends DeviceAttrs {
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
  gsoMaxSize?: number;
  groMaxSize?: number;
  netkit?: ReturnType<typeof decodeNetkitData>;
  attrs: AttrMap;
}

export function putIfInfo(w: Writer, i: Partial<IfInfo> = {}): void {
  w.u8(i.family ?? 0).u8(0).u16(i.type ?? 0).s32(i.index ?? 0).u32(i.flags ?? 0).u32(i.change ?? 0);
}

export function readIfInfo(buf: Buffer): IfInfo {
  const r = new Reader(buf);
  const family = r.u8();
  r.skip(1);
  return { family, type: r.u16(), index: r.s32(), flags: r.u32(), change: r.u32() };
}

export function putDeviceAttrs(w: Writer, d: DeviceAttrs, peer: boolean): void {
  if (d.name !== undefined) putString(w, K.IFLA_IFNAME, d.name);
  // Order matches what iproute2/vishvananda emit, so kernel-captured requests re-encode byte-exactly.
  if (peer && d.txqlen !== undefined) putU32(w, K.IFLA_TXQLEN, d.txqlen);
  if (d.mtu !== undefined) putU32(w, K.IFLA_MTU, d.mtu);
  if (!peer && d.txqlen !== undefined) putU32(w, K.IFLA_TXQLEN, d.txqlen);
  if (d.mac !== undefined) putAttr(w, K.IFLA_ADDRESS, d.mac);
  if (d.gsoMaxSize !== undefined) putU32(w, K.IFLA_GSO_MAX_SIZE, d.gsoMaxSize);
  if (d.groMaxSize !== undefined) putU32(w, K.IFLA_GRO_MAX_SIZE, d.groMaxSize);
  if (d.gsoIpv4MaxSize !== undefined) putU32(w, K.IFLA_GSO_IPV4_MAX_SIZE, d.gsoIpv4MaxSize);
  if (d.groIpv4MaxSize !== undefined) putU32(w, K.IFLA_GRO_IPV4_MAX_SIZE, d.groIpv4MaxSize);
  if (d.netnsFd !== undefined) putU32(w, K.IFLA_NET_NS_FD, d.netnsFd);
}

export function readDeviceAttrs(a: AttrMap): DeviceAttrs {
  const d: DeviceAttrs = {};
  if (a.has(K.IFLA_IFNAME)) d.name = a.str(K.IFLA_IFNAME);
  if (a.has(K.IFLA_MTU)) d.mtu = a.u32(K.IFLA_MTU);
  if (a.has(K.IFLA_TXQLEN)) d.txqlen = a.u32(K.IFLA_TXQLEN);
  if (a.has(K.IFLA_ADDRESS)) d.mac = Buffer.from(a.raw(K.IFLA_ADDRESS)!);
  if (a.has(K.IFLA_GSO_MAX_SIZE)) d.gsoMaxSize = a.u32(K.IFLA_GSO_MAX_SIZE);
  if (a.has(K.IFLA_GRO_MAX_SIZE)) d.groMaxSize = a.u32(K.IFLA_GRO_MAX_SIZE);
  if (a.has(K.IFLA_GSO_IPV4_MAX_SIZE)) d.gsoIpv4MaxSize = a.u32(K.IFLA_GSO_IPV4_MAX_SIZE);
  if (a.has(K.IFLA_GRO_IPV4_MAX_SIZE)) d.groIpv4MaxSize = a.u32(K.IFLA_GRO_IPV4_MAX_SIZE);
  if (a.has(K.IFLA_NET_NS_FD)) d.netnsFd = a.u32(K.IFLA_NET_NS_FD);
  return d;
}

/** Writes the body (ifinfomsg + attrs) of an RTM_NEWLINK create request. */
export function fillNewLink(spec: NewLinkSpec): (w: Writer) => void {
  return (w) => {
    putIfInfo(w);
    putDeviceAttrs(w, spec, false);
    const info = spec.info;
    if (!info) return;
    putNest(w, K.IFLA_LINKINFO, (w) => {
      putStringNoNul(w, K.IFLA_INFO_KIND, info.kind);
      putNest(w, K.IFLA_INFO_DATA, (w) => {
        if (info.kind === 'veth') encodeVethData(w, info.peer);
        else encodeNetkitData(w, info, info.peer);
      });
    });
  };
}

export function createLinkRequest(spec: NewLinkSpec): NlRequest {
  const what = spec.info
    ? `create ${spec.info.kind} ${spec.name ?? '?'} with peer ${spec.info.peer.name ?? '?'}`
    : `create link ${spec.name ?? '?'}`;
  return { type: K.RTM_NEWLINK, flags: K.NLM_F_CREATE | K.NLM_F_EXCL, fill: fillNewLink(spec), what };
}

export function deleteLinkRequest(index: number, name = `#${index}`): NlRequest {
  return { type: K.RTM_DELLINK, fill: (w) => putIfInfo(w, { index }), what: `delete link ${name}` };
}

export function setLinkRequest(index: number, name: string, set: DeviceAttrs & { up?: boolean }): NlRequest {
  const words = Object.entries(set).filter(([k]) => k !== 'name').map(([k, v]) => `${k}=${Buffer.isBuffer(v) ? v.toString('hex') : v}`);
  return {
    type: K.RTM_NEWLINK,
    fill: (w) => {
      const up = set.up === undefined ? {} : { flags: set.up ? K.IFF_UP : 0, change: K.IFF_UP };
      putIfInfo(w, { index, ...up });
      const { up: _u, name: _n, ...attrs } = set;
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

function macString(b: Buffer | undefined): string | undefined {
  return b && b.length === 6 ? [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') : undefined;
}

export function decodeLink(m: NlMsg): Link {
  const ifi = readIfInfo(m.body);
  const a = AttrMap.of(m.body, 16);
  const info = a.nested(K.IFLA_LINKINFO);
  const kind = info?.str(K.IFLA_INFO_KIND);
  const data = info?.raw(K.IFLA_INFO_DATA);
  return {
    index: ifi.index,
    name: a.str(K.IFLA_IFNAME) ?? '',
    flags: ifi.flags,
    mtu: a.u32(K.IFLA_MTU),
    mac: macString(a.raw(K.IFLA_ADDRESS)),
    kind,
    link: a.u32(K.IFLA_LINK),
    linkNetnsId: a.s32(K.IFLA_LINK_NETNSID),
    txqlen: a.u32(K.IFLA_TXQLEN),
    gsoMaxSize: a.u32(K.IFLA_GSO_MAX_SIZE),
    groMaxSize: a.u32(K.IFLA_GRO_MAX_SIZE),
    netkit: kind === 'netkit' && data ? decodeNetkitData(AttrMap.of(data)) : undefined,
    attrs: a,
  };
}

export function parseMac(s: string): Buffer {
  const parts = s.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new RangeError(`bad MAC address ${s}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** Decodes an RTM_NEWLINK create request back into the spec that produced it (tests, --dry-run JSON). */
export function decodeNewLinkRequest(body: Buffer): NewLinkSpec {
  const a = AttrMap.of(body, 16);
  const spec: NewLinkSpec = readDeviceAttrs(a);
  const info = a.nested(K.IFLA_LINKINFO);
  const kind = info?.str(K.IFLA_INFO_KIND);
  const data = info?.nested(K.IFLA_INFO_DATA);
  if (kind === 'veth' && data) spec.info = { kind: 'veth', peer: decodeVethData(data) ?? {} };
  if (kind === 'netkit' && data) {
    const n = decodeNetkitRequest(data);
    spec.info = { kind: 'netkit', ...n.options, peer: n.peer ?? {} };
  }
  return spec;
}
