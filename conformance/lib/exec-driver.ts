// Network-state snapshots for the conformance suite: the proof of "nothing left behind" and of
// byte-identical --dry-run behaviour, read through iproute2's JSON output. Running a plugin the way a
// runtime does (conformance/support/spawn.ts) and the netns helpers (support/netns.ts) live in the
// test-support module; like them, this imports no podlink code (the driver must stay independent of
// the thing it tests).
//
// Why our own driver next to cnitool: libcni 1.1.2 (Debian 12) cannot send
// GC or STATUS, cannot omit required variables, and always rewrites the
// config; the spec's 1.1.0 paths and the error paths need raw control.

import { existsSync } from 'node:fs';
import { netnsPath } from '../support/netns.js';
import { sh } from '../support/sh.js';

// ---------------------------------------------------------------- snapshots

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Network state of one namespace, volatile fields removed. */
export interface NsSnapshot {
  links: Json[];
  addrs: Json[];
  routes4: Json[];
  routes6: Json[];
  /** Static (PERMANENT/NOARP) entries only, unless dynamicNeigh was asked for. */
  neigh: Json[];
}

export interface Snapshot {
  host: NsSnapshot;
  /** Per requested netns name; null when that netns does not exist. */
  netns: Record<string, NsSnapshot | null>;
}

export interface SnapshotOptions {
  /** Keep neighbour entries learnt from traffic (REACHABLE, STALE, ...). Default false:
   *  they come and go with unrelated traffic and would make comparisons flaky. */
  dynamicNeigh?: boolean;
  /** Take `host` from this named netns (see RunPluginOptions.hostNetns). */
  hostNetns?: string;
}

/** Keys whose values change without anyone touching the configuration. */
const VOLATILE_KEYS = new Set(['stats', 'stats64', 'expires', 'used', 'confirmed', 'updated', 'probes']);
const FOREVER = 4294967295;

function stripVolatile(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) {
    if (VOLATILE_KEYS.has(k) || k.endsWith('_timer')) continue; // bridge/bond timers
    if ((k === 'valid_life_time' || k === 'preferred_life_time') && x !== FOREVER) {
      out[k] = 'dynamic'; // counts down every second; only "forever or not" is state
      continue;
    }
    out[k] = stripVolatile(x);
  }
  return out;
}

const STATIC_NUD = new Set(['PERMANENT', 'NOARP']);

function isStaticNeigh(entry: Json): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const state = entry['state'];
  return Array.isArray(state) && state.some((s) => typeof s === 'string' && STATIC_NUD.has(s));
}

function ipJson(netns: string | null, args: string[]): Json[] {
  const full = netns === null ? ['-j', ...args] : ['-n', netns, '-j', ...args];
  const text = sh('ip', full, { timeoutMs: 30_000 }).trim();
  if (text === '') return [];
  const parsed = JSON.parse(text) as Json;
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Snapshot one namespace (null = the driver's own, i.e. the host). */
export function snapshotNs(netns: string | null, opts: SnapshotOptions = {}): NsSnapshot {
  const neigh = ipJson(netns, ['neigh', 'show', 'nud', 'all']);
  return {
    links: stripVolatile(ipJson(netns, ['-d', 'link', 'show'])) as Json[],
    addrs: stripVolatile(ipJson(netns, ['addr', 'show'])) as Json[],
    routes4: stripVolatile(ipJson(netns, ['-4', 'route', 'show', 'table', 'all'])) as Json[],
    routes6: stripVolatile(ipJson(netns, ['-6', 'route', 'show', 'table', 'all'])) as Json[],
    neigh: stripVolatile(opts.dynamicNeigh ? neigh : neigh.filter(isStaticNeigh)) as Json[],
  };
}

/** Snapshot the host and the given named netns (missing ones map to null). */
export function snapshot(netnsNames: string[], opts: SnapshotOptions = {}): Snapshot {
  const netns: Record<string, NsSnapshot | null> = {};
  for (const name of netnsNames) {
    netns[name] = existsSync(netnsPath(name)) ? snapshotNs(name, opts) : null;
  }
  return { host: snapshotNs(opts.hostNetns ?? null, opts), netns };
}

/** Canonical text of a snapshot, for byte-identical comparisons and fixtures. */
export function snapshotText(s: Snapshot): string {
  return JSON.stringify(s, null, 1) + '\n';
}

/** Human-readable differences between two snapshots ("" paths = root); empty when equal. */
export function diffSnapshots(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (a === b) return out;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path || '.'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
    return out;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    const label = Array.isArray(a) ? `${path}[${labelOf(ao[k] ?? bo[k], k)}]` : `${path}.${k}`;
    if (!(k in ao)) out.push(`${label}: added ${JSON.stringify(bo[k])}`);
    else if (!(k in bo)) out.push(`${label}: removed ${JSON.stringify(ao[k])}`);
    else diffSnapshots(ao[k], bo[k], label, out);
  }
  return out;
}

/** Name array elements by ifname/dst when they have one, so diffs read well. */
function labelOf(v: unknown, index: string): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o['ifname'] === 'string') return `${index}:${o['ifname']}`;
    if (typeof o['dst'] === 'string') return `${index}:${o['dst']}`;
  }
  return index;
}
