// The scaling line's host-local term: the "wait for IPAM" step's p50 at pod #N less at pod #10, per round.
import t from 'tap';
import { ipamGrowth } from './analysis.js';

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
