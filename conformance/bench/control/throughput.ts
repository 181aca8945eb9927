// Throughput: batches of ADD then DEL at each concurrency, podlink and ptp alternating.
import { pool, progress } from '../harness.js';
import { CONCURRENCY, type Op } from './config.js';
import type { Bench } from './testbed.js';
import { ipamDirOf, range, settle } from './util.js';

export interface TputRun {
  round: number;
  concurrency: number;
  plugin: 'podlink' | 'ptp';
  pods: number;
  addSeconds: number;
  addPodsPerSec: number;
  delSeconds: number;
  delPodsPerSec: number;
  failures: number;
}

export async function throughput(b: Bench, rounds: number, m: number): Promise<TputRun[]> {
  const out: TputRun[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`throughput round ${r + 1}/${rounds}`);
    for (const c of CONCURRENCY) {
      const order = (r + c) % 2 ? (['ptp', 'podlink'] as const) : (['podlink', 'ptp'] as const);
      for (const plugin of order) {
        const tag = `t${r}c${c}${plugin === 'podlink' ? 'a' : 'b'}`;
        const pods = b.pods(tag, m);
        const failsBefore = b.failures.length;
        const prev = new Map<number, unknown>();
        const call = (op: Op, i: number) => {
          const id = `tput-${tag}-${i}`;
          return plugin === 'podlink' ? b.podlinkCall(b.main, op, id, pods[i]!, prev.get(i)) : b.ptpCall(op, id, pods[i]!, prev.get(i));
        };
        let t = performance.now();
        await pool(range(m), c, async (i) => {
          const res = await b.call(`throughput c=${c}`, plugin, 'ADD', `tput-${tag}-${i}`, call('ADD', i));
          if (res.ok) prev.set(i, res.result);
        });
        const addSeconds = (performance.now() - t) / 1000;
        t = performance.now();
        await pool(range(m), c, (i) => b.call(`throughput c=${c}`, plugin, 'DEL', `tput-${tag}-${i}`, call('DEL', i)));
        const delSeconds = (performance.now() - t) / 1000;
        const failures = b.failures.length - failsBefore;
        out.push({ round: r, concurrency: c, plugin, pods: m, addSeconds, addPodsPerSec: m / addSeconds, delSeconds, delPodsPerSec: m / delSeconds, failures });
        b.leftovers(`throughput ${plugin} c=${c} round ${r + 1}`, b.node, { ipam: [ipamDirOf(plugin === 'podlink' ? b.main.conf : b.ptpConf)] });
        b.netns.delete(pods);
      }
    }
    await settle();
  }
  return out;
}
