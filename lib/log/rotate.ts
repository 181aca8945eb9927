// lib/log/rotate: size-based rotation of one log file (file → file.1 → … → file.<keep>).
// Several plugin processes share the file, so rotation takes a lock file and re-checks the size
// under it: only one process rotates, the others keep appending. May import: node:fs, node:path.
import { closeSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';

/** A lock older than this is left over from a crashed process. */
const STALE_LOCK_MS = 10_000;

function tryLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx', 0o600));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) unlinkSync(lock);
    } catch {
      // someone else cleaned it up
    }
    return false;
  }
}

/** Rotate `file` if it is at least maxBytes. Returns true when this call rotated it. */
export function rotateIfNeeded(file: string, maxBytes: number, keep: number): boolean {
  const lock = `${file}.lock`;
  if (!tryLock(lock)) return false;
  try {
    if (statSync(file).size < maxBytes) return false; // another process already rotated
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    renameSync(file, `${file}.1`);
    return true;
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // already gone
    }
  }
}
