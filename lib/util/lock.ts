// A cross-process lock file (O_CREAT|O_EXCL holding the owner's pid). Node has no flock(2); a lock whose
// owner process is gone is stale and is taken over, so a SIGKILLed holder never wedges the node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeFile } from './atomic-file.js';
import { mkdirp } from './mkdirp.js';

export class LockTimeoutError extends Error {
  hint?: string;
  constructor(file: string, owner: string) {
    super(`timed out waiting for lock ${file} (held by pid ${owner})`);
    this.name = 'LockTimeoutError';
    this.hint = 'another podlink is busy; retry';
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Runs fn while holding the lock. Synchronous waiting keeps it usable from sync code. */
export function withLock<T>(file: string, fn: () => T, timeoutMs = 30_000): T {
  mkdirp(path.dirname(file));
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = '';
      try {
        owner = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // released between our open and read
      }
      if (owner !== '' && !alive(Number(owner))) {
        // Stale: rename it away atomically so that only one contender removes it.
        const stale = `${file}.stale.${process.pid}`;
        try {
          fs.renameSync(file, stale);
          const now = fs.readFileSync(stale, 'utf8');
          if (now === owner) removeFile(stale);
          else {
            // We moved a lock that was taken meanwhile: put it back without clobbering a newer one.
            try {
              fs.linkSync(stale, file);
            } finally {
              removeFile(stale);
            }
          }
        } catch {
          // someone else handled it
        }
        continue;
      }
      if (Date.now() > deadline) throw new LockTimeoutError(file, owner || '?');
      sleepMs(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return fn();
  } finally {
    removeFile(file); // not fs.rmSync: its first use loads Node's rimraf (~0.4 ms a call)
  }
}
