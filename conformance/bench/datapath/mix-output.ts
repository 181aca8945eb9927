// The report of tcp-mix (tcp-mix.c): one block per target, `target=<i>` then key=value lines, as typed
// records in target order.

export interface StreamResult {
  bytes: number;
  gbps: number;
  /** measured seconds (the target's slots) */
  seconds: number;
  /** busy CPU-seconds of the whole machine during the target's slots */
  cpuSeconds: number;
}

export interface RrResult {
  mode: 'rr' | 'crr';
  transactions: number;
  seconds: number;
  cpuSeconds: number;
  /** transactions/s (rr) or connections/s (crr) */
  rate: number;
  errors: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
}

export type MixBlock = { stream: StreamResult } | { rr: RrResult } | { error: string };

function block(lines: Map<string, string>): MixBlock {
  const error = lines.get('error');
  if (error !== undefined) return { error: `tcp-mix: ${error}` };
  const num = (k: string): number => {
    const v = lines.get(k);
    const n = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new Error(`tcp-mix: ${k} missing or not a number in output`);
    return n;
  };
  const mode = lines.get('mode');
  if (mode === 'stream') return { stream: { bytes: num('bytes'), gbps: num('gbps'), seconds: num('seconds'), cpuSeconds: num('cpu_seconds') } };
  if (mode !== 'rr' && mode !== 'crr') throw new Error(`tcp-mix: no mode in a target's block`);
  const transactions = num('transactions');
  if (transactions < 1) return { error: 'tcp-mix: no transaction completed' };
  return {
    rr: {
      mode,
      transactions,
      seconds: num('seconds'),
      cpuSeconds: num('cpu_seconds'),
      rate: num('rate'),
      errors: num('errors'),
      p50Us: num('p50_us'),
      p90Us: num('p90_us'),
      p99Us: num('p99_us'),
      meanUs: num('mean_us'),
    },
  };
}

/** The blocks of targets 0..count-1; throws if the report does not have exactly those. */
export function parseMixOutput(text: string, count: number): MixBlock[] {
  const blocks: Map<string, string>[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'target') {
      if (Number(m[2]) !== blocks.length) throw new Error(`tcp-mix: target ${m[2]} out of order in output`);
      blocks.push(new Map());
    } else if (blocks.length) {
      blocks[blocks.length - 1]!.set(m[1]!, m[2]!);
    }
  }
  if (blocks.length !== count) throw new Error(`tcp-mix: ${blocks.length} target blocks in output, expected ${count}: ${JSON.stringify(text.slice(0, 200))}`);
  return blocks.map(block);
}
