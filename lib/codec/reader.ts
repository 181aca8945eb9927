// Bounds-checked little-endian reader over a Buffer window. Reading past the end throws DecodeError.
import { s32le, u16be, u16le, u32le, u64le } from './bytes.js';

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

export class Reader {
  private pos: number;
  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new DecodeError(`bad window [${start}, ${end}) of ${buf.length}`);
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new DecodeError(`truncated ${what}: need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2, 'u16');
    const v = u16le(this.buf, this.pos);
    this.pos += 2;
    return v;
  }
  u16be(): number {
    this.need(2, 'u16be');
    const v = u16be(this.buf, this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = u32le(this.buf, this.pos);
    this.pos += 4;
    return v;
  }
  s32(): number {
    this.need(4, 's32');
    const v = s32le(this.buf, this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8, 'u64');
    const v = u64le(this.buf, this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n, `${n} bytes`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  skip(n: number): void {
    this.need(n, `skip ${n}`);
    this.pos += n;
  }
  /** Skip to the next multiple of `to`, clamped at the window's end (the last attribute may be unpadded). */
  align(to: number): void {
    const rem = this.pos % to;
    if (rem !== 0) this.pos = Math.min(this.end, this.pos + (to - rem));
  }
}
