// A fixed-bucket histogram kept as per-bucket (non-cumulative) counts so that it serialises small and
// merges trivially; the exposition renders it cumulative. Pure. May import: nothing.

/** Upper bounds in seconds. CNI calls take milliseconds to a few seconds (IPAM, a slow kernel). */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Histogram {
  /** counts[i] = observations with bounds[i-1] < v <= bounds[i]; counts[bounds.length] = above the last bound. */
  counts: number[];
  sum: number;
  count: number;
}

export function emptyHistogram(bounds: readonly number[] = DURATION_BUCKETS): Histogram {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

/** The bucket index for v (le semantics: v equal to a bound falls into that bound's bucket). */
export function bucketIndex(v: number, bounds: readonly number[] = DURATION_BUCKETS): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function observe(h: Histogram, v: number, bounds: readonly number[] = DURATION_BUCKETS): void {
  if (!Number.isFinite(v) || v < 0) v = 0;
  h.counts[bucketIndex(v, bounds)]! += 1;
  h.sum += v;
  h.count += 1;
}

/** Cumulative counts, one per bound plus +Inf (which equals count). */
export function cumulative(h: Histogram): number[] {
  const out: number[] = [];
  let acc = 0;
  for (const c of h.counts) {
    acc += c;
    out.push(acc);
  }
  return out;
}

export function isHistogram(x: unknown, bounds: readonly number[] = DURATION_BUCKETS): x is Histogram {
  if (typeof x !== 'object' || x === null) return false;
  const h = x as Record<string, unknown>;
  return (
    Array.isArray(h.counts) &&
    h.counts.length === bounds.length + 1 &&
    h.counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0) &&
    typeof h.sum === 'number' &&
    Number.isFinite(h.sum) &&
    h.sum >= 0 &&
    Number.isSafeInteger(h.count) &&
    (h.counts as number[]).reduce((a, b) => a + b, 0) === h.count
  );
}
