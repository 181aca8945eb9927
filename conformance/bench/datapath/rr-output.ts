// The key=value report of tcp-rr (tcp-rr.c) as a typed record.

export interface RrResult {
  mode: 'rr' | 'crr';
  transactions: number;
  seconds: number;
  /** transactions/s (rr) or connections/s (crr) */
  rate: number;
  errors: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
}

export function parseRrOutput(text: string): RrResult {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const mode = kv.get('mode');
  if (mode !== 'rr' && mode !== 'crr') throw new Error(`tcp-rr: no mode in output ${JSON.stringify(text.slice(0, 200))}`);
  const num = (k: string): number => {
    const v = kv.get(k);
    const n = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new Error(`tcp-rr: ${k} missing or not a number in output`);
    return n;
  };
  const transactions = num('transactions');
  if (transactions < 1) throw new Error('tcp-rr: no transaction completed');
  return {
    mode,
    transactions,
    seconds: num('seconds'),
    rate: num('rate'),
    errors: num('errors'),
    p50Us: num('p50_us'),
    p90Us: num('p90_us'),
    p99Us: num('p99_us'),
    meanUs: num('mean_us'),
  };
}
