// Possible CPUs: per-CPU map values are copied as one slot per possible CPU, each rounded up to 8 bytes.
import * as fs from 'node:fs';

/** Parses a kernel cpu list ("0-3", "0,2-5", "0") into the number of CPUs it names. */
export function parseCpuList(s: string): number {
  let n = 0;
  for (const part of s.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new RangeError(`bad cpu list: ${s}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new RangeError(`bad cpu range: ${part}`);
    n += b - a + 1;
  }
  if (n === 0) throw new RangeError(`empty cpu list: ${s}`);
  return n;
}

let cached: number | undefined;

export function possibleCpus(): number {
  cached ??= parseCpuList(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return cached;
}

export const roundUp8 = (n: number): number => (n + 7) & ~7;
