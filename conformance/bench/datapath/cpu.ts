// CPU time from /proc/stat: the aggregate "cpu" line before and after a measurement, and the busy
// CPU-seconds between them (everything but idle and iowait, summed over all CPUs).
import * as fs from 'node:fs';

export interface CpuTimes {
  /** jiffies (USER_HZ) per field of the aggregate line: user nice system idle iowait irq softirq steal … */
  fields: number[];
}

/** USER_HZ is 100 on every Linux architecture Node runs on. */
export const USER_HZ = 100;

export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('/proc/stat has no aggregate cpu line');
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((x) => !Number.isFinite(x))) throw new Error(`/proc/stat: cannot parse ${JSON.stringify(line)}`);
  return { fields };
}

export function readCpuTimes(file = '/proc/stat'): CpuTimes {
  return parseProcStat(fs.readFileSync(file, 'utf8'));
}

const IDLE = 3;
const IOWAIT = 4;

/**
 * Busy CPU-seconds between two samples. guest and guest_nice (fields 8 and 9) are already counted in
 * user and nice, so they are left out.
 */
export function busySeconds(a: CpuTimes, b: CpuTimes): number {
  let busy = 0;
  for (let i = 0; i < Math.min(a.fields.length, b.fields.length, 8); i++) {
    if (i === IDLE || i === IOWAIT) continue;
    busy += b.fields[i]! - a.fields[i]!;
  }
  return busy / USER_HZ;
}
