// A test netns with an open fd, for tests that drive podlink's library from inside it (setns), and
// ip helpers bound to its name. Imports lib/sys (native): the bench's VM bundle must not import this.
import * as C from '../../lib/sys/constants.js';
import { cstr, type Sys } from '../../lib/sys/index.js';
import type { Cleanup } from './cleanup.js';
import { addNetns, delNetns, nsExec, nsIp, nsLink } from './netns.js';
import type { ShOptions } from './sh.js';

export interface TestNetns {
  name: string;
  fd: number;
  /** Run a command inside the netns. */
  exec(cmd: string, args: string[], opts?: ShOptions): string;
  ip(...args: string[]): string;
  ifindex(dev: string): number;
  mac(dev: string): string;
  remove(): void;
}

/** A named netns with lo up and an fd held open; remove() (registered with c when given) closes and deletes. */
export function createNetns(sys: Sys, name: string, c?: Cleanup): TestNetns {
  addNetns(name, undefined, { loUp: true });
  let fd = -1;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    if (fd >= 0) {
      try {
        sys.close(fd);
      } catch {
        // already closed
      }
    }
    delNetns(name);
  };
  c?.add(`delete netns ${name}`, remove);
  try {
    fd = sys.open(cstr(`/run/netns/${name}`), C.O_RDONLY, 0);
  } catch (e) {
    if (!c) remove();
    throw e;
  }
  return {
    name,
    fd,
    exec: (cmd, args, opts) => nsExec(name, cmd, args, opts),
    ip: (...args) => nsIp(name, args),
    ifindex: (dev) => nsLink(name, dev).ifindex,
    mac: (dev) => nsLink(name, dev).address,
    remove,
  };
}

let home: number | undefined;

/** Runs fn (synchronously) with this thread in the netns, then switches back. */
export function inNetns<T>(sys: Sys, ns: { fd: number }, fn: () => T): T {
  home ??= sys.open(cstr('/proc/thread-self/ns/net'), C.O_RDONLY, 0);
  sys.setns(ns.fd, C.CLONE_NEWNET);
  try {
    return fn();
  } finally {
    sys.setns(home, C.CLONE_NEWNET);
  }
}
