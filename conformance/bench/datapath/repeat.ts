// Runs one repetition: metric by metric, all cases of a metric in one tcp-mix run where they take
// turns in 100 ms slots, so that the two sides of a ratio share the same moments (this machine's
// single-stream veth throughput swings by ±30 % within seconds, alike for every path). The case order
// rotates per repetition. A failed measurement is recorded (and printed) and the run goes on.
import { progress, type Cleanup } from '../harness.js';
import { METRICS, rotation, type Case, type Metric, type Rep, type Sample } from './cases.js';
import { mixed, type MixMode, type Tools } from './measure.js';

export interface Durations {
  /** measured seconds per case of a throughput metric */
  tputSeconds: number;
  /** measured seconds per case of TCP_RR / TCP_CRR */
  rrSeconds: number;
}

const MODE: Record<Metric, MixMode> = { tput1500: 'stream', tput9000: 'stream', rr: 'rr', crr: 'crr' };

async function measure(c: Cleanup, t: Tools, m: Metric, cases: Case[], d: Durations): Promise<Sample[]> {
  const seconds = MODE[m] === 'stream' ? d.tputSeconds : d.rrSeconds;
  try {
    return await mixed(c, t, MODE[m], cases.map((cs) => cs.targets[m]!), seconds);
  } catch (e) {
    return cases.map(() => ({ error: (e as Error).message }));
  }
}

export async function runRep(c: Cleanup, t: Tools, cases: Case[], i: number, d: Durations, log = progress): Promise<Rep> {
  const rep: Rep = {};
  for (const m of METRICS) {
    const order = rotation(cases, i).filter((cs) => cs.targets[m]);
    if (!order.length) continue;
    const got = await measure(c, t, m, order, d);
    order.forEach((cs, k) => {
      const s = got[k]!;
      (rep[cs.key] ??= {})[m] = s;
      if (s.error) log(`${cs.key} ${m}: FAILED: ${s.error}`);
    });
  }
  return rep;
}
