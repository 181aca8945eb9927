// A ratio with a target: its per-round values, their spread and the verdict.
import { round, spreadOf, verdictAtMost, type Spread, type Verdict } from '../stats.js';

export interface RatioLine {
  name: string;
  formula: string;
  target: number;
  perRound: number[];
  spread: Spread;
  verdict: Verdict;
  /** The same line in the last run before issue #18 (README), where it can be told. */
  before?: string;
}

export function ratioLine(name: string, formula: string, target: number, perRound: number[], before?: string): RatioLine {
  const spread = spreadOf(perRound);
  const verdict = Number.isFinite(target) ? verdictAtMost(spread, target) : 'N/A';
  return { name, formula, target, perRound: perRound.map((x) => round(x, 4)), spread, verdict, before };
}
