// `--compare`: the option, the contenders' rotating order in the RSS/CPU phase, and the two ratio lines.
import t from 'tap';
import { compareLines } from './analysis.js';
import { options } from './options.js';
import { rotated } from './rss.js';

t.test('--compare is resolved to an absolute path, and absent by default', async (t) => {
  t.equal(options([]).compare, undefined);
  t.equal(options(['--compare', '/tmp/old/podlink']).compare, '/tmp/old/podlink');
  t.match(options(['--compare', 'old/podlink']).compare, /^\/.*\/old\/podlink$/);
});

t.test('each contender comes first, second and third equally often', async (t) => {
  const who = ['podlink', 'ptp', 'compare'];
  const orders = Array.from({ length: 9 }, (_, i) => rotated(who, i));
  t.same(orders.slice(0, 3), [
    ['podlink', 'ptp', 'compare'],
    ['ptp', 'compare', 'podlink'],
    ['compare', 'podlink', 'ptp'],
  ]);
  for (const w of who)
    for (let pos = 0; pos < 3; pos++) t.equal(orders.filter((o) => o[pos] === w).length, 3, `${w} at position ${pos}`);
  // Two contenders alternate, as the phase ran before --compare existed.
  t.same([0, 1, 2].map((i) => rotated(['podlink', 'ptp'], i)), [['podlink', 'ptp'], ['ptp', 'podlink'], ['podlink', 'ptp']]);
});

t.test('the ratio lines divide run by run; CPU is judged against half, peak RSS is information', async (t) => {
  t.same(compareLines({ podlinkKb: [1], podlinkCpu: [1], compareKb: [], compareCpu: [] }), [], 'no lines without --compare');
  const lines = compareLines({
    podlinkKb: [38_000, 38_100, 38_200],
    compareKb: [76_000, 76_000, 76_000],
    podlinkCpu: [0.04, 0.045, 0.05],
    compareCpu: [0.08, 0.08, 0.08],
  });
  t.same(lines.map((l) => l.name), ['peak RSS vs --compare', 'CPU vs --compare']);
  t.same(lines[0]!.perRound, [0.5, 0.5013, 0.5026]);
  t.equal(lines[0]!.verdict, 'N/A', 'no target: both executables are written alike, so #18\'s write-size cut is not in it');
  t.equal(lines[1]!.target, 0.5);
  t.same(lines[1]!.perRound, [0.5, 0.5625, 0.625]);
  t.equal(lines[1]!.verdict, 'NOISY', 'one run at exactly half, two above: the interval straddles');
  const cpu = (podlinkCpu: number[]) => compareLines({ podlinkKb: [1, 1, 1], compareKb: [2, 2, 2], podlinkCpu, compareCpu: [0.08, 0.08, 0.08] })[1]!.verdict;
  t.equal(cpu([0.03, 0.035, 0.04]), 'PASS');
  t.equal(cpu([0.07, 0.07, 0.07]), 'MISS');
});
