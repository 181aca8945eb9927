// mkdir -p that always ends. Node's own `mkdirSync(dir, { recursive: true })` retries for ever where
// mkdir fails with ENOENT under a parent that exists: procfs, and sysfs's /sys/fs/bpf before bpffs is
// mounted on it (Node 20.20: a log file configured as /proc/x/podlink.log hung the CNI call).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Creates dir and any missing parents with mode; an existing directory (or a symlink to one) is fine. */
export function mkdirp(dir: string, mode = 0o755): void {
  if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const parent = path.dirname(dir);
  if (parent !== dir) mkdirp(parent, mode);
  try {
    fs.mkdirSync(dir, { mode });
  } catch (e) {
    // Another process made it meanwhile; a file in the way still fails (stat says what it is).
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw e;
  }
}
