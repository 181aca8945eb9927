// Runs one repetition: metric by metric, every case of a metric back to back in rotating order, so
// that the two sides of a ratio are measured seconds apart (this machine's throughput drifts by tens of
// percent over a minute). A failed measurement is recorded (and printed) and the run goes on.
import { progress, type Cleanup } from '../harness.js';
import { METRICS, rotation, type Case, type Metric, type Rep, type Sample } from './cases.js';
import { rr, tput, type Tools } from './measure.js';

export interface Durations {
  tputSeconds: number;
  rrSeconds: number;
}

async function measure(c: Cleanup, t: Tools, m: Metric, client: string, ip: string, d: Durations): Promise<Sample> {
  switch (m) {
    case 'tput1500':
    case 'tput9000':
      return { tput: await tput(c, t, client, ip, d.tputSeconds) };
    case 'rr':
    case 'crr':
      return { rr: await rr(c, t, m, client, ip, d.rrSeconds) };
  }
}

export async function runRep(c: Cleanup, t: Tools, cases: Case[], i: number, d: Durations, log = progress): Promise<Rep> {
  const rep: Rep = {};
  for (const m of METRICS) {
    for (const cs of rotation(cases, i)) {
      const target = cs.targets[m];
      if (!target) continue;
      const got = (rep[cs.key] ??= {});
      try {
        got[m] = await measure(c, t, m, target.client, target.ip, d);
      } catch (e) {
        got[m] = { error: (e as Error).message };
        log(`${cs.key} ${m}: FAILED: ${(e as Error).message}`);
      }
    }
  }
  return rep;
}
