// Installs the native addon's bytes into a root-owned 0700 directory under a content-hash name and
// verifies owner, mode and content before it may be dlopen'ed. Never uses a predictable /tmp path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../util/sha256.js';
import { mkdirp } from '../util/mkdirp.js';
import { noteNodeSetup } from '../util/node-setup.js';

export class AddonSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddonSecurityError';
  }
}

export function addonHash(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

/** The directory's own lstat, made (recursively, 0700) only when it is missing: once per node. */
function libDirStats(dir: string): fs.Stats {
  try {
    return fs.lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirp(dir, 0o700);
  return fs.lstatSync(dir);
}

function assertSafeDir(dir: string, uid: number): void {
  const st = libDirStats(dir);
  if (!st.isDirectory()) throw new AddonSecurityError(`native addon dir ${dir} is not a directory (symlink or file planted?)`);
  if (st.uid !== uid)
    throw new AddonSecurityError(`native addon dir ${dir} is owned by uid ${st.uid}, expected ${uid}; remove it and retry`);
  if ((st.mode & 0o077) !== 0)
    throw new AddonSecurityError(`native addon dir ${dir} has mode ${(st.mode & 0o777).toString(8)}, expected 700; remove it and retry`);
}

/**
 * Returns the path of a verified copy of `bytes` inside `dir`, creating it if needed.
 * A file that exists under the hash name but differs in owner, mode or content is refused, not replaced:
 * it was planted or corrupted, and an operator must look at it.
 */
export function installAddon(bytes: Uint8Array, dir: string, uid = process.geteuid?.() ?? 0, knownHash?: string): string {
  assertSafeDir(dir, uid);
  const parent = path.dirname(dir);
  const pst = fs.lstatSync(parent);
  if ((pst.mode & 0o002) !== 0 && (pst.mode & 0o1000) === 0) {
    throw new AddonSecurityError(`native addon dir's parent ${parent} is world-writable; choose another lib dir`);
  }
  // The build knows the hash; hashing 20 kB in cold JavaScript would cost every call milliseconds.
  const hash = knownHash ?? addonHash(bytes);
  const file = path.join(dir, `podlink_sys-${hash.slice(0, 32)}.node`);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!st) {
    noteNodeSetup('installed the native addon');
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o500);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    st = fs.lstatSync(file);
  }
  if (!st.isFile()) throw new AddonSecurityError(`native addon ${file} is not a regular file; remove it`);
  if (st.uid !== uid) throw new AddonSecurityError(`native addon ${file} is owned by uid ${st.uid}, expected ${uid}; remove it`);
  if ((st.mode & 0o022) !== 0)
    throw new AddonSecurityError(`native addon ${file} is group/world-writable (mode ${(st.mode & 0o777).toString(8)}); remove it`);
  // Byte for byte against the embedded copy: stronger than a hash, and a native memcmp.
  if (!fs.readFileSync(file).equals(bytes))
    throw new AddonSecurityError(`native addon ${file} does not match its content hash (planted or corrupt); remove it`);
  return file;
}
