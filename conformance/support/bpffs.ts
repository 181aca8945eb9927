// bpffs for tests: a private bpffs mount (nothing touches /sys/fs/bpf), or a per-test root directory on
// the machine's bpffs; both registered for removal. machineBpffs mounts the machine's one when a fresh
// machine has none (the benches pin under /sys/fs/bpf, as a node does).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBpffs, isBpffs } from '../../lib/bpf/index.js';
import { nativeSys } from '../../lib/sys/index.js';
import type { Cleanup } from './cleanup.js';
import { sh } from './sh.js';

export interface TestBpffs {
  dir: string;
  remove(): void;
}

/** A bpffs mounted on a fresh temp dir; remove() unmounts it (dropping every pin in it) and deletes the dir. */
export function privateBpffs(prefix: string, c?: Cleanup): TestBpffs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${process.pid}-`));
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    sh('umount', [dir], { allowFail: true });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  c?.add(`unmount ${dir}`, remove);
  try {
    sh('mount', ['-t', 'bpf', 'bpf', dir]);
  } catch (e) {
    if (!c) remove();
    throw e;
  }
  return { dir, remove };
}

export const BPFFS = '/sys/fs/bpf';

/** A root directory for one test's pins on the machine's bpffs (not created: podlink makes it). */
export function bpfRoot(name: string, c: Cleanup): string {
  const dir = path.join(BPFFS, name);
  c.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Mounts bpffs at /sys/fs/bpf unless it is there already (a fresh Debian machine has none; on a node
 * `podlink install`, `probe --write` or the first ADD mounts it, with the same ensureBpffs). Registered to be
 * unmounted again, if still empty, when it was this run that mounted it.
 */
export function machineBpffs(c: Cleanup): void {
  if (!ensureBpffs(nativeSys(), { mountPoint: BPFFS }).mounted) return;
  c.add(`unmount ${BPFFS} (this run mounted it)`, () => {
    // maps.debug and progs.debug are the kernel's own (bpf_preload's iterators, made with every mount).
    const ours = fs.readdirSync(BPFFS).filter((n) => n !== 'maps.debug' && n !== 'progs.debug');
    if (isBpffs(BPFFS) && ours.length === 0) sh('umount', [BPFFS]);
  });
}
