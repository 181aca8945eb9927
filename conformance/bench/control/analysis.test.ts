// The scaling line's host-local term: the "wait for IPAM" step's p50 at pod #N less at pod #10, per round.
import t from 'tap';
import { attachStepsMs, ipamGrowth } from './analysis.js';
import { floorSection } from './floor-markdown.js';

const round = {
  add10: [
    { id: 'a', ms: 90 },
    { id: 'b', ms: 95 },
    { id: 'c', ms: 92 },
  ],
  addN: [
    { id: 'a', ms: 110 },
    { id: 'b', ms: 112 },
    { id: 'c', ms: 108 },
  ],
  del10: [],
  delN: [],
};

t.test("host-local's growth is the wait-for-IPAM p50 at #N less at #10", async (t) => {
  const steps = new Map<string, Record<string, number>>();
  for (const [id, small, big] of [
    ['a', 1, 15],
    ['b', 2, 16],
    ['c', 1.5, 14],
  ] as const) {
    steps.set(`n10/ADD/${id}`, { 'wait for IPAM': small });
    steps.set(`nN/ADD/${id}`, { 'wait for IPAM': big });
  }
  t.equal(ipamGrowth(steps, round), 15 - 1.5);
});

t.test('no step times (an old log, a failed call): nothing is subtracted; a faster #N subtracts nothing', async (t) => {
  t.equal(ipamGrowth(new Map(), round), 0);
  const steps = new Map<string, Record<string, number>>([
    ['n10/ADD/a', { 'wait for IPAM': 5 }],
    ['nN/ADD/a', { 'wait for IPAM': 1 }],
  ]);
  t.equal(ipamGrowth(steps, round), 0);
});

t.test("podlink's own attach: the sum of its 'attach BPF' steps, whatever their split; none → NaN", async (t) => {
  t.equal(attachStepsMs({ 'create link pair': 1, 'attach BPF from-pod hook': 14.5, 'wait for IPAM': 0.4, 'attach BPF to-pod hook': 10.5 }), 25);
  t.equal(attachStepsMs({ 'attach BPF datapath': 29.3 }), 29.3);
  t.ok(Number.isNaN(attachStepsMs({ 'create link pair': 1 })));
  t.ok(Number.isNaN(attachStepsMs(undefined)));
});

t.test('the floor section shows podlink attach and the info ratio only when given', async (t) => {
  const fl = { add: [25], pair: [0.2], attach: [24], del: [47], plainDel: [16], delExtra: [31], c8: { add: [110], pair: [1], attach: [109], del: [200] } };
  const without = floorSection(fl, 100, 32).join('\n');
  t.notMatch(without, /podlink attach/);
  const withOwn = floorSection(fl, 100, 32, { ownAttach: [29.5, 28.9, 29.6], addLessOwnAttach: [0.74, 0.8, 0.85] }).join('\n');
  t.match(withOwn, /\| podlink attach \| .* \| 29\.50 \(28\.90–29\.60\) \| – \|/);
  t.match(withOwn, /podlink attach p50\) ÷ ptp ADD p50 = 0\.74, 0\.80, 0\.85 \(per round\)/);
});
