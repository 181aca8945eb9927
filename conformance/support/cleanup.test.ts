// The cleanup registry: newest first, past failures, and undo of a set-up that fails halfway.
import t from 'tap';
import { Cleanup, testCleanup } from './cleanup.js';

t.test('runs tasks newest first, once, and keeps going past a failure', async (t) => {
  const c = new Cleanup();
  const order: string[] = [];
  c.add('a', () => order.push('a'));
  c.add('b', () => {
    throw new Error('boom');
  });
  c.add('c', () => order.push('c'));
  t.equal(c.size, 3);
  t.same(c.run(), ['b: boom']);
  t.same(order, ['c', 'a']);
  t.same(c.run(), [], 'a second run does nothing');
  t.same(order, ['c', 'a']);
});

t.test('runOrThrow names every failed task', async (t) => {
  const c = new Cleanup();
  c.add('x', () => {
    throw new Error('one');
  });
  c.add('y', () => {
    throw new Error('two');
  });
  t.throws(() => c.runOrThrow(), { message: 'cleanup: y: two; x: one' });
});

t.test('scope undoes what a failing set-up registered, and rethrows', async (t) => {
  const undone: string[] = [];
  t.throws(
    () =>
      Cleanup.scope((c) => {
        c.add('first', () => undone.push('first'));
        c.add('second', () => undone.push('second'));
        throw new Error('half way');
      }),
    { message: 'half way' },
  );
  t.same(undone, ['second', 'first']);
  const { value, cleanup } = Cleanup.scope((c) => {
    c.add('kept', () => undone.push('kept'));
    return 42;
  });
  t.equal(value, 42);
  t.same(undone, ['second', 'first'], 'a set-up that succeeds keeps its resources');
  cleanup.run();
  t.same(undone, ['second', 'first', 'kept']);
});

t.test('testCleanup runs at teardown and fails the test on a failed task', async (t) => {
  const failures: string[] = [];
  let teardown: (() => void) | undefined;
  const c = testCleanup({ teardown: (fn) => (teardown = fn), fail: (m) => failures.push(m) });
  const ran: string[] = [];
  c.add('ok', () => ran.push('ok'));
  c.add('bad', () => {
    throw new Error('stuck');
  });
  t.same(ran, [], 'nothing runs before teardown');
  teardown!();
  t.same(ran, ['ok']);
  t.same(failures, ['cleanup: bad: stuck']);
});
