// vxlan IFLA_INFO_DATA (enum in linux/if_link.h): booleans are u8 0/1, the UDP port is big-endian.
// podlink's device is external (collect-metadata): VNI and remote come per packet from the tunnel key.
import type { Writer } from '../codec/index.js';
import { AttrMap, putAttr, putU32 } from './attrs.js';
import * as K from './constants.js';

export interface VxlanOptions {
  /** IFLA_VXLAN_COLLECT_METADATA ("external" in iproute2). */
  external: boolean;
  /** UDP destination port (IFLA_VXLAN_PORT). */
  port: number;
  learning: boolean;
  /** IFLA_VXLAN_ID; kernels dump 0 for an external device. */
  vni?: number;
  ttl?: number;
  udpCsum?: boolean;
  udpZeroCsum6Tx?: boolean;
  udpZeroCsum6Rx?: boolean;
}

const putBool = (w: Writer, type: number, v: boolean) => putAttr(w, type, Buffer.of(v ? 1 : 0));

export function encodeVxlanData(w: Writer, o: VxlanOptions): void {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 0xffff) throw new RangeError(`vxlan port ${o.port} is not in 1-65535`);
  if (o.vni !== undefined && !(Number.isInteger(o.vni) && o.vni >= 0 && o.vni <= 0xffffff)) {
    throw new RangeError(`vxlan vni ${o.vni} is not in 0-16777215`);
  }
  if (o.ttl !== undefined && !(Number.isInteger(o.ttl) && o.ttl >= 0 && o.ttl <= 255))
    throw new RangeError(`vxlan ttl ${o.ttl} is not in 0-255`);
  if (o.vni !== undefined) putU32(w, K.IFLA_VXLAN_ID, o.vni);
  if (o.ttl !== undefined) putAttr(w, K.IFLA_VXLAN_TTL, Buffer.of(o.ttl));
  putBool(w, K.IFLA_VXLAN_LEARNING, o.learning);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(o.port);
  putAttr(w, K.IFLA_VXLAN_PORT, port);
  if (o.udpCsum !== undefined) putBool(w, K.IFLA_VXLAN_UDP_CSUM, o.udpCsum);
  if (o.udpZeroCsum6Tx !== undefined) putBool(w, K.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, o.udpZeroCsum6Tx);
  if (o.udpZeroCsum6Rx !== undefined) putBool(w, K.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, o.udpZeroCsum6Rx);
  putBool(w, K.IFLA_VXLAN_COLLECT_METADATA, o.external);
}

const bool = (a: AttrMap, type: number) => (a.has(type) ? a.u8(type) !== 0 : undefined);

/** Decodes a dump's or a create request's INFO_DATA; attributes the request left out stay undefined. */
export function decodeVxlanData(a: AttrMap): VxlanOptions {
  const port = a.raw(K.IFLA_VXLAN_PORT);
  const o: VxlanOptions = {
    external: bool(a, K.IFLA_VXLAN_COLLECT_METADATA) ?? false,
    // 0: a request without IFLA_VXLAN_PORT (the kernel then uses its udp_port module parameter).
    port: port && port.length >= 2 ? port.readUInt16BE(0) : 0,
    learning: bool(a, K.IFLA_VXLAN_LEARNING) ?? true,
  };
  const optional: Partial<VxlanOptions> = {
    vni: a.u32(K.IFLA_VXLAN_ID),
    ttl: a.u8(K.IFLA_VXLAN_TTL),
    udpCsum: bool(a, K.IFLA_VXLAN_UDP_CSUM),
    udpZeroCsum6Tx: bool(a, K.IFLA_VXLAN_UDP_ZERO_CSUM6_TX),
    udpZeroCsum6Rx: bool(a, K.IFLA_VXLAN_UDP_ZERO_CSUM6_RX),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(o, { [k]: v });
  return o;
}
