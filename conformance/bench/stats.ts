// Statistics shared by the bench suites: percentiles of one sample set, the spread of one metric
// across repetitions, and the PASS / MISS / NOISY verdict of a ratio against its target.

/** Linear-interpolation quantile (Hyndman–Fan type 7, what numpy and R use by default). */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (!n) return { n, min: NaN, p50: NaN, p95: NaN, max: NaN, mean: NaN };
  return {
    n,
    min: Math.min(...values),
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / n,
  };
}

/** One metric measured once per repetition. `spread` = (max − min) ÷ median. */
export interface Spread {
  values: number[];
  min: number;
  median: number;
  max: number;
  spread: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return { values: [...values], min: NaN, median: NaN, max: NaN, spread: NaN };
  const med = median(v);
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { values: [...values], min, median: med, max, spread: med !== 0 ? (max - min) / Math.abs(med) : NaN };
}

/** Above this relative spread across repetitions a metric is reported as noisy. */
export const WIDE_SPREAD = 0.2;

export type Verdict = 'PASS' | 'MISS' | 'NOISY' | 'N/A';

/**
 * A ratio that must stay at or below `target`, measured once per repetition: PASS when every
 * repetition meets it, MISS when none does, NOISY when the spread straddles the target.
 */
export function verdictAtMost(s: Spread, target: number): Verdict {
  if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) return 'N/A';
  if (s.max <= target) return 'PASS';
  if (s.min > target) return 'MISS';
  return 'NOISY';
}

/** Per-element difference of two equally long sample lists (paired samples). */
export function paired(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number[] {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(f(a[i]!, b[i]!));
  return out;
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
