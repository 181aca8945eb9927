// LazyPins: opened on first use and once, closed together (only what was opened), unknown keys undefined.
import t from 'tap';
import { LazyPins } from './lazy-pins.js';

function pins() {
  const log: string[] = [];
  const p = new LazyPins(['a', 'b', 'c'], (k: string) => {
    if (k === 'c') throw new Error('c is not pinned');
    log.push(`open ${k}`);
    return { k, close: () => log.push(`close ${k}`) };
  });
  return { p, log };
}

t.test('opens a pin on its first get and only once', async (t) => {
  const { p, log } = pins();
  t.same(log, [], 'nothing opened up front');
  t.equal(p.get('a')!.k, 'a');
  t.equal(p.get('a')!.k, 'a');
  t.equal(p.get('x'), undefined, 'a key that is not ours');
  p.close();
  t.same(log, ['open a', 'close a'], 'b was never opened, so never closed');
});

t.test('iterating or openAll opens every one; a failure names the pin', async (t) => {
  const { p, log } = pins();
  t.throws(() => p.openAll(), /c is not pinned/);
  p.close();
  t.same(log, ['open a', 'open b', 'close a', 'close b']);
});
