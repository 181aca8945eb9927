// Atomic file replace: write a temp file in the same directory, fsync, rename, fsync the directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mkdirp } from './mkdirp.js';

/**
 * `durable: false` skips the fsyncs: the rename alone is atomic against a killed process (the page
 * cache survives it), which is all endpoint records need; they describe state a reboot destroys anyway.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644, durable = true): void {
  const dir = path.dirname(file);
  mkdirp(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    removeFile(tmp);
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    removeFile(tmp);
    throw e;
  }
  if (!durable) return;
  try {
    const dfd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // a directory fsync failure does not undo the rename
  }
}

/** Removes a file; a missing file is success. Returns true if something was removed. */
export function removeFile(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
