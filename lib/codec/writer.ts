// Little-endian binary writer that grows on demand, with alignment and length back-patching.
// Every integer is range-checked: an out-of-range value is a programming error, never truncated.
import { putU16be, putU16le, putU32be, putU32le, putU64le } from './bytes.js';

export class CodecRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CodecRangeError';
  }
}

function check(v: number | bigint, min: number | bigint, max: number | bigint, what: string): void {
  if (typeof v === 'number' && !Number.isInteger(v)) throw new CodecRangeError(`${what}: ${v} is not an integer`);
  if (v < min || v > max) throw new CodecRangeError(`${what}: ${v} out of range [${min}, ${max}]`);
}

export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.alloc(initial);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    check(v, 0, 0xff, 'u8');
    this.ensure(1);
    this.buf[this.pos] = v;
    this.pos += 1;
    return this;
  }
  u16(v: number): this {
    check(v, 0, 0xffff, 'u16');
    this.ensure(2);
    putU16le(this.buf, this.pos, v);
    this.pos += 2;
    return this;
  }
  u16be(v: number): this {
    check(v, 0, 0xffff, 'u16be');
    this.ensure(2);
    putU16be(this.buf, this.pos, v);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    check(v, 0, 0xffffffff, 'u32');
    this.ensure(4);
    putU32le(this.buf, this.pos, v);
    this.pos += 4;
    return this;
  }
  u32be(v: number): this {
    check(v, 0, 0xffffffff, 'u32be');
    this.ensure(4);
    putU32be(this.buf, this.pos, v);
    this.pos += 4;
    return this;
  }
  s32(v: number): this {
    check(v, -0x80000000, 0x7fffffff, 's32');
    this.ensure(4);
    putU32le(this.buf, this.pos, v);
    this.pos += 4;
    return this;
  }
  u64(v: bigint | number): this {
    const b = BigInt(v);
    check(b, 0n, 0xffffffffffffffffn, 'u64');
    this.ensure(8);
    putU64le(this.buf, this.pos, b);
    this.pos += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /**
   * The bytes past `pos` are zero already: the buffer starts zeroed, grows into a zeroed one, and is only
   * ever written at `pos` or patched below it. So zeros only move `pos` (Buffer.fill's argument checks
   * cost more than the netlink messages' padding they wrote).
   */
  zeros(n: number): this {
    this.ensure(n);
    this.pos += n;
    return this;
  }
  /** Pad with zeros to a multiple of `to` bytes. */
  align(to: number): this {
    const rem = this.pos % to;
    return rem === 0 ? this : this.zeros(to - rem);
  }

  /** Reserve space for a length field; returns its offset for patchU16/patchU32. */
  reserve(n: number): number {
    const at = this.pos;
    this.zeros(n);
    return at;
  }
  patchU16(at: number, v: number): void {
    check(v, 0, 0xffff, 'patched u16');
    this.patchable(at, 2);
    putU16le(this.buf, at, v);
  }
  patchU32(at: number, v: number): void {
    check(v, 0, 0xffffffff, 'patched u32');
    this.patchable(at, 4);
    putU32le(this.buf, at, v);
  }
  /** Only what was written can be patched: past `pos` the buffer must stay zero (see zeros). */
  private patchable(at: number, n: number): void {
    if (!Number.isInteger(at) || at < 0 || at + n > this.pos)
      throw new CodecRangeError(`patch at ${at}: outside the ${this.pos} bytes written`);
  }

  /** A copy of the written bytes. */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
