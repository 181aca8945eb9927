import t from 'tap';
import { burstRatios, floorPerRound } from './floor-analysis.js';
import type { Measurements } from './record.js';
import type { TputRun } from './throughput.js';

const run = (round: number, plugin: TputRun['plugin'], concurrency: number, addSeconds: number, delSeconds: number, extra: Partial<TputRun> = {}): TputRun => ({
  round, concurrency, plugin, pods: 32, addSeconds, addPodsPerSec: 32 / addSeconds, delSeconds, delPodsPerSec: 32 / delSeconds, failures: 0, ...extra,
});

t.test('burst: podlink wall ÷ (floor wall + ptp wall) at concurrency 8, per round', async (t) => {
  const tput = [
    run(0, 'podlink', 8, 3, 2), run(0, 'ptp', 8, 1, 1), run(0, 'floor', 8, 0.5, 1), run(0, 'podlink', 1, 99, 99),
    run(1, 'podlink', 8, 6, 4), run(1, 'ptp', 8, 2, 1), run(1, 'floor', 8, 1, 1),
  ];
  t.same(burstRatios(tput, 'addSeconds'), [2, 2]);
  t.same(burstRatios(tput, 'delSeconds'), [1, 2]);
  t.ok(Number.isNaN(burstRatios([run(0, 'podlink', 8, 1, 1)], 'addSeconds')[0]), 'a missing contender gives NaN, not a number');
});

t.test('floor per round: p50 of each part; DEL-extra = floor DEL − floor plain DEL', async (t) => {
  const s = (parts: Record<string, number>) => ({ id: 'x', ms: 99, parts });
  const ops = (add: Record<string, number>[], del: Record<string, number>[], plainDel: Record<string, number>[]) => ({
    ADD: { floor: add.map(s), 'floor plain': [] },
    CHECK: {},
    DEL: { floor: del.map(s), 'floor plain': plainDel.map(s) },
  });
  const lat = [
    { ops: ops([{ pair: 1, attach: 20 }, { pair: 3, attach: 30 }, { pair: 2, attach: 25 }], [{ del: 40 }, { del: 50 }], [{ del: 30 }]) },
    { ops: ops([{ pair: 1, attach: 10 }], [{ del: 45 }], [{ del: 40 }]) },
  ];
  const tput = [run(0, 'floor', 8, 1, 1, { addParts: [{ pair: 4, attach: 100 }, { pair: 6, attach: 120 }], delParts: [{ del: 70 }] })];
  const fl = floorPerRound({ lat, tput } as unknown as Measurements);
  t.same(fl.pair, [2, 1]);
  t.same(fl.attach, [25, 10]);
  t.same(fl.add, [27, 11]);
  t.same(fl.del, [45, 45]);
  t.same(fl.plainDel, [30, 40]);
  t.same(fl.delExtra, [15, 5]);
  t.same(fl.c8, { add: [115], pair: [5], attach: [110], del: [70] });
});
