// lib/netns: network namespaces by fd. Switching is per OS thread and synchronous: never await while
// switched. A CNI call never starts libuv's thread pool either (no async fs, dns, crypto or zlib: its
// first request would create the pool's threads in whatever netns the main thread is in, for good);
// thread-pool.test.ts holds the modules a CNI call runs to that. May import: lib/sys, lib/netlink.
import * as fs from 'node:fs';
import * as C from '../sys/constants.js';
import { E, Errno, cstr, type Sys } from '../sys/index.js';
import { Netlink } from '../netlink/index.js';

export class NetnsError extends Error {
  step?: string;
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'NetnsError';
    this.hint = hint;
  }
}

let hostFd: number | undefined;

/** An fd for the netns the main thread started in (the runtime's netns). */
export function hostNetnsFd(sys: Sys): number {
  hostFd ??= sys.open(cstr('/proc/thread-self/ns/net'), C.O_RDONLY, 0);
  return hostFd;
}

/** Runs `fn` synchronously with the calling thread inside `nsFd`, and always switches back. */
export function inNetns<T>(sys: Sys, nsFd: number, fn: () => T): T {
  const home = hostNetnsFd(sys);
  sys.setns(nsFd, C.CLONE_NEWNET);
  try {
    const r = fn();
    if (r instanceof Promise) throw new Error('inNetns: fn must be synchronous (libuv threads would run in the wrong netns)');
    return r;
  } finally {
    sys.setns(home, C.CLONE_NEWNET);
  }
}

/** A netlink client whose socket lives in `nsFd` (a socket's netns is fixed when it is created). */
export function netlinkIn(sys: Sys, nsFd: number): Netlink {
  return inNetns(sys, nsFd, () => Netlink.open(sys));
}

export interface NetnsHandle {
  fd: number;
  path: string;
  close(): void;
}

/**
 * Opens a netns by path and proves it is one (setns succeeds). Missing path → NetnsError with
 * `missing: true`; a file that is not a netns → NetnsError.
 */
export function openNetns(sys: Sys, path: string): NetnsHandle {
  let fd: number;
  try {
    fd = sys.open(cstr(path), C.O_RDONLY, 0);
  } catch (e) {
    if (e instanceof Errno && (e.errno === E.ENOENT || e.errno === E.ENOTDIR)) {
      throw Object.assign(new NetnsError(`netns ${path} does not exist`, 'the container may have been deleted'), { missing: true });
    }
    throw e;
  }
  try {
    inNetns(sys, fd, () => undefined);
  } catch (e) {
    sys.close(fd);
    if (e instanceof Errno && e.errno === E.EINVAL)
      throw new NetnsError(
        `${path} is not a network namespace`,
        'CNI_NETNS must name a netns file such as /var/run/netns/<id> or /proc/<pid>/ns/net',
      );
    throw e;
  }
  let closed = false;
  return {
    fd,
    path,
    close() {
      if (!closed) {
        closed = true;
        sys.close(fd);
      }
    },
  };
}

/** True when both paths name the same namespace (same nsfs inode). */
export function sameNetns(a: string, b: string): boolean {
  const x = fs.statSync(a);
  const y = fs.statSync(b);
  return x.ino === y.ino && x.dev === y.dev;
}

/** A fresh anonymous netns held only by the returned fd (for feature probes). */
export function createAnonymousNetns(sys: Sys): number {
  const home = hostNetnsFd(sys);
  sys.unshare(C.CLONE_NEWNET);
  try {
    return sys.open(cstr('/proc/thread-self/ns/net'), C.O_RDONLY, 0);
  } finally {
    sys.setns(home, C.CLONE_NEWNET);
  }
}
