import t from 'tap';
import { busySeconds, parseProcStat } from './cpu.js';

const before = 'cpu  100 5 50 1000 10 1 4 0 7 0\ncpu0 50 2 25 500 5 1 2 0 0 0\nintr 1 2 3\n';
const after = 'cpu  180 5 90 1100 30 1 14 0 9 0\ncpu0 90 2 45 550 15 1 7 0 0 0\n';

t.test('parses the aggregate line, not cpu0', async (t) => {
  t.same(parseProcStat(before).fields, [100, 5, 50, 1000, 10, 1, 4, 0, 7, 0]);
});

t.test('busy seconds leave out idle, iowait and the guest fields', async (t) => {
  // user +80, system +40, softirq +10 = 130 jiffies; idle, iowait and guest changes are ignored
  t.equal(busySeconds(parseProcStat(before), parseProcStat(after)), 1.3);
});

t.test('a file without a cpu line is an error', async (t) => {
  t.throws(() => parseProcStat('intr 1\n'), /no aggregate cpu line/);
  t.throws(() => parseProcStat('cpu  a b c d\n'), /cannot parse/);
});
