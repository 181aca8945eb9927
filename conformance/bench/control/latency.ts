// Latency rounds: ADD, CHECK, DEL of podlink, ptp, host-local, the node -e 0 and /bin/true baselines and
// ADD, DEL of the kernel floor (with and without links), one pod netns per call, interleaved call by call.
import type { Invocation } from '../harness.js';
import { OPS, type Key, type Op } from './config.js';
import { Floor, parseParts, type FloorKind } from './floor.js';
import { rotation, type Sample } from './samples.js';
import type { Bench } from './testbed.js';
import { ipamDirOf, settle } from './util.js';

export type OpSamples = Record<Key, Sample[]>;
export interface LatencyRound {
  ops: Record<Op, OpSamples>;
}

function emptyOps(): Record<Op, OpSamples> {
  const e = (): OpSamples => ({ podlink: [], ptp: [], 'host-local': [], 'node -e 0': [], '/bin/true': [], floor: [], 'floor plain': [] });
  return { ADD: e(), CHECK: e(), DEL: e() };
}

export async function latencyRound(b: Bench, r: number, n: number): Promise<LatencyRound> {
  const plPods = b.pods(`l${r}a`, n);
  const ptPods = b.pods(`l${r}b`, n);
  const flPods = b.pods(`l${r}c`, n);
  const ops = emptyOps();
  const prev = { podlink: new Map<number, unknown>(), ptp: new Map<number, unknown>() };
  const cid = (k: string, i: number) => `lat-${r}-${k}-${i}`;
  const floor = (kind: FloorKind) => (op: Op, i: number) => (op === 'CHECK' ? undefined : b.floorCall(kind, op, Floor.host(kind, `l${r}`, i), flPods[i]!));
  const contenders: { key: Key; inv: (op: Op, i: number) => Invocation | undefined }[] = [
    { key: 'podlink', inv: (op, i) => b.podlinkCall(b.main, op, cid('pl', i), plPods[i]!, prev.podlink.get(i)) },
    { key: 'ptp', inv: (op, i) => b.ptpCall(op, cid('pt', i), ptPods[i]!, prev.ptp.get(i)) },
    { key: 'host-local', inv: (op, i) => b.hostLocalCall(op, cid('hl', i), ptPods[i]!) },
    { key: 'node -e 0', inv: (op, i) => b.baseline(b.nodeBin, ['-e', '0'], op, cid('pl', i), plPods[i]!) },
    { key: '/bin/true', inv: (op, i) => b.baseline('/bin/true', [], op, cid('pl', i), plPods[i]!) },
    { key: 'floor', inv: floor('floor') },
    { key: 'floor plain', inv: floor('floor plain') },
  ];
  for (const op of OPS) {
    for (let i = 0; i < n; i++) {
      for (const c of rotation(contenders, i + r)) {
        const inv = c.inv(op, i);
        if (!inv) continue;
        const id = c.key === 'podlink' ? cid('pl', i) : c.key === 'ptp' ? cid('pt', i) : cid('x', i);
        const res = await b.call(`latency round ${r + 1}`, c.key, op, id, inv);
        if (op === 'ADD' && res.ok && (c.key === 'podlink' || c.key === 'ptp')) prev[c.key].set(i, res.result);
        const isFloor = c.key === 'floor' || c.key === 'floor plain';
        if (res.ok) ops[op][c.key].push({ id, ms: res.ms, ...(isFloor ? { parts: parseParts(res.stdout) } : {}) });
      }
    }
  }
  b.leftovers(`latency round ${r + 1}`, b.node, { ipam: [ipamDirOf(b.main.conf), ipamDirOf(b.ptpConf), ipamDirOf(b.hostLocalConf)], state: b.main.conf.stateDir as string });
  b.netns.delete([...plPods, ...ptPods, ...flPods]);
  await settle();
  return { ops };
}
