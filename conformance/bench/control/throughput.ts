// Throughput: batches of ADD then DEL at each concurrency, podlink, ptp and the kernel floor taking turns.
// The burst ratios use the batch walls at concurrency 8; the floor's per-call parts give its p50s there.
import { pool, progress } from '../harness.js';
import { CONCURRENCY, type Op } from './config.js';
import { Floor, parseParts, type FloorParts } from './floor.js';
import { rotation } from './samples.js';
import type { Bench } from './testbed.js';
import { ipamDirOf, range, settle } from './util.js';

export type TputPlugin = 'podlink' | 'ptp' | 'floor';
const PLUGINS: TputPlugin[] = ['podlink', 'ptp', 'floor'];

export interface TputRun {
  round: number;
  concurrency: number;
  plugin: TputPlugin;
  pods: number;
  addSeconds: number;
  addPodsPerSec: number;
  delSeconds: number;
  delPodsPerSec: number;
  failures: number;
  /** floor only: its own part times per call (ADD: pair, attach; DEL: del) */
  addParts?: FloorParts[];
  delParts?: FloorParts[];
}

export async function throughput(b: Bench, rounds: number, m: number): Promise<TputRun[]> {
  const out: TputRun[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`throughput round ${r + 1}/${rounds}`);
    for (const c of CONCURRENCY) {
      for (const plugin of rotation(PLUGINS, r + c)) {
        const tag = `t${r}c${c}${plugin[0]}`;
        const pods = b.pods(tag, m);
        const failsBefore = b.failures.length;
        const prev = new Map<number, unknown>();
        const parts: Record<'ADD' | 'DEL', FloorParts[]> = { ADD: [], DEL: [] };
        const call = (op: Op, i: number) => {
          const id = `tput-${tag}-${i}`;
          if (plugin === 'floor') return b.floorCall('floor', op as 'ADD' | 'DEL', Floor.host('floor', `t${r}c${c}`, i), pods[i]!);
          return plugin === 'podlink' ? b.podlinkCall(b.main, op, id, pods[i]!, prev.get(i)) : b.ptpCall(op, id, pods[i]!, prev.get(i));
        };
        const one = async (op: 'ADD' | 'DEL', i: number) => {
          const res = await b.call(`throughput c=${c}`, plugin, op, `tput-${tag}-${i}`, call(op, i));
          if (res.ok && op === 'ADD') prev.set(i, res.result);
          if (res.ok && plugin === 'floor') parts[op].push(parseParts(res.stdout));
        };
        let t = performance.now();
        await pool(range(m), c, (i) => one('ADD', i));
        const addSeconds = (performance.now() - t) / 1000;
        t = performance.now();
        await pool(range(m), c, (i) => one('DEL', i));
        const delSeconds = (performance.now() - t) / 1000;
        const failures = b.failures.length - failsBefore;
        const floorParts = plugin === 'floor' ? { addParts: parts.ADD, delParts: parts.DEL } : {};
        out.push({ round: r, concurrency: c, plugin, pods: m, addSeconds, addPodsPerSec: m / addSeconds, delSeconds, delPodsPerSec: m / delSeconds, failures, ...floorParts });
        const ipam = plugin === 'floor' ? [] : [ipamDirOf(plugin === 'podlink' ? b.main.conf : b.ptpConf)];
        b.leftovers(`throughput ${plugin} c=${c} round ${r + 1}`, b.node, { ipam });
        b.netns.delete(pods);
      }
    }
    await settle();
  }
  return out;
}
