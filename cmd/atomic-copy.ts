// Copying an executable into place atomically (temp file in the same dir, fsync, rename: a running
// copy is never rewritten, so "text file busy" cannot happen) and finding the running executable.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSea } from 'node:sea';
import { StepError, type Progress } from './step-report.js';
import { mkdirp } from '../lib/util/index.js';

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // a directory fsync failure does not undo the rename
  }
}

// ---------------------------------------------------------------------------------------------------
// The binary.

const CHUNK = 1 << 20;

/**
 * The executable is written 64 KiB at a time: the page cache makes a folio as large as the write
 * (up to 2 MiB), and since 6.18 a page fault maps the whole large folio, so a file written in big
 * writes is mapped whole into every podlink call (~29 MiB more peak RSS for the same work). 64 KiB is
 * what fault-around maps anyway. docs/kernel.md#page-cache-folios.
 */
export const EXECUTABLE_WRITE = 64 << 10;

/** Writes buf[0, n) to fd in writes of at most EXECUTABLE_WRITE bytes. */
export function writeExecutableBytes(fd: number, buf: Uint8Array, n = buf.length): void {
  for (let off = 0; off < n;) off += fs.writeSync(fd, buf, off, Math.min(EXECUTABLE_WRITE, n - off));
}

/** Writes a new executable file (mode 0755) the way `podlink install` does; it must not exist. */
export function writeExecutableFile(file: string, image: Uint8Array): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o755);
  try {
    writeExecutableBytes(fd, image);
  } finally {
    fs.closeSync(fd);
  }
}

/** True when both files have the same bytes (or are the same file). */
export function sameFileContent(a: string, b: string): boolean {
  let sb: fs.Stats;
  try {
    sb = fs.statSync(b);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false; // not there (yet)
    throw e;
  }
  const sa = fs.statSync(a);
  if (sa.dev === sb.dev && sa.ino === sb.ino) return true;
  if (!sb.isFile() || sa.size !== sb.size) return false;
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; pos < sa.size;) {
      const n = fs.readSync(fa, ba, 0, CHUNK, pos);
      const m = fs.readSync(fb, bb, 0, n, pos);
      if (n === 0 || m !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
      pos += n;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

/**
 * Copies src to dest atomically: a temp file in dest's directory, fsync, chmod 0755, rename, fsync the
 * directory. dest is never opened for writing, so a running podlink (the old inode) is never touched
 * and there is no "text file busy".
 */
export function copyFileAtomic(src: string, dest: string, progress?: Progress): void {
  const dir = path.dirname(dest);
  mkdirp(dir);
  const tmp = path.join(dir, `.${path.basename(dest)}.${process.pid}.${Date.now()}.tmp`);
  const fi = fs.openSync(src, 'r');
  let fo: number | undefined;
  try {
    const size = fs.fstatSync(fi).size;
    fo = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o700);
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    for (;;) {
      const n = fs.readSync(fi, buf, 0, CHUNK, done);
      if (n === 0) break;
      writeExecutableBytes(fo, buf, n);
      done += n;
      progress?.update(done, size);
    }
    fs.fchmodSync(fo, 0o755);
    fs.fsyncSync(fo);
    fs.closeSync(fo);
    fo = undefined;
    fs.renameSync(tmp, dest);
  } catch (e) {
    if (fo !== undefined) fs.closeSync(fo);
    fs.rmSync(tmp, { force: true });
    throw e;
  } finally {
    fs.closeSync(fi);
    progress?.done();
  }
  fsyncDir(dir);
}

/** The executable to install: this one when it is the packaged binary (a Node single executable). */
export function runningExecutable(): string {
  let sea = false;
  try {
    sea = isSea();
  } catch {
    sea = false;
  }
  if (!sea) {
    throw new StepError(
      'find the podlink executable',
      `this podlink runs under ${path.basename(process.execPath)} (${process.execPath}), not as the packaged executable`,
      'run dist/podlink install, or pass --source dist/podlink',
    );
  }
  return process.execPath;
}

// ---------------------------------------------------------------------------------------------------
// The network configuration.
