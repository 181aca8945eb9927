import t from 'tap';
import { once } from './once.js';

t.test('once runs fn on the first call only and repeats its value', async (t) => {
  let runs = 0;
  const f = once(() => ++runs);
  t.equal(runs, 0, 'nothing runs before the first call');
  t.equal(f(), 1);
  t.equal(f(), 1);
  t.equal(runs, 1);
});

t.test('once repeats a thrown error without running fn again', async (t) => {
  let runs = 0;
  const boom = new Error('boom');
  const f = once(() => {
    runs++;
    throw boom;
  });
  t.throws(f, boom);
  t.throws(f, boom);
  t.equal(runs, 1);
});
