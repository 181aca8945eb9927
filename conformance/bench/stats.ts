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

/**
 * One metric measured once per repetition. `spread` = (max − min) ÷ median. `lo`…`hi` is the
 * distribution-free interval for the median (see medianInterval), `coverage` its confidence.
 */
export interface Spread {
  values: number[];
  min: number;
  median: number;
  max: number;
  spread: number;
  lo: number;
  hi: number;
  coverage: number;
}

/** P(X ≤ k) for X ~ Binomial(n, ½). */
function binomialHalfCdf(k: number, n: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/** The confidence level the verdicts ask of the median's interval. */
export const INTERVAL_LEVEL = 0.95;

/**
 * Interval for the median of n repetitions from order statistics, assuming nothing about the
 * distribution: the k-th smallest to the k-th largest value covers the median with probability
 * 1 − 2·P(Binomial(n, ½) ≤ k − 1). Takes the largest k that still reaches `level`; below that (up
 * to 5 repetitions at 95 %) it is min…max with the coverage it has (75 % for 3, 94 % for 5).
 * So more repetitions give a narrower interval, not a wider min…max.
 */
export function medianInterval(sorted: readonly number[], level = INTERVAL_LEVEL): { lo: number; hi: number; coverage: number } {
  const n = sorted.length;
  if (!n) return { lo: NaN, hi: NaN, coverage: NaN };
  let k = 1;
  while (k + 1 <= n / 2 && 1 - 2 * binomialHalfCdf(k, n) >= level) k++;
  return { lo: sorted[k - 1]!, hi: sorted[n - k]!, coverage: n === 1 ? 0 : 1 - 2 * binomialHalfCdf(k - 1, n) };
}

export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { values: [...values], min: NaN, median: NaN, max: NaN, spread: NaN, lo: NaN, hi: NaN, coverage: NaN };
  const med = median(v);
  const min = v[0]!;
  const max = v[v.length - 1]!;
  return { values: [...values], min, median: med, max, spread: med !== 0 ? (max - min) / Math.abs(med) : NaN, ...medianInterval(v) };
}

/** Above this relative spread across repetitions a metric is reported as noisy. */
export const WIDE_SPREAD = 0.2;

export type Verdict = 'PASS' | 'MISS' | 'NOISY' | 'N/A';

/**
 * A ratio that must stay at or below `target`, measured once per repetition: PASS when the median's
 * interval (lo…hi) meets it, MISS when it lies wholly above, NOISY when it straddles the target.
 * Up to 5 repetitions the interval is min…max: every repetition must meet the target.
 */
export function verdictAtMost(s: Spread, target: number): Verdict {
  if (!Number.isFinite(s.lo) || !Number.isFinite(s.hi)) return 'N/A';
  if (s.hi <= target) return 'PASS';
  if (s.lo > target) return 'MISS';
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
