// Per-repetition values of one metric of one case, reduced from the samples (NaN where a sample failed).
import { spreadOf, type Spread } from '../stats.js';
import type { CaseKey, Rep } from './cases.js';

export type Field =
  | 'gbps1500' | 'gbps9000' | 'cpuPerGbit1500'
  | 'rrP50' | 'rrP90' | 'rrP99' | 'rrRate' | 'rrCpuUs'
  | 'crrRate' | 'crrP50' | 'crrCpuUs';

export const FIELDS: Record<Field, { title: string; unit: string; digits: number }> = {
  gbps1500: { title: 'throughput MTU 1500', unit: 'Gbit/s', digits: 2 },
  gbps9000: { title: 'throughput MTU 9000', unit: 'Gbit/s', digits: 2 },
  cpuPerGbit1500: { title: 'CPU per Gbit (MTU 1500)', unit: 'CPU-s/Gbit', digits: 3 },
  rrP50: { title: 'TCP_RR p50', unit: 'µs', digits: 1 },
  rrP90: { title: 'TCP_RR p90', unit: 'µs', digits: 1 },
  rrP99: { title: 'TCP_RR p99', unit: 'µs', digits: 1 },
  rrRate: { title: 'TCP_RR', unit: 'transactions/s', digits: 0 },
  rrCpuUs: { title: 'CPU per round trip', unit: 'CPU-µs', digits: 1 },
  crrRate: { title: 'TCP_CRR', unit: 'connections/s', digits: 0 },
  crrP50: { title: 'TCP_CRR p50', unit: 'µs', digits: 1 },
  crrCpuUs: { title: 'CPU per connection', unit: 'CPU-µs', digits: 1 },
};

function value(rep: Rep, k: CaseKey, f: Field): number {
  const s = rep[k];
  if (!s) return NaN;
  const v = ((): number | undefined => {
    switch (f) {
      case 'gbps1500': return s.tput1500?.tput?.gbps;
      case 'gbps9000': return s.tput9000?.tput?.gbps;
      case 'cpuPerGbit1500': return s.tput1500?.tput?.cpuPerGbit;
      case 'rrP50': return s.rr?.rr?.p50Us;
      case 'rrP90': return s.rr?.rr?.p90Us;
      case 'rrP99': return s.rr?.rr?.p99Us;
      case 'rrRate': return s.rr?.rr?.rate;
      case 'rrCpuUs': return s.rr?.rr?.cpuUsPerTxn;
      case 'crrRate': return s.crr?.rr?.rate;
      case 'crrP50': return s.crr?.rr?.p50Us;
      case 'crrCpuUs': return s.crr?.rr?.cpuUsPerTxn;
    }
  })();
  return v ?? NaN;
}

export function perRep(reps: readonly Rep[], k: CaseKey, f: Field): number[] {
  return reps.map((r) => value(r, k, f));
}

export function spreadFor(reps: readonly Rep[], k: CaseKey, f: Field): Spread {
  return spreadOf(perRep(reps, k, f));
}
