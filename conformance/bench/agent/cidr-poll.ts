// When did the node's pinned pl_cidrs map hold every pod CIDR the agent should learn? Polled from the main
// thread with single-key lookups: a cursor walks the expected keys in order and stops at the first one
// missing, so each tick costs one lookup until the agent writes, and every key is found once (the map
// has no notifications). Confirmed at the end by one full read of the map.
import { CIDR_LEARNED, encodeCidrKey, openClusterCidrs, readClusterCidrs } from '../../../lib/datapath/index.js';
import type { Sys } from '../../../lib/sys/index.js';

export interface CidrPollResult {
  /** ms on process.hrtime's clock of the tick that found the last key; undefined: not within the time */
  t?: number;
  /** learned entries in the map at the end (full read) */
  learned: number;
  expected: number;
  error?: string;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export function pollClusterCidrs(sys: Sys, bpfRoot: string, cidrs: readonly string[], o: { everyMs: number; timeoutMs: number }): Promise<CidrPollResult> {
  const map = openClusterCidrs(sys, bpfRoot);
  if (!map) return Promise.resolve({ learned: 0, expected: cidrs.length, error: `no pinned pl_cidrs under ${bpfRoot} (did probe --write run with this build?)` });
  const keys = cidrs.map(encodeCidrKey);
  const end = nowMs() + o.timeoutMs;
  let next = 0;
  return new Promise((resolve) => {
    const finish = (t: number | undefined, error?: string) => {
      let learned = 0;
      try {
        for (const origin of readClusterCidrs(map).values()) if (origin === CIDR_LEARNED) learned++;
      } catch (e) {
        error ??= (e as Error).message;
      }
      map.close();
      resolve({ t, learned, expected: cidrs.length, error });
    };
    const tick = () => {
      try {
        while (next < keys.length && map.lookup(keys[next]!)) next++;
      } catch (e) {
        finish(undefined, (e as Error).message);
        return;
      }
      const t = nowMs();
      if (next === keys.length) finish(t);
      else if (t > end) finish(undefined, `${keys.length - next} of ${keys.length} CIDRs missing after ${o.timeoutMs} ms (first: ${cidrs[next]})`);
      else setTimeout(tick, o.everyMs);
    };
    tick();
  });
}
