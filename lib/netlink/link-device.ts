// The device part of a link message: ifinfomsg and the per-device IFLA_* attributes, shared by link.ts
// and the kind-specific peer encoders (link-veth.ts, link-netkit.ts).
import { Reader, Writer } from '../codec/index.js';
import { AttrMap, putAttr, putString, putU32 } from './attrs.js';
import * as K from './constants.js';

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
  /** Queues the kernel allocates (IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES); the driver's default when absent. */
  numTxQueues?: number;
  numRxQueues?: number;
  /** Place the device in the netns behind this fd (IFLA_NET_NS_FD). */
  netnsFd?: number;
}

/** Interface flags to set (true) or clear (false); the ones left undefined are not touched (ifi_change). */
export interface LinkFlags {
  up?: boolean;
  noarp?: boolean;
}

const FLAG_BITS = { up: K.IFF_UP, noarp: K.IFF_NOARP } as const;

export function ifFlags(f: LinkFlags): { flags: number; change: number } {
  let flags = 0;
  let change = 0;
  for (const [k, bit] of Object.entries(FLAG_BITS)) {
    const v = f[k as keyof LinkFlags];
    if (v === undefined) continue;
    change |= bit;
    if (v) flags |= bit;
  }
  return { flags, change };
}

export function readLinkFlags(i: IfInfo): LinkFlags {
  const f: LinkFlags = {};
  for (const [k, bit] of Object.entries(FLAG_BITS)) if (i.change & bit) f[k as keyof LinkFlags] = (i.flags & bit) !== 0;
  return f;
}

export function putIfInfo(w: Writer, i: Partial<IfInfo> = {}): void {
  w.u8(i.family ?? 0)
    .u8(0)
    .u16(i.type ?? 0)
    .s32(i.index ?? 0)
    .u32(i.flags ?? 0)
    .u32(i.change ?? 0);
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
  if (d.numTxQueues !== undefined) putU32(w, K.IFLA_NUM_TX_QUEUES, d.numTxQueues);
  if (d.numRxQueues !== undefined) putU32(w, K.IFLA_NUM_RX_QUEUES, d.numRxQueues);
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
  if (a.has(K.IFLA_NUM_TX_QUEUES)) d.numTxQueues = a.u32(K.IFLA_NUM_TX_QUEUES);
  if (a.has(K.IFLA_NUM_RX_QUEUES)) d.numRxQueues = a.u32(K.IFLA_NUM_RX_QUEUES);
  if (a.has(K.IFLA_ADDRESS)) d.mac = Buffer.from(a.raw(K.IFLA_ADDRESS)!);
  if (a.has(K.IFLA_GSO_MAX_SIZE)) d.gsoMaxSize = a.u32(K.IFLA_GSO_MAX_SIZE);
  if (a.has(K.IFLA_GRO_MAX_SIZE)) d.groMaxSize = a.u32(K.IFLA_GRO_MAX_SIZE);
  if (a.has(K.IFLA_GSO_IPV4_MAX_SIZE)) d.gsoIpv4MaxSize = a.u32(K.IFLA_GSO_IPV4_MAX_SIZE);
  if (a.has(K.IFLA_GRO_IPV4_MAX_SIZE)) d.groIpv4MaxSize = a.u32(K.IFLA_GRO_IPV4_MAX_SIZE);
  if (a.has(K.IFLA_NET_NS_FD)) d.netnsFd = a.u32(K.IFLA_NET_NS_FD);
  return d;
}
