import t from 'tap';
import { parseRrOutput } from './rr-output.js';

const rr = 'mode=rr\ntransactions=52414\nseconds=1.000016\nrate=52413.1\nerrors=0\nmin_us=16.97\np50_us=17.34\np90_us=19.00\np99_us=49.08\nmax_us=2870.55\nmean_us=19.08\n';

t.test('parses a tcp-rr report', async (t) => {
  t.same(parseRrOutput(rr), { mode: 'rr', transactions: 52414, seconds: 1.000016, rate: 52413.1, errors: 0, p50Us: 17.34, p90Us: 19, p99Us: 49.08, meanUs: 19.08 });
  t.equal(parseRrOutput(rr.replace('mode=rr', 'mode=crr')).mode, 'crr');
});

t.test('refuses a report without a mode, a number or any transaction', async (t) => {
  t.throws(() => parseRrOutput('listening\n'), /no mode/);
  t.throws(() => parseRrOutput(rr.replace('p99_us=49.08', 'p99_us=x')), /p99_us missing or not a number/);
  t.throws(() => parseRrOutput('mode=crr\ntransactions=0\nseconds=1\nrate=0\nerrors=5\n'), /no transaction completed/);
});
