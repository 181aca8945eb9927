// The node's own code cache of the payload, one file per CNI command: the embedded cache holds what the
// build could run without a kernel (cmd/cache-warmup.ts), this one what a real call compiled. The first
// successful call of a command on a node (not a dry run) writes it; later calls load it instead of the
// embedded one. A cache is only an accelerator: one V8 rejects is replaced, and an untrusted one is
// never read. docs/architecture.md#start-up.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Under /run: gone with a reboot, like everything else podlink keeps there. */
export const DEFAULT_CACHE_DIR = '/run/podlink/cache';

/**
 * Owned by us and closed to everyone else, as the native addon's directory is (lib/sys/addon-file.ts):
 * V8 does not verify the bytecode in a cache, so a planted file would run as this process.
 */
function trusted(p: string, dir: boolean): boolean {
  try {
    const st = fs.lstatSync(p);
    return (dir ? st.isDirectory() : st.isFile()) && st.uid === process.geteuid?.() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

export class NodeCodeCache {
  readonly file: string;

  /** `key` names the payload (its sha256) and the command: a cache made by another build is never read. */
  constructor(
    readonly dir: string,
    key: string,
  ) {
    this.file = path.join(dir, `payload-${key}.v8cache`);
  }

  /** The cache's bytes when it exists and can be trusted. */
  read(): Buffer | undefined {
    if (!trusted(this.dir, true) || !trusted(this.file, false)) return undefined;
    try {
      return fs.readFileSync(this.file);
    } catch {
      return undefined;
    }
  }

  /**
   * Replaces the file atomically (temp file, rename); best effort: a failure costs only speed. `data` is
   * called only once the directory is known to be ours: making a cache costs milliseconds.
   */
  write(data: () => Buffer): void {
    try {
      // Not recursive: the parent (/run/podlink) is made by the addon's install before any CNI call
      // gets here, and Node's recursive mkdir never returns on a parent such as /proc (ENOENT, EEXIST, …).
      if (!fs.existsSync(this.dir)) fs.mkdirSync(this.dir, { mode: 0o700 });
      if (!trusted(this.dir, true)) return;
      const tmp = `${this.file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, data(), { mode: 0o600, flag: 'wx' });
        fs.renameSync(tmp, this.file);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    } catch {
      // no cache this time
    }
  }
}
