// Netlink attributes (struct nlattr {u16 len; u16 type}, payload padded to 4). Encoding helpers write
// into a codec Writer with back-patched lengths; decoding yields an ordered list (duplicates kept).
import { Reader, Writer, DecodeError, s32le, u16le, u32le } from '../codec/index.js';
import { NLA_F_NESTED, NLA_TYPE_MASK } from './constants.js';

export interface Attr {
  /** Type without the NESTED/BYTEORDER flag bits. */
  type: number;
  /** The raw 16-bit type field as it was on the wire. */
  rawType: number;
  payload: Buffer;
}

export function putAttr(w: Writer, type: number, payload: Uint8Array): void {
  w.u16(4 + payload.length)
    .u16(type)
    .bytes(payload)
    .align(4);
}
export function putU16(w: Writer, type: number, v: number): void {
  w.u16(6).u16(type).u16(v).align(4);
}
export function putU32(w: Writer, type: number, v: number): void {
  w.u16(8).u16(type).u32(v);
}
/** NUL-terminated string (IFLA_IFNAME, TCA_KIND). */
export function putString(w: Writer, type: number, s: string): void {
  putAttr(w, type, Buffer.from(`${s}\0`, 'utf8'));
}
/** String without a NUL (IFLA_INFO_KIND, as iproute2 and vishvananda send it). */
export function putStringNoNul(w: Writer, type: number, s: string): void {
  putAttr(w, type, Buffer.from(s, 'utf8'));
}
/** A nest: the body is written by fn, the length is back-patched. `flag` adds NLA_F_NESTED. */
export function putNest(w: Writer, type: number, fn: (w: Writer) => void, flag = false): void {
  const start = w.length;
  const at = w.reserve(2);
  w.u16(flag ? type | NLA_F_NESTED : type);
  fn(w);
  w.patchU16(at, w.length - start);
  w.align(4);
}

export function decodeAttrs(buf: Buffer, start = 0, end = buf.length): Attr[] {
  const r = new Reader(buf, start, end);
  const out: Attr[] = [];
  while (r.remaining >= 4) {
    const at = r.offset;
    const len = r.u16();
    const rawType = r.u16();
    if (len < 4 || at + len > end) throw new DecodeError(`bad attribute length ${len} at offset ${at}`);
    const payload = r.bytes(len - 4);
    out.push({ type: rawType & NLA_TYPE_MASK, rawType, payload });
    r.align(4);
  }
  return out;
}

export function encodeAttrs(w: Writer, attrs: Attr[]): void {
  for (const a of attrs) putAttr(w, a.rawType, a.payload);
}

export class AttrMap {
  private readonly byType = new Map<number, Attr>();
  constructor(readonly list: Attr[]) {
    for (const a of list) if (!this.byType.has(a.type)) this.byType.set(a.type, a);
  }
  static of(buf: Buffer, start = 0, end = buf.length): AttrMap {
    return new AttrMap(decodeAttrs(buf, start, end));
  }
  has(t: number): boolean {
    return this.byType.has(t);
  }
  raw(t: number): Buffer | undefined {
    return this.byType.get(t)?.payload;
  }
  u8(t: number): number | undefined {
    const p = this.raw(t);
    return p && p.length >= 1 ? p[0] : undefined;
  }
  u16(t: number): number | undefined {
    const p = this.raw(t);
    return p && p.length >= 2 ? u16le(p, 0) : undefined;
  }
  u32(t: number): number | undefined {
    const p = this.raw(t);
    return p && p.length >= 4 ? u32le(p, 0) : undefined;
  }
  s32(t: number): number | undefined {
    const p = this.raw(t);
    return p && p.length >= 4 ? s32le(p, 0) : undefined;
  }
  str(t: number): string | undefined {
    const p = this.raw(t);
    if (!p) return undefined;
    const nul = p.indexOf(0);
    return p.subarray(0, nul < 0 ? p.length : nul).toString('utf8');
  }
  nested(t: number): AttrMap | undefined {
    const p = this.raw(t);
    return p ? AttrMap.of(p) : undefined;
  }
}
