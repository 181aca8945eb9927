// bpffs: is a path on it, mount it if needed, and make pin directories. May import: lib/sys, lib/util, ./consts.
import * as fs from 'node:fs';
import { cstr, type Sys } from '../sys/index.js';
import { mkdirp } from '../util/index.js';
import { BPF_FS_MAGIC } from './consts.js';
import { BpfError } from './errors.js';

export const DEFAULT_BPFFS = '/sys/fs/bpf';

/** statfs(path).f_type is bpffs. False when the path does not exist. */
export function isBpffs(path: string): boolean {
  try {
    return fs.statfsSync(path).type === BPF_FS_MAGIC;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

export interface EnsureBpffsOptions {
  /** Where bpffs is (to be) mounted. */
  mountPoint?: string;
  /** Directories to create on it (absolute, or relative to mountPoint). */
  dirs?: string[];
}

/**
 * The kernel has bpffs (`nodev\tbpf` in /proc/filesystems), mounted yet or not. The probe records this, not
 * whether /sys/fs/bpf is mounted at that moment: the first ADD or `podlink install` mounts it, and a mode file
 * written before that must not read differently from one written after.
 */
export function kernelHasBpffs(filesystems = '/proc/filesystems'): boolean {
  try {
    return fs
      .readFileSync(filesystems, 'utf8')
      .split('\n')
      .some((l) => l.split('\t')[1] === 'bpf');
  } catch {
    return false;
  }
}

/** Mounts bpffs at mountPoint unless it is already bpffs, then creates dirs. Returns whether it mounted. */
export function ensureBpffs(sys: Sys, opts: EnsureBpffsOptions = {}): { mounted: boolean } {
  const mountPoint = opts.mountPoint ?? DEFAULT_BPFFS;
  let mounted = false;
  if (!isBpffs(mountPoint)) {
    try {
      mkdirp(mountPoint);
      sys.mount(cstr('bpffs'), cstr(mountPoint), cstr('bpf'), 0);
      mounted = true;
    } catch (e) {
      throw new BpfError(`mount bpffs at ${mountPoint}`, (e as Error).message, {
        errno: (e as { errno?: number }).errno,
        hint: 'needs root in the host mount namespace (or mount bpffs on the node: /sys/fs/bpf)',
        cause: e,
      });
    }
  }
  for (const d of opts.dirs ?? []) ensurePinDir(d.startsWith('/') ? d : `${mountPoint}/${d}`);
  return { mounted };
}

/** mkdir -p on bpffs. */
export function ensurePinDir(dir: string): void {
  try {
    mkdirp(dir, 0o700);
  } catch (e) {
    throw new BpfError(`create pin directory ${dir}`, (e as Error).message, { cause: e });
  }
}
