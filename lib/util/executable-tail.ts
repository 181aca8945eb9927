// Reads a section the release build appended to the executable after pkg's image (release/executable-tail.mjs):
// the CNI payload's code cache, the native addon, the BPF object, the CLI payload and its code cache. Read from
// the running file, not scanned as source at every start (docs/architecture.md#start-up). May import: node
// builtins only.
import * as fs from 'node:fs';

/** Where a section is and what it holds, as the build saw it. */
export interface TailSection {
  magic: string;
  index: number;
  length: number;
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

/** Section `s` of `file`, or undefined when `file` does not end with a tail holding it as the build made it. */
export function readTailSection(file: string, s: TailSection): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const fixed = s.magic.length + 4;
    if (size < fixed) return undefined;
    const end = readAt(fd, size - fixed, fixed);
    if (end.toString('latin1', 4) !== s.magic) return undefined;
    const count = end.readUInt32LE(0);
    const trailer = fixed + 4 * count;
    if (s.index >= count || size < trailer) return undefined;
    const lengths = readAt(fd, size - trailer, 4 * count);
    if (lengths.readUInt32LE(4 * s.index) !== s.length) return undefined;
    let start = size - trailer;
    for (let i = count - 1; i >= s.index; i--) start -= lengths.readUInt32LE(4 * i);
    return start < 0 ? undefined : readAt(fd, start, s.length);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Section `s` of the running executable: /proc/self/exe names the file this process runs even after an
 * upgrade renamed another over its path; without /proc (a bare chroot) the executable's path does, as
 * Node resolved it at start-up. Under plain node (`node build/podlink.cjs`) the same bytes sit beside
 * the bundle, in `<entry>.tail`.
 */
export function embeddedSection(s: TailSection, entry: string): Buffer | undefined {
  return readTailSection('/proc/self/exe', s) ?? readTailSection(process.execPath, s) ?? readTailSection(`${entry}.tail`, s);
}

/** embeddedSection, for what a release executable cannot work without (`what` names it in the error). */
export function requiredSection(s: TailSection, entry: string, what: string): Buffer {
  const b = embeddedSection(s, entry);
  if (!b) throw new Error(`the ${what} appended to this executable is missing or damaged: reinstall podlink`);
  return b;
}
