// Fixed-width integers at an offset of a byte array, bounds left to the caller (Reader and Writer check
// their windows first). Node's Buffer read/write methods are JavaScript that V8 compiles in every process
// that first calls each one, and they check their arguments again on every call; a CNI call runs them
// cold, in the interpreter, hundreds of times (netlink messages and attributes). A Uint8Array store keeps
// the low 8 bits of any integer, which is what each byte below wants.

export const u16le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const u16be = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
export const s32le = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
export const u32le = (b: Uint8Array, at: number): number => s32le(b, at) >>> 0;

export function putU16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
}
export function putU16be(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}
/** Also writes an s32: the same four bytes. */
export function putU32le(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

export function putU32be(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

export const u64le = (b: Uint8Array, at: number): bigint => BigInt(u32le(b, at)) | (BigInt(u32le(b, at + 4)) << 32n);
/** The caller checks the range (Writer.u64 does); a wider `v` would lose all but its low 64 bits. */
export function putU64le(b: Uint8Array, at: number, v: bigint): void {
  putU32le(b, at, Number(v & 0xffffffffn));
  putU32le(b, at + 4, Number((v >> 32n) & 0xffffffffn));
}
