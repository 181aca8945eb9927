// Anonymous scratch files for a delegated plugin's stdin, stdout and stderr. A started plugin (see
// startIpam) must see EOF on stdin and be able to write its answer while we are blocked in syscalls
// and our event loop does not run, which pipes cannot promise: files can, and cost no stream machinery.
// memfd_create gives them in memory; an O_TMPFILE in the temp directory (three of them cost an ADD
// 0.3-0.4 ms on ext4) is the fallback where it fails (a seccomp filter, a fake Sys in tests).
// May import: node builtins, ../sys.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cstr, type Sys } from '../sys/index.js';

// open(2): O_TMPFILE is __O_TMPFILE | O_DIRECTORY (include/uapi/asm-generic/fcntl.h); Node has no
// constant for it. The file has no name, so nothing is left behind whatever happens to us.
const O_TMPFILE = 0o20000000 | fs.constants.O_DIRECTORY;

/** os.tmpdir()'s rule, without loading node:os on every CNI call for it. */
function tmpDir(): string {
  const d = process.env.TMPDIR || process.env.TMP || process.env.TEMP || '/tmp';
  return d.length > 1 && d.endsWith('/') ? d.slice(0, -1) : d;
}

const MEMFD_NAME = cstr('podlink-ipam');

export function scratchFile(sys?: Sys, dir: string = tmpDir()): number {
  if (sys) {
    try {
      return sys.memfd(MEMFD_NAME);
    } catch {
      // fall back to the temp directory
    }
  }
  try {
    return fs.openSync(dir, O_TMPFILE | fs.constants.O_RDWR, 0o600);
  } catch {
    // A filesystem without O_TMPFILE: a private name, unlinked at once.
    const p = path.join(dir, `.podlink-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    fs.unlinkSync(p);
    return fd;
  }
}

/** A scratch file holding `data` for a child to read from offset 0 (pwrite: our offset stays at 0). */
export function scratchInput(data: string, sys?: Sys): number {
  const fd = scratchFile(sys);
  const b = Buffer.from(data);
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off, off);
  return fd;
}

/** Everything written to a scratch file, up to `max` bytes (undefined when it holds more). */
export function scratchContents(fd: number, max: number): Buffer | undefined {
  const size = fs.fstatSync(fd).size;
  if (size > max) return undefined;
  const b = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, b, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return b.subarray(0, off);
}
