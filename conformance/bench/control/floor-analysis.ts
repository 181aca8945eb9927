// The kernel floor reduced per round (its own part times, floor.c), the burst ratios, and the ratio
// lines of the last run before issue #18 (README, 2026-11-28) to print beside the new ones.
import { p50 } from './samples.js';
import type { Measurements } from './record.js';
import type { TputRun } from './throughput.js';

export const BURST_CONCURRENCY = 8;

/**
 * The last run before #18 measured no floor: its ADD and DEL lines had no kernel term. Its CHECK line
 * was informational, (88.7 − 36.7) ÷ 19.5; it had no burst lines.
 */
export const BEFORE = {
  add: '3.87 without the floor term',
  del: '1.60 without the floor term',
  check: '2.67',
  rss: '74',
  cpu: '90',
  burst: undefined,
  scaling: '1.13',
  cold: '1.06',
  version: '0.99',
};

/** Per round (latency rounds: one at a time; throughput: concurrency 8), p50 of each part, ms. */
export interface FloorRounds {
  /** ADD: the pair (one RTM_NEWLINK) + the attach (program opened, two tcx links created and pinned) */
  add: number[];
  pair: number[];
  attach: number[];
  /** DEL of a pair with pinned links (device deleted, pins removed), and of a plain pair */
  del: number[];
  plainDel: number[];
  /** what the links add to a plain veth delete: del − plainDel */
  delExtra: number[];
  /** the same at concurrency 8 (burst runs); no plain pair there */
  c8: { add: number[]; pair: number[]; attach: number[]; del: number[] };
}

const partP50 = (parts: (Record<string, number> | undefined)[], f: (p: Record<string, number>) => number) =>
  p50(parts.flatMap((p) => (p ? [f(p)] : [])).filter(Number.isFinite));

export function floorPerRound(m: Measurements): FloorRounds {
  const of = (op: 'ADD' | 'DEL', k: 'floor' | 'floor plain', f: (p: Record<string, number>) => number) =>
    m.lat.map((l) => partP50(l.ops[op][k].map((s) => s.parts), f));
  const del = of('DEL', 'floor', (p) => p.del!);
  const plainDel = of('DEL', 'floor plain', (p) => p.del!);
  const c8 = m.tput.filter((t) => t.plugin === 'floor' && t.concurrency === BURST_CONCURRENCY);
  const c8of = (f: (t: TputRun) => number) => c8.map(f);
  return {
    add: of('ADD', 'floor', (p) => p.pair! + p.attach!),
    pair: of('ADD', 'floor', (p) => p.pair!),
    attach: of('ADD', 'floor', (p) => p.attach!),
    del,
    plainDel,
    delExtra: del.map((d, r) => d - plainDel[r]!),
    c8: {
      add: c8of((t) => partP50(t.addParts ?? [], (p) => p.pair! + p.attach!)),
      pair: c8of((t) => partP50(t.addParts ?? [], (p) => p.pair!)),
      attach: c8of((t) => partP50(t.addParts ?? [], (p) => p.attach!)),
      del: c8of((t) => partP50(t.delParts ?? [], (p) => p.del!)),
    },
  };
}

/** Per round: podlink's batch wall at concurrency 8 ÷ (the floor's + ptp's). */
export function burstRatios(tput: TputRun[], f: 'addSeconds' | 'delSeconds'): number[] {
  const rounds = [...new Set(tput.map((t) => t.round))];
  const wall = (r: number, p: TputRun['plugin']) => tput.find((t) => t.round === r && t.plugin === p && t.concurrency === BURST_CONCURRENCY)?.[f] ?? NaN;
  return rounds.map((r) => wall(r, 'podlink') / (wall(r, 'floor') + wall(r, 'ptp')));
}
