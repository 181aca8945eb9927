// Informational: ptp as shipped, in pod netns with IPv6 DAD on.
import type { Bench } from './testbed.js';

/** Informational: ptp as shipped in a pod netns with IPv6 DAD on waits for the address to settle. */
export async function ptpWithDad(b: Bench, n: number): Promise<number[]> {
  const pods = b.pods('d', n, { noDad: false });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = `dad-${i}`;
    const a = await b.call('ptp with DAD', 'ptp', 'ADD', id, b.ptpCall('ADD', id, pods[i]!));
    if (a.ok) out.push(a.ms);
    await b.call('ptp with DAD', 'ptp', 'DEL', id, b.ptpCall('DEL', id, pods[i]!, a.result));
  }
  b.netns.delete(pods);
  return out;
}
