import t from 'tap';
import { backoffDelay } from './index.js';
import { LineSplitter } from './lines.js';

t.test('LineSplitter: lines across chunk boundaries, a UTF-8 character split between chunks, the last line', async (t) => {
  const s = new LineSplitter(1000);
  const text = Buffer.from('{"a":1}\n{"b":"é€"}\n\n{"c"');
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 3) out.push(...s.push(text.subarray(i, i + 3)));
  out.push(...s.push(Buffer.from(':2}\n{"d":4}')));
  t.same(out, ['{"a":1}', '{"b":"é€"}', '{"c":2}']);
  t.same(s.end(), ['{"d":4}'], 'a last line without its newline');
  t.same(s.end(), [], 'nothing after the end');
});

t.test('LineSplitter: a runaway line (no newline) fails instead of growing without bound', async (t) => {
  const s = new LineSplitter(10);
  t.same(s.push(Buffer.from('0123456789\n')), ['0123456789']);
  t.throws(() => s.push(Buffer.from('0123456789x')), /longer than 10 bytes/);
});

t.test('backoffDelay: doubles from initialMs, capped at maxMs, with half of it random', async (t) => {
  const b = { initialMs: 100, maxMs: 1000 };
  t.same(
    [1, 2, 3, 4, 5, 50].map((n) => backoffDelay(b, n, () => 1)),
    [100, 200, 400, 800, 1000, 1000],
    'the upper bounds',
  );
  t.same(
    [1, 2, 5].map((n) => backoffDelay(b, n, () => 0)),
    [50, 100, 500],
    'the lower bounds: half',
  );
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(b, 3);
    if (d < 200 || d > 400) t.fail(`attempt 3 out of [200, 400]: ${d}`);
  }
  t.equal(
    backoffDelay(b, 0, () => 1),
    100,
    'attempt 0 counts as the first',
  );
});
