// What podlink can leave behind on a node, as one comparable inventory: kernel objects in the node
// netns (links, addresses, routes of every table, permanent neighbours, optionally qdiscs), links in
// pod netns, BPF pins under the bpfRoot, endpoint records and every other file under the stateDir,
// IPAM allocations, and any extra directories a test watches (a fake IPAM's store, a sentinel dir).
// diffInventory() names every difference, so "nothing left" is `diff == []`.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Testbed } from '../integration/testbed.js';

const pexec = promisify(execFile);

export interface Inventory {
  links: string[];
  addrs: string[];
  routes: string[];
  neigh: string[];
  qdiscs: string[];
  podLinks: string[];
  /** Per-endpoint pins (links/<host ifname>/…) and anything else not node-level. */
  pins: string[];
  /** Node-level pins: the programs and shared maps, loaded once per node by the first ADD, kept. */
  nodePins: string[];
  stateFiles: string[];
  ipamFiles: string[];
  extraFiles: string[];
}

export interface InventoryOptions {
  /** Pod netns whose links (other than lo) count too. */
  pods?: string[];
  /** More directories whose files count (recursive). */
  extraDirs?: string[];
  /** Also list qdiscs (one more process per call). */
  qdiscs?: boolean;
}

/** Pins that belong to the node, not to one endpoint (and the empty links/ dir that holds the rest). */
const NODE_PIN = /^(progs|maps)\/|^links\/$/;

/** host-local's own bookkeeping, present whether or not anything is allocated. */
const IPAM_BOOKKEEPING = /^(lock|last_reserved_ip\.\d+)$/;

/** Every file and directory under dir, relative, sorted; [] when dir does not exist. */
export function listTree(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(path.join(d, e.name), r);
      } else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

async function ipJson(ns: string, family: '-4' | '-6' | '', lines: string[]): Promise<unknown[][]> {
  const args = ['-n', ns, '-d', '-j', ...(family ? [family] : []), '-batch', '-'];
  const child = pexec('ip', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(`${lines.join('\n')}\n`);
  const { stdout } = await child;
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown[]);
}

type Obj = Record<string, unknown>;
const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));

async function nodeNet(ns: string): Promise<Pick<Inventory, 'links' | 'addrs' | 'routes' | 'neigh'>> {
  const [[links, addrs, routes4, neigh], [routes6]] = await Promise.all([
    ipJson(ns, '', ['link show', 'addr show', 'route show table all', 'neigh show nud permanent']),
    ipJson(ns, '-6', ['route show table all']),
  ]);
  const linkOut = (links as Obj[]).filter((l) => l.ifname !== 'lo').map((l) => `${s(l.ifname)} ${s((l.linkinfo as Obj | undefined)?.info_kind)}`.trim());
  const addrOut: string[] = [];
  for (const l of addrs as Obj[]) {
    for (const a of (l.addr_info as Obj[] | undefined) ?? []) addrOut.push(`${s(l.ifname)} ${s(a.local)}/${s(a.prefixlen)}`);
  }
  const routeOut = [...(routes4 as Obj[]), ...(routes6 as Obj[])].map((r) =>
    [s(r.table) || 'main', s(r.type), s(r.dst), s(r.gateway) && `via ${s(r.gateway)}`, s(r.dev) && `dev ${s(r.dev)}`, s(r.scope)].filter(Boolean).join(' '),
  );
  const neighOut = (neigh as Obj[]).map((n) => `${s(n.dst)} dev ${s(n.dev)} lladdr ${s(n.lladdr)}`);
  return { links: linkOut.sort(), addrs: addrOut.sort(), routes: routeOut.sort(), neigh: neighOut.sort() };
}

async function podLinks(pods: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of pods) {
    if (!fs.existsSync(`/run/netns/${p}`)) continue;
    const [links] = await ipJson(p, '', ['link show']);
    for (const l of links as Obj[]) if (l.ifname !== 'lo') out.push(`${p}: ${s(l.ifname)}`);
  }
  return out.sort();
}

async function qdiscs(ns: string): Promise<string[]> {
  const { stdout } = await pexec('tc', ['-n', ns, '-j', 'qdisc', 'show'], { encoding: 'utf8' });
  const list = stdout.trim() ? (JSON.parse(stdout) as Obj[]) : [];
  return list.map((q) => `${s(q.dev)} ${s(q.kind)} ${s(q.handle)} ${s(q.parent)}`).sort();
}

/** Takes the inventory of one testbed. The log file and the mode file are the node's, not leaks. */
export async function inventory(bed: Testbed, o: InventoryOptions = {}): Promise<Inventory> {
  const pins = listTree(bed.bpfRoot);
  const [net, pods, qd] = await Promise.all([nodeNet(bed.node), podLinks(o.pods ?? []), o.qdiscs ? qdiscs(bed.node) : Promise.resolve([])]);
  return {
    ...net,
    qdiscs: qd,
    podLinks: pods,
    pins: pins.filter((p) => !NODE_PIN.test(p)),
    nodePins: pins.filter((p) => NODE_PIN.test(p)),
    stateFiles: listTree(bed.stateDir).filter((f) => f !== 'endpoints/'),
    ipamFiles: listTree(bed.ipamDir).filter((f) => !f.endsWith('/') && !IPAM_BOOKKEEPING.test(path.basename(f))),
    extraFiles: (o.extraDirs ?? []).flatMap((d) => listTree(d).map((f) => `${d}/${f}`)),
  };
}

/** Every difference between two inventories, as "category: +item" / "category: -item". */
export function diffInventory(before: Inventory, after: Inventory, ignore: readonly (keyof Inventory)[] = []): string[] {
  const out: string[] = [];
  for (const k of Object.keys(before) as (keyof Inventory)[]) {
    if (ignore.includes(k)) continue;
    const a = new Set(before[k]);
    const b = new Set(after[k]);
    for (const x of b) if (!a.has(x)) out.push(`${k}: +${x}`);
    for (const x of a) if (!b.has(x)) out.push(`${k}: -${x}`);
  }
  return out;
}

/** Counts per category, for growth tracking in the soak. */
export function counts(inv: Inventory): Record<keyof Inventory, number> {
  const out = {} as Record<keyof Inventory, number>;
  for (const k of Object.keys(inv) as (keyof Inventory)[]) out[k] = inv[k].length;
  return out;
}
