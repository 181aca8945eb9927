// CBOR (RFC 8949) for podlink's own files, the endpoint records: unsigned and negative integers, floats,
// text and byte strings, arrays, maps with text keys, false, true, null and undefined. Encoding uses the
// shortest head and definite lengths (§4.2.1's preferred serialisation, keys in insertion order); decoding
// takes any well-formed item of those types, so records written by earlier podlink versions (cbor-x, which
// heads every map with a 16-bit length and writes integers above 2^32 as float64) read back the same.
// Tags and indefinite lengths are refused: no podlink file holds one.
// Not cbor-x: loading it cost every CNI call about 1 ms of CPU, and its start-up's 90 KB of young heap
// pushed every ADD into a scavenge (README "Why our own CBOR codec", docs/architecture.md#start-up).
import { DecodeError } from './reader.js';
import { Writer } from './writer.js';

export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | { [key: string]: CborValue };

/** Nesting allowed when decoding: a record is two deep; the limit only stops a hostile file from recursing. */
export const CBOR_MAX_DEPTH = 32;

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;
const TWO_32 = 0x1_0000_0000;

/** A head: the major type and its argument (a length or an integer below 2^53) in the fewest bytes. */
function head(w: Writer, major: number, n: number): void {
  const m = major << 5;
  if (n < 24) w.u8(m | n);
  else if (n < 0x100) w.u8(m | 24).u8(n);
  else if (n < 0x10000) w.u8(m | 25).u16be(n);
  else if (n < TWO_32) w.u8(m | 26).u32be(n);
  else
    w.u8(m | 27)
      .u32be(Math.floor(n / TWO_32))
      .u32be(n >>> 0);
}

function encodeText(w: Writer, s: string): void {
  const b = Buffer.from(s, 'utf8');
  head(w, MAJOR_TEXT, b.length);
  w.bytes(b);
}

function encodeNumber(w: Writer, n: number): void {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return head(w, n >= 0 ? MAJOR_UINT : MAJOR_NEGINT, n >= 0 ? n : -1 - n);
  const b = new Uint8Array(9);
  b[0] = (MAJOR_SIMPLE << 5) | 27;
  new DataView(b.buffer).setFloat64(1, n);
  w.bytes(b);
}

function encodeItem(w: Writer, v: CborValue, depth: number): void {
  if (depth > CBOR_MAX_DEPTH) throw new TypeError(`CBOR: nested deeper than ${CBOR_MAX_DEPTH}`);
  if (v === false) return void w.u8(0xf4);
  if (v === true) return void w.u8(0xf5);
  if (v === null) return void w.u8(0xf6);
  if (v === undefined) return void w.u8(0xf7);
  if (typeof v === 'number') return encodeNumber(w, v);
  if (typeof v === 'string') return encodeText(w, v);
  if (v instanceof Uint8Array) {
    head(w, MAJOR_BYTES, v.length);
    return void w.bytes(v);
  }
  if (Array.isArray(v)) {
    head(w, MAJOR_ARRAY, v.length);
    for (const x of v) encodeItem(w, x, depth + 1);
    return;
  }
  if (typeof v !== 'object') throw new TypeError(`CBOR: cannot encode a ${typeof v}`);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null)
    throw new TypeError(`CBOR: cannot encode a ${(v as object).constructor?.name ?? 'class instance'}`);
  const keys = Object.keys(v);
  head(w, MAJOR_MAP, keys.length);
  for (const k of keys) {
    encodeText(w, k);
    encodeItem(w, v[k], depth + 1);
  }
}

/** One CBOR item. Throws TypeError for what has no CBOR form here (a function, a bigint, a symbol). */
export function encodeCbor(v: CborValue): Buffer {
  const w = new Writer();
  encodeItem(w, v, 0);
  return w.finish();
}

let utf8: TextDecoder | undefined;

class In {
  pos = 0;
  constructor(readonly b: Uint8Array) {}

  fail(why: string): never {
    throw new DecodeError(`CBOR: ${why} at byte ${this.pos}`);
  }
  need(n: number): void {
    if (n > this.b.length - this.pos) this.fail(`truncated: ${n} more bytes needed, ${this.b.length - this.pos} left`);
  }
  uint(bytes: number): number {
    this.need(bytes);
    let n = 0;
    for (let i = 0; i < bytes; i++) n = n * 0x100 + this.b[this.pos++]!;
    return n;
  }
  /** The argument of a head whose additional information is `info`. */
  argument(info: number): number {
    if (info < 24) return info;
    if (info === 24) return this.uint(1);
    if (info === 25) return this.uint(2);
    if (info === 26) return this.uint(4);
    if (info === 27) {
      const hi = this.uint(4);
      const n = hi * TWO_32 + this.uint(4);
      if (hi >= 0x20_0000) this.fail('an integer or length above 2^53');
      return n;
    }
    return this.fail(info === 31 ? 'an indefinite length (not used in podlink files)' : `reserved additional information ${info}`);
  }
  /** A length that the bytes left can hold, every element taking at least `min` bytes. */
  length(info: number, min: number): number {
    const n = this.argument(info);
    if (n * min > this.b.length - this.pos) this.fail(`a length of ${n} with ${this.b.length - this.pos} bytes left`);
    return n;
  }
  text(n: number): string {
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < this.pos && ascii; i++) ascii = this.b[i]! < 0x80;
    // ASCII reads the same as latin1, which Buffer decodes natively; the strict UTF-8 decoder is made
    // only for a string that needs it.
    if (ascii) return Buffer.from(this.b.buffer, this.b.byteOffset + start, n).toString('latin1');
    utf8 ??= new TextDecoder('utf-8', { fatal: true });
    try {
      return utf8.decode(this.b.subarray(start, this.pos));
    } catch {
      this.pos = start;
      return this.fail('a text string that is not UTF-8');
    }
  }
  float(bytes: 2 | 4 | 8): number {
    this.need(bytes);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, bytes);
    this.pos += bytes;
    if (bytes === 4) return v.getFloat32(0);
    if (bytes === 8) return v.getFloat64(0);
    const h = v.getUint16(0);
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    const mag = exp === 0 ? mant * 2 ** -24 : exp === 31 ? (mant ? NaN : Infinity) : (mant + 1024) * 2 ** (exp - 25);
    return h & 0x8000 ? -mag : mag;
  }
}

function decodeSimple(r: In, info: number): CborValue {
  if (info === 20) return false;
  if (info === 21) return true;
  if (info === 22) return null;
  if (info === 23) return undefined;
  if (info === 25) return r.float(2);
  if (info === 26) return r.float(4);
  if (info === 27) return r.float(8);
  return r.fail(info === 31 ? 'a break outside an indefinite-length item' : `simple value ${info}`);
}

function decodeItem(r: In, depth: number): CborValue {
  if (depth > CBOR_MAX_DEPTH) r.fail(`nesting deeper than ${CBOR_MAX_DEPTH}`);
  r.need(1);
  const initial = r.b[r.pos++]!;
  const major = initial >>> 5;
  const info = initial & 0x1f;
  switch (major) {
    case MAJOR_UINT:
      return r.argument(info);
    case MAJOR_NEGINT:
      return -1 - r.argument(info);
    case MAJOR_BYTES: {
      const n = r.length(info, 1);
      return Uint8Array.prototype.slice.call(r.b, r.pos, (r.pos += n));
    }
    case MAJOR_TEXT:
      return r.text(r.length(info, 1));
    case MAJOR_ARRAY: {
      const n = r.length(info, 1);
      const a: CborValue[] = [];
      for (let i = 0; i < n; i++) a.push(decodeItem(r, depth + 1));
      return a;
    }
    case MAJOR_MAP: {
      const n = r.length(info, 2);
      const o: { [key: string]: CborValue } = {};
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const k = decodeItem(r, depth + 1);
        if (typeof k !== 'string' || Object.prototype.hasOwnProperty.call(o, k)) {
          r.pos = at;
          r.fail(typeof k === 'string' ? `a duplicate map key "${k}"` : 'a map key that is not a text string');
        }
        const v = decodeItem(r, depth + 1);
        // An assignment to "__proto__" would set the object's prototype instead of adding the key.
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      return o;
    }
    case MAJOR_TAG:
      return r.fail(`tag ${r.argument(info)} (not used in podlink files)`);
    default:
      return decodeSimple(r, info);
  }
}

/** Exactly one well-formed item filling `bytes`; anything else throws DecodeError naming the byte. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = new In(bytes);
  const v = decodeItem(r, 0);
  if (r.pos !== bytes.length) r.fail(`${bytes.length - r.pos} bytes after the item`);
  return v;
}
