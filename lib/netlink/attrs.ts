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

/**
 * Attributes by type (the first of each type wins), kept as offsets: a payload becomes a Buffer only when
 * `raw` asks for it, and integers and strings are read in place. A link reply carries about 50 attributes
 * and a CNI call reads a handful of them; a subarray and an object per attribute cost more than the rest of
 * the decode, in the interpreter a CNI call runs in.
 */
export class AttrMap {
  /** type → offset of its nlattr header in `buf`. */
  private readonly headers = new Map<number, number>();
  private constructor(
    private readonly buf: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {
    let at = start;
    while (end - at >= 4) {
      const len = u16le(buf, at);
      if (len < 4 || at + len > end) throw new DecodeError(`bad attribute length ${len} at offset ${at}`);
      const type = u16le(buf, at + 2) & NLA_TYPE_MASK;
      if (!this.headers.has(type)) this.headers.set(type, at);
      at = (at + len + 3) & ~3;
    }
  }
  static of(buf: Buffer, start = 0, end = buf.length): AttrMap {
    return new AttrMap(buf, start, end);
  }
  /** Every attribute in wire order, duplicates included. */
  get list(): Attr[] {
    return decodeAttrs(this.buf, this.start, this.end);
  }
  has(t: number): boolean {
    return this.headers.has(t);
  }
  /** Where the attribute whose header is at `at` ends (its length field; padding not included). */
  private endOf(at: number): number {
    return at + u16le(this.buf, at);
  }
  /** A header was found and its payload has at least `min` bytes. */
  private sized(at: number | undefined, min: number): at is number {
    return at !== undefined && u16le(this.buf, at) - 4 >= min;
  }
  raw(t: number): Buffer | undefined {
    const at = this.headers.get(t);
    return at === undefined ? undefined : this.buf.subarray(at + 4, this.endOf(at));
  }
  u8(t: number): number | undefined {
    const at = this.headers.get(t);
    return this.sized(at, 1) ? this.buf[at + 4] : undefined;
  }
  u16(t: number): number | undefined {
    const at = this.headers.get(t);
    return this.sized(at, 2) ? u16le(this.buf, at + 4) : undefined;
  }
  u32(t: number): number | undefined {
    const at = this.headers.get(t);
    return this.sized(at, 4) ? u32le(this.buf, at + 4) : undefined;
  }
  s32(t: number): number | undefined {
    const at = this.headers.get(t);
    return this.sized(at, 4) ? s32le(this.buf, at + 4) : undefined;
  }
  /** Up to the first NUL (the kernel's `nla_put_string` writes one), else the whole payload (a request's kind, as iproute2 sends it). */
  str(t: number): string | undefined {
    const at = this.headers.get(t);
    if (at === undefined) return undefined;
    const end = this.endOf(at);
    let stop = at + 4;
    while (stop < end && this.buf[stop] !== 0) stop++;
    return this.buf.toString('utf8', at + 4, stop);
  }
  nested(t: number): AttrMap | undefined {
    const at = this.headers.get(t);
    return at === undefined ? undefined : new AttrMap(this.buf, at + 4, this.endOf(at));
  }
}
