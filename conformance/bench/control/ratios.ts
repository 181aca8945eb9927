// A ratio with a target: its per-round values, their spread and the verdict.
import { round, spreadOf, verdictAtMost, type Spread, type Verdict } from '../stats.js';

export interface RatioLine {
  name: string;
  formula: string;
  target: number;
  perRound: number[];
  spread: Spread;
  verdict: Verdict;
}

export function ratioLine(name: string, formula: string, target: number, perRound: number[]): RatioLine {
  const spread = spreadOf(perRound);
  return { name, formula, target, perRound: perRound.map((x) => round(x, 4)), spread, verdict: Number.isFinite(target) ? verdictAtMost(spread, target) : 'N/A' };
}
