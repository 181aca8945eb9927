import t from 'tap';
import { spreadOf } from '../stats.js';
import { quotients, ratio, targetText, verdictAtLeast, verdictOf } from './verdict.js';

t.test('a floor: PASS when the minimum meets it, MISS when the maximum misses it, NOISY in between', async (t) => {
  t.equal(verdictAtLeast(spreadOf([0.95, 1.0, 1.1]), 0.95), 'PASS');
  t.equal(verdictAtLeast(spreadOf([0.5, 0.8, 0.94]), 0.95), 'MISS');
  t.equal(verdictAtLeast(spreadOf([0.9, 0.97, 1.2]), 0.95), 'NOISY');
  t.equal(verdictAtLeast(spreadOf([NaN]), 0.95), 'N/A');
});

t.test('a ceiling uses the shared at-most verdict', async (t) => {
  t.equal(verdictOf(spreadOf([0.8, 0.9, 1.0]), 'atMost', 1.0), 'PASS');
  t.equal(verdictOf(spreadOf([1.01, 1.2, 1.3]), 'atMost', 1.0), 'MISS');
  t.equal(verdictOf(spreadOf([0.8, 1.2, 1.05]), 'atMost', 1.0), 'NOISY');
  t.equal(verdictOf(spreadOf([0.8, 1.2]), 'atMost', NaN), 'N/A', 'informational');
});

t.test('quotients are per repetition; a zero or missing denominator is NaN', async (t) => {
  t.same(quotients([2, 3, 4], [1, 0, 2]), [2, NaN, 2]);
  t.same(quotients([1, 2, 3], [1]), [1]);
});

t.test('ratio() carries the spread, the verdict and the line beside it', async (t) => {
  const r = ratio('x', 'c ÷ b', 'atLeast', 0.9, [0.85, 0.95, 1], { name: 'b', perRep: [0.5, 0.6, 0.7] });
  t.equal(r.verdict, 'NOISY');
  t.equal(r.spread.median, 0.95);
  t.equal(r.beside?.spread.min, 0.5);
  t.equal(targetText(r), '≥ 0.9');
  t.equal(targetText({ direction: 'atMost', target: 1.1 }), '≤ 1.1');
  t.equal(targetText({ direction: 'atMost', target: NaN }), '(info)');
});
