import t from 'tap';
import { parseMixOutput } from './mix-output.js';

const rr = 'target=0\nmode=rr\nseconds=1.000016\ncpu_seconds=0.93\nerrors=0\ntransactions=52414\nrate=52413.1\nmin_us=16.97\np50_us=17.34\np90_us=19.00\np99_us=49.08\nmax_us=2870.55\nmean_us=19.08\n';
const stream = 'target=0\nmode=stream\nseconds=3.000816\ncpu_seconds=3.94\nerrors=0\nbytes=7906131968\ngbps=21.077\n';

t.test('parses rr, crr and stream blocks in target order', async (t) => {
  t.same(parseMixOutput(rr, 1), [{ rr: { mode: 'rr', transactions: 52414, seconds: 1.000016, cpuSeconds: 0.93, rate: 52413.1, errors: 0, p50Us: 17.34, p90Us: 19, p99Us: 49.08, meanUs: 19.08 } }]);
  const two = parseMixOutput(`${stream}${rr.replace('target=0', 'target=1').replace('mode=rr', 'mode=crr')}`, 2);
  t.same(two[0], { stream: { bytes: 7906131968, gbps: 21.077, seconds: 3.000816, cpuSeconds: 3.94 } });
  t.equal('rr' in two[1]! && two[1].rr.mode, 'crr');
});

t.test('a target that could not be measured is an error for that target only', async (t) => {
  const out = parseMixOutput(`target=0\nerror=/run/netns/x,10.0.0.1,7001: connect failed\n${stream.replace('target=0', 'target=1')}`, 2);
  t.same(out[0], { error: 'tcp-mix: /run/netns/x,10.0.0.1,7001: connect failed' });
  t.ok('stream' in out[1]!);
  t.same(parseMixOutput(rr.replace('transactions=52414', 'transactions=0'), 1), [{ error: 'tcp-mix: no transaction completed' }]);
});

t.test('refuses a report with missing, extra or misordered blocks, or a bad number', async (t) => {
  t.throws(() => parseMixOutput('listening\n', 1), /0 target blocks in output, expected 1/);
  t.throws(() => parseMixOutput(rr + rr.replace('target=0', 'target=1'), 1), /2 target blocks/);
  t.throws(() => parseMixOutput(rr.replace('target=0', 'target=1'), 1), /target 1 out of order/);
  t.throws(() => parseMixOutput(rr.replace('p99_us=49.08', 'p99_us=x'), 1), /p99_us missing or not a number/);
  t.throws(() => parseMixOutput(rr.replace('mode=rr', 'mode=udp'), 1), /no mode/);
});
