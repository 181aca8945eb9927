import t from 'tap';
import { verdictLines } from './markdown.js';
import { changeStats, lines, TARGETS, type ChangeSample, type RepResult } from './verdict.js';

const sample = (kind: ChangeSample['kind'], ms: number, timedOut = false): ChangeSample => ({ kind, node: 'n', ms, timedOut, cpuMs: ms / 2, waitMs: ms / 4 });

function rep(syncMs: number, changeMs: number[], hwm: number): RepResult {
  const changes = changeMs.map((ms, i) => sample((['modify', 'add', 'delete'] as const)[i % 3]!, ms));
  return {
    rep: 1, expectedRoutes: 10000, expectedCidrs: 10002, syncMs, syncTimedOut: false, cidrsMs: syncMs + 100, kernelRoutes: 10000, learnedCidrs: 10002,
    milestones: { routeAdds: 10000, errors: [], listMs: 300 }, changes, changeStats: changeStats(changes), hwmAfterChangesMiB: hwm, rssTrace: [], monitorOverflows: 0, errors: [],
  };
}

t.test('change statistics: percentiles, per kind, timeouts', async (t) => {
  const s = changeStats([sample('modify', 10), sample('add', 20), sample('delete', 30), sample('modify', 40), sample('add', 5000, true)]);
  t.equal(s.n, 5);
  t.equal(s.p50, 30);
  t.equal(s.max, 5000);
  t.equal(s.timeouts, 1);
  t.equal(s.byKind.modify.p50, 25);
  t.equal(s.byKind.delete.n, 1);
  t.equal(s.cpuP50, 15);
  t.ok(Number.isNaN(changeStats([]).p50));
});

t.test('verdicts: PASS when every repetition meets the target, MISS when none, NOISY in between', async (t) => {
  const pass = lines([rep(2000, [50, 60, 70], 120), rep(2500, [40, 90, 95], 140), rep(2900, [80, 80, 80], 149)]).judged;
  t.same(pass.map((l) => l.verdict), ['PASS', 'PASS', 'PASS']);
  t.same(pass.map((l) => l.target), [TARGETS.syncMs, TARGETS.changeP50Ms, TARGETS.rssMiB]);
  t.same(pass[1]!.perRep, [60, 90, 80]);
  const miss = lines([rep(3100, [150, 200, 250], 151), rep(4000, [120, 130, 140], 200), rep(3001, [101, 102, 103], 180)]).judged;
  t.same(miss.map((l) => l.verdict), ['MISS', 'MISS', 'MISS']);
  const noisy = lines([rep(2000, [50, 50, 50], 100), rep(3500, [150, 150, 150], 160), rep(2500, [50, 50, 50], 100)]).judged;
  t.same(noisy.map((l) => l.verdict), ['NOISY', 'NOISY', 'NOISY']);
  const missing = lines([{ ...rep(2000, [], 100), hwmAfterChangesMiB: undefined }]).judged;
  t.equal(missing[2]!.verdict, 'N/A', 'no RSS read: no verdict');
  t.equal(missing[1]!.verdict, 'N/A', 'no changes: no verdict');
});

t.test('a timed-out sync enters as its timeout and misses', async (t) => {
  const l = lines([rep(60_000, [10], 100)]).judged[0]!;
  t.equal(l.verdict, 'MISS');
  t.match(verdictLines([l])[0]!, /^MISS  all 10000 routes programmed, from the agent's start: target ≤ 3000 ms, measured 60000 ms \(min \/ median \/ max 60000 \/ 60000 \/ 60000 over 1\)$/);
});
