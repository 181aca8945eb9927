// A datapath ratio: one value per repetition (the topologies of a repetition run back to back), its
// spread, and the verdict against a target that is a floor (≥, throughput) or a ceiling (≤, latency, CPU).
import { round, spreadOf, verdictAtMost, type Spread, type Verdict } from '../stats.js';

export type Direction = 'atLeast' | 'atMost';

export interface Ratio {
  name: string;
  formula: string;
  direction: Direction;
  /** NaN: informational, no verdict */
  target: number;
  perRep: number[];
  spread: Spread;
  verdict: Verdict;
  /** printed beside this ratio (e.g. the upper-stack path under the same load); no verdict of its own */
  beside?: { name: string; perRep: number[]; spread: Spread };
  /** the two cases divided (numerator, denominator), for leaving out lines whose cases did not run */
  cases?: [string, string];
}

/** PASS when the median's interval (lo…hi, min…max up to 5 repetitions) meets the floor, MISS when it lies wholly below, NOISY when it straddles it. */
export function verdictAtLeast(s: Spread, target: number): Verdict {
  if (!Number.isFinite(s.lo) || !Number.isFinite(s.hi)) return 'N/A';
  if (s.lo >= target) return 'PASS';
  if (s.hi < target) return 'MISS';
  return 'NOISY';
}

export function verdictOf(s: Spread, direction: Direction, target: number): Verdict {
  if (!Number.isFinite(target)) return 'N/A';
  return direction === 'atLeast' ? verdictAtLeast(s, target) : verdictAtMost(s, target);
}

/** Per-repetition quotient of two metrics; a missing or non-positive denominator gives NaN. */
export function quotients(num: readonly number[], den: readonly number[]): number[] {
  const n = Math.min(num.length, den.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(den[i]! > 0 && Number.isFinite(num[i]!) ? num[i]! / den[i]! : NaN);
  return out;
}

export function ratio(name: string, formula: string, direction: Direction, target: number, perRep: number[], beside?: { name: string; perRep: number[] }): Ratio {
  const spread = spreadOf(perRep);
  return {
    name,
    formula,
    direction,
    target,
    perRep: perRep.map((x) => round(x, 4)),
    spread,
    verdict: verdictOf(spread, direction, target),
    beside: beside && { name: beside.name, perRep: beside.perRep.map((x) => round(x, 4)), spread: spreadOf(beside.perRep) },
  };
}

export function targetText(r: Pick<Ratio, 'direction' | 'target'>): string {
  if (!Number.isFinite(r.target)) return '(info)';
  return `${r.direction === 'atLeast' ? '≥' : '≤'} ${r.target}`;
}
