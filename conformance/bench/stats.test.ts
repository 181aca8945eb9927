import t from 'tap';
import { medianInterval, spreadOf, verdictAtMost } from './stats.js';

const seq = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

t.test('up to 5 repetitions the interval is min…max, with the coverage it has', async (t) => {
  t.same(medianInterval(seq(3)), { lo: 1, hi: 3, coverage: 0.75 });
  t.same(medianInterval(seq(5)), { lo: 1, hi: 5, coverage: 0.9375 });
  t.equal(medianInterval([7]).coverage, 0);
  t.ok(Number.isNaN(medianInterval([]).lo));
});

t.test('from 9 repetitions on, the outermost values drop out and coverage stays ≥ 95 %', async (t) => {
  const nine = medianInterval(seq(9));
  t.same([nine.lo, nine.hi], [2, 8]);
  t.equal(Math.round(nine.coverage * 1000) / 1000, 0.961); // 1 − 2·(1 + 9)/512
  const twelve = medianInterval(seq(12));
  t.same([twelve.lo, twelve.hi], [3, 10]);
  t.ok(twelve.coverage >= 0.95);
  t.same(medianInterval(seq(8)).lo, 1, '8 repetitions: the 2nd…7th would cover only 93 %');
});

t.test('spreadOf sorts before picking, ignores non-finite values and keeps the raw list', async (t) => {
  const s = spreadOf([5, NaN, 1, 9, 3, 7, 2, 8, 6, 4]);
  t.same([s.min, s.lo, s.median, s.hi, s.max], [1, 2, 5, 8, 9]);
  t.equal(s.values.length, 10);
});

t.test('one outlier in 9 repetitions no longer decides the verdict; two do', async (t) => {
  const base = [0.9, 0.92, 0.93, 0.94, 0.95, 0.95, 0.96, 0.97];
  t.equal(verdictAtMost(spreadOf([...base, 1.4]), 1.0), 'PASS');
  t.equal(verdictAtMost(spreadOf([...base.slice(1), 1.3, 1.4]), 1.0), 'NOISY');
  t.equal(verdictAtMost(spreadOf([0.9, 1.2, 1.1]), 1.0), 'NOISY', '3 repetitions: every one must meet the target');
  t.equal(verdictAtMost(spreadOf([1.01, 1.2, 1.1]), 1.0), 'MISS');
});
