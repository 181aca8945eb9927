// Reads the payload's code cache that the release build appended to the executable (release/cache-tail.mjs),
// checked against the layout the entry was built with. Only a call without the node's own cache reads it.
import * as fs from 'node:fs';

export interface CacheTailLayout {
  magic: string;
  bytes: number;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, b, off, length - off, position + off);
    if (n === 0) throw new Error(`unexpected end of file at ${position + off}`);
    off += n;
  }
  return b;
}

/**
 * The cache appended to `file` (the running executable: /proc/self/exe names it even after an upgrade
 * renamed another file over its path), or undefined when `file` does not end with this build's trailer.
 * A cache is only an accelerator: any failure here means compiling from source.
 */
export function readCacheTail(layout: CacheTailLayout, file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const trailer = layout.magic.length + 4;
    const start = fs.fstatSync(fd).size - trailer - layout.bytes;
    if (start < 0 || layout.bytes === 0) return undefined;
    const t = readAt(fd, start + layout.bytes, trailer);
    if (t.toString('latin1', 0, layout.magic.length) !== layout.magic || t.readUInt32LE(layout.magic.length) !== layout.bytes)
      return undefined;
    return readAt(fd, start, layout.bytes);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
