// Named network namespaces for tests (`ip netns add`), each registered for removal before it is made.
// Node built-ins only: the bench bundles this for its VM guest.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Cleanup } from './cleanup.js';
import { sh, type ShOptions } from './sh.js';
import { PLUGIN_PATH } from './spawn.js';

/** Where `ip netns add NAME` puts the namespace handle. */
export const NETNS_RUN_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_RUN_DIR}/${name}`;
}

export interface NetnsOptions {
  /** Bring lo up. */
  loUp?: boolean;
  /** net.ipv6.conf.default.accept_dad=0, so that no plugin waits for IPv6 DAD (ptp does). */
  noDad?: boolean;
}

/** Creates the named netns (one `ip -batch` for all); fails if one exists. Deletion is registered first. */
export function addNetns(names: string | string[], c?: Cleanup, o: NetnsOptions = {}): void {
  const list = typeof names === 'string' ? [names] : names;
  if (!list.length) return;
  c?.add(`delete netns ${list.length > 1 ? `${list[0]} (+${list.length - 1})` : list[0]}`, () => delNetns(list));
  sh('ip', ['-batch', '-'], { input: list.map((n) => `netns add ${n}\n`).join('') });
  if (o.loUp) for (const n of list) nsIp(n, ['link', 'set', 'lo', 'up']);
  if (o.noDad) sh('ip', ['-batch', '-'], { input: list.map((n) => `netns exec ${n} sysctl -qw net.ipv6.conf.default.accept_dad=0\n`).join('') });
}

/** Deletes the named netns; one that does not exist counts as deleted. */
export function delNetns(names: string | string[]): void {
  const list = (typeof names === 'string' ? [names] : names).filter((n) => existsSync(netnsPath(n)));
  if (!list.length) return;
  // -force: keep going past a netns that vanished meanwhile
  const r = spawnSync('ip', ['-force', '-batch', '-'], { input: list.map((n) => `netns del ${n}\n`).join(''), env: { PATH: PLUGIN_PATH }, encoding: 'utf8' });
  const left = list.filter((n) => existsSync(netnsPath(n)));
  if (left.length) throw new Error(`ip netns del ${left.join(' ')}: ${(r.stderr ?? '').trim() || `exit ${r.status}`}`);
}

/** `ip -n NS ARGS`. */
export function nsIp(ns: string, args: string[], o: ShOptions = {}): string {
  return sh('ip', ['-n', ns, ...args], o);
}

/** `ip -n NS -batch -` with one command per line. */
export function nsBatch(ns: string, lines: string[]): void {
  if (lines.length) sh('ip', ['-n', ns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/** Runs a command inside the netns (`ip netns exec`). */
export function nsExec(ns: string, cmd: string, args: string[], o: ShOptions = {}): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], o);
}

/** sysctl -w in the netns. */
export function nsSysctl(ns: string, settings: string[]): void {
  if (settings.length) nsExec(ns, 'sysctl', ['-qw', ...settings]);
}

export interface LinkInfo {
  ifname: string;
  ifindex: number;
  address: string;
}

export function nsLinks(ns: string): LinkInfo[] {
  return JSON.parse(nsIp(ns, ['-j', 'link', 'show']) || '[]') as LinkInfo[];
}

export function nsLink(ns: string, dev: string): LinkInfo {
  return (JSON.parse(nsIp(ns, ['-j', 'link', 'show', 'dev', dev])) as LinkInfo[])[0]!;
}

/** Named netns a run owns, deleted together (the bench creates hundreds at once). */
export class NetnsSet {
  private owned = new Set<string>();
  constructor(cleanup: Cleanup) {
    cleanup.add('delete network namespaces', () => this.deleteAll());
  }

  create(names: string[], o: NetnsOptions = {}): void {
    for (const n of names) this.owned.add(n);
    addNetns(names, undefined, o);
  }

  delete(names: string[]): void {
    const mine = names.filter((n) => this.owned.has(n));
    for (const n of mine) this.owned.delete(n);
    delNetns(mine);
  }

  deleteAll(): void {
    this.delete([...this.owned]);
  }

  get count(): number {
    return this.owned.size;
  }

  /** Links other than lo in a netns. */
  links(ns: string): string[] {
    return nsLinks(ns).map((l) => l.ifname).filter((n) => n !== 'lo');
  }
}
