// One timed call, how contenders are interleaved, and the reductions applied to samples.
import { quantile } from '../stats.js';

export interface Sample {
  id: string;
  ms: number;
  /** The kernel floor's own part times (floor.c), ms. */
  parts?: Record<string, number>;
}

/** Rotating interleave: step i runs contender (i + j) mod k for j = 0…k−1. */
export function rotation<T>(items: readonly T[], i: number): T[] {
  return items.map((_, j) => items[(i + j) % items.length]!);
}

export const ms = (s: Sample[]) => s.map((x) => x.ms);

export const p50 = (xs: number[]) => quantile(xs, 0.5);
