// Lightweight-tunnel encapsulation on a route (RTA_ENCAP_TYPE + RTA_ENCAP; lwtunnel.h). The route's device
// (an external vxlan) takes the tunnel key from it: `ip route ... encap ip id 1 dst 10.99.0.2`.
import type { Writer } from '../codec/index.js';
import { AttrMap, putAttr, putNest, putU16 } from './attrs.js';
import * as K from './constants.js';
import { bytesToIp, ipToBytes } from './ip.js';
import { ipLiteralFamily } from '../util/ip-literal.js';

export interface RouteEncap {
  /** `ip`: IPv4 outer header (LWTUNNEL_ENCAP_IP), `ip6`: IPv6 (LWTUNNEL_ENCAP_IP6); either works on a route of any family. */
  type: 'ip' | 'ip6';
  /** Tunnel id (the VNI for vxlan), be64 on the wire. */
  id?: bigint | number;
  /** Outer destination: the remote node's underlay address. */
  dst: string;
  src?: string;
  /** TTL (ip) or hop limit (ip6). */
  ttl?: number;
  /** TOS (ip) or traffic class (ip6). */
  tos?: number;
  /** TUNNEL_* bits of if_tunnel.h (TUNNEL_CSUM 0x1, TUNNEL_KEY 0x4), be16 on the wire. */
  flags?: number;
}

// ID, DST, SRC and FLAGS have the same numbers for IP and IP6; TTL/TOS and HOPLIMIT/TC do not.
const TYPES = { ip: K.LWTUNNEL_ENCAP_IP, ip6: K.LWTUNNEL_ENCAP_IP6 } as const;

function addr(e: RouteEncap, what: 'dst' | 'src', ip: string): Buffer {
  const want = e.type === 'ip' ? 4 : 6;
  if (ipLiteralFamily(ip) !== want) throw new RangeError(`encap ${e.type} ${what} ${JSON.stringify(ip)} is not an IPv${want} address`);
  return ipToBytes(ip);
}

function byteField(e: RouteEncap, what: 'ttl' | 'tos'): Buffer | undefined {
  const v = e[what];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`encap ${e.type} ${what} ${v} is not in 0-255`);
  return Buffer.of(v);
}

/** Writes RTA_ENCAP then RTA_ENCAP_TYPE (the kernel's dump order), fields in the order the kernel dumps them. */
export function putEncap(w: Writer, e: RouteEncap): void {
  const type = TYPES[e.type];
  if (type === undefined) throw new RangeError(`encap type ${JSON.stringify(e.type)} is not ip or ip6`);
  const ip = e.type === 'ip';
  const dst = addr(e, 'dst', e.dst);
  const src = e.src === undefined ? undefined : addr(e, 'src', e.src);
  const ttl = byteField(e, 'ttl');
  const tos = byteField(e, 'tos');
  let id: Buffer | undefined;
  if (e.id !== undefined) {
    const n = BigInt(e.id);
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`encap ${e.type} id ${e.id} does not fit in 64 bits`);
    id = Buffer.alloc(8);
    id.writeBigUInt64BE(n);
  }
  const f = e.flags;
  if (f !== undefined && !(Number.isInteger(f) && f >= 0 && f <= 0xffff)) throw new RangeError(`encap ${e.type} flags ${f} is not a u16`);
  putNest(w, K.RTA_ENCAP, (w) => {
    if (id) putAttr(w, K.LWTUNNEL_IP_ID, id);
    putAttr(w, K.LWTUNNEL_IP_DST, dst);
    if (src) putAttr(w, K.LWTUNNEL_IP_SRC, src);
    if (tos) putAttr(w, ip ? K.LWTUNNEL_IP_TOS : K.LWTUNNEL_IP6_TC, tos);
    if (ttl) putAttr(w, ip ? K.LWTUNNEL_IP_TTL : K.LWTUNNEL_IP6_HOPLIMIT, ttl);
    if (f !== undefined) putAttr(w, K.LWTUNNEL_IP_FLAGS, Buffer.of(f >> 8, f & 0xff));
  });
  putU16(w, K.RTA_ENCAP_TYPE, type);
}

/**
 * The route's encap when it is ip or ip6 (other lwtunnel types: undefined). Fields the kernel reports as zero
 * (it dumps all of them) are left out, so a route reads back as the RouteEncap that made it.
 */
export function decodeEncap(a: AttrMap): RouteEncap | undefined {
  const t = a.u16(K.RTA_ENCAP_TYPE);
  const nest = a.nested(K.RTA_ENCAP);
  if (!nest || (t !== K.LWTUNNEL_ENCAP_IP && t !== K.LWTUNNEL_ENCAP_IP6)) return undefined;
  const ip = t === K.LWTUNNEL_ENCAP_IP;
  const e: RouteEncap = { type: ip ? 'ip' : 'ip6', dst: '' };
  const idRaw = nest.raw(K.LWTUNNEL_IP_ID);
  const id = idRaw?.length === 8 ? idRaw.readBigUInt64BE(0) : 0n;
  if (id) e.id = id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id;
  const dst = nest.raw(K.LWTUNNEL_IP_DST);
  if (dst) e.dst = bytesToIp(dst);
  const src = nest.raw(K.LWTUNNEL_IP_SRC);
  if (src && src.some((b) => b !== 0)) e.src = bytesToIp(src);
  const ttl = nest.u8(ip ? K.LWTUNNEL_IP_TTL : K.LWTUNNEL_IP6_HOPLIMIT);
  if (ttl) e.ttl = ttl;
  const tos = nest.u8(ip ? K.LWTUNNEL_IP_TOS : K.LWTUNNEL_IP6_TC);
  if (tos) e.tos = tos;
  const flags = nest.raw(K.LWTUNNEL_IP_FLAGS);
  if (flags && flags.length >= 2 && flags.readUInt16BE(0)) e.flags = flags.readUInt16BE(0);
  return e;
}

/** `encap ip id 1 dst 10.99.0.2`, as iproute2 words it. */
export function encapWords(e: RouteEncap): string {
  const opt = (k: string, v: unknown) => (v === undefined ? '' : ` ${k} ${v}`);
  const ttl = e.type === 'ip' ? 'ttl' : 'hoplimit';
  const tos = e.type === 'ip' ? 'tos' : 'tc';
  return `encap ${e.type}${opt('id', e.id)}${opt('src', e.src)} dst ${e.dst}${opt(ttl, e.ttl)}${opt(tos, e.tos)}`;
}
