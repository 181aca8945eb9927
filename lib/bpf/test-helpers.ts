// Helpers for privileged tests (not used by library code): throwaway netns, a private bpffs mount,
// shelling out to ip/bpftool to observe, and running synchronous code inside a netns.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C, cstr, type Sys } from '../sys/index.js';

export const isRoot = process.geteuid?.() === 0;

export function sh(cmd: string, args: string[], opts: { allowFail?: boolean } = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

export function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface TestNetns {
  name: string;
  fd: number;
  /** Run a command inside the netns. */
  exec(cmd: string, args: string[], opts?: { allowFail?: boolean }): string;
  ip(...args: string[]): string;
  ifindex(dev: string): number;
  mac(dev: string): string;
  remove(): void;
}

export function createNetns(sys: Sys, name: string): TestNetns {
  sh('ip', ['netns', 'add', name]);
  const fd = sys.open(cstr(`/run/netns/${name}`), C.O_RDONLY, 0);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const exec = (cmd: string, args: string[], opts?: { allowFail?: boolean }) => sh('ip', ['netns', 'exec', name, cmd, ...args], opts);
  const linkJson = (dev: string) => JSON.parse(sh('ip', ['-n', name, '-j', 'link', 'show', 'dev', dev]))[0] as { ifindex: number; address: string };
  let removed = false;
  return {
    name,
    fd,
    exec,
    ip: (...args) => sh('ip', ['-n', name, ...args]),
    ifindex: (dev) => linkJson(dev).ifindex,
    mac: (dev) => linkJson(dev).address,
    remove() {
      if (removed) return;
      removed = true;
      try {
        sys.close(fd);
      } catch {
        // already closed
      }
      sh('ip', ['netns', 'del', name], { allowFail: true });
    },
  };
}

let home: number | undefined;

/** Runs fn (synchronously) with this thread in the netns, then switches back. */
export function inNetns<T>(sys: Sys, ns: TestNetns, fn: () => T): T {
  home ??= sys.open(cstr('/proc/thread-self/ns/net'), C.O_RDONLY, 0);
  sys.setns(ns.fd, C.CLONE_NEWNET);
  try {
    return fn();
  } finally {
    sys.setns(home, C.CLONE_NEWNET);
  }
}

export interface TestBpffs {
  dir: string;
  remove(): void;
}

/** A private bpffs mount in a temp dir (nothing touches /sys/fs/bpf). */
export function privateBpffs(prefix: string): TestBpffs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${process.pid}-`));
  sh('mount', ['-t', 'bpf', 'bpf', dir]);
  return {
    dir,
    remove() {
      sh('umount', [dir], { allowFail: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
