import t from 'tap';
import { netnsAllocated, settleNetns } from './netns-settle.js';

const slab = (n: number) =>
  [
    'slabinfo - version: 2.1',
    '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...',
    `net_namespace       ${n}   1134   4224    7    8 : tunables    0    0    0 : slabdata    162    162      0`,
    'netlink_sock         30     40   1152   28    8 : tunables    0    0    0 : slabdata      2      2      0',
  ].join('\n');

function deps(counts: (number | undefined)[]) {
  let i = 0;
  let clock = 0;
  return {
    read: () => {
      const c = counts[Math.min(i++, counts.length - 1)];
      return c === undefined ? undefined : slab(c);
    },
    sleep: async (ms: number) => void (clock += ms),
    now: () => clock,
  };
}

t.test('reads the allocated count of struct net from /proc/slabinfo', async (t) => {
  t.equal(netnsAllocated(slab(1100)), 1100);
  t.equal(netnsAllocated('slabinfo - version: 2.1\nkmalloc-64 1 2 3'), undefined);
});

t.test('waits while the kernel frees namespaces, and only then', async (t) => {
  t.same(await settleNetns(deps([1100, 900, 500, 42, 42])), { from: 1100, to: 42, waitedS: 4, gaveUp: false });
  t.same(await settleNetns(deps([42, 42])), { from: 42, to: 42, waitedS: 0, gaveUp: false }, 'a quiet kernel costs one sample');
  t.same(await settleNetns(deps([42, 50])), { from: 42, to: 50, waitedS: 0, gaveUp: false }, 'namespaces being made are not waited for');
  t.same(await settleNetns(deps([undefined])), { waitedS: 0, gaveUp: false }, 'no slabinfo: no wait');
});

t.test('gives up after its limit', async (t) => {
  const falling = Array.from({ length: 20 }, (_, i) => 2000 - i * 10);
  t.same(await settleNetns(deps(falling), 1000, 5000), { from: 2000, to: 1950, waitedS: 5, gaveUp: true });
});
