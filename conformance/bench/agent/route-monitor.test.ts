import t from 'tap';
import { canonical, ExpectationSet } from './route-monitor.js';

t.test('an add expectation holds once the route is there via the right gateway, with the completing stamp', async (t) => {
  const s = new ExpectationSet([{ op: 'add', dst: '10.128.1.0/24', gw: '10.80.0.1' }, { op: 'add', dst: 'fd00:244:0001::/64', gw: 'fd00:80:0::1' }]);
  s.apply({ op: 'add', dst: '10.128.1.0/24', gw: '10.80.0.1', t: 5 });
  t.equal(s.done, undefined);
  s.apply({ op: 'add', dst: '10.128.2.0/24', gw: '10.80.0.2', t: 6 });
  t.equal(s.done, undefined, 'another route does not count');
  s.apply({ op: 'add', dst: 'fd00:244:1::/64', gw: 'fd00:80::9', t: 7 });
  t.equal(s.done, undefined, 'the wrong gateway does not count');
  s.apply({ op: 'add', dst: 'fd00:244:1::/64', gw: 'fd00:80::1', t: 8 });
  t.equal(s.done, 8, 'canonical forms compared; done at the completing event');
  s.apply({ op: 'add', dst: '10.128.9.0/24', gw: '10.80.0.9', t: 9 });
  t.equal(s.done, 8, 'later unrelated events keep the stamp');
});

t.test('a modify starts from the current state: the old gateway is not the new one', async (t) => {
  const current = new Map([['10.128.1.0/24', '10.80.0.1']]);
  const s = new ExpectationSet([{ op: 'add', dst: '10.128.1.0/24', gw: '10.80.128.1' }], current);
  t.equal(s.metCount, 0);
  s.apply({ op: 'del', dst: '10.128.1.0/24', t: 1 });
  s.apply({ op: 'add', dst: '10.128.1.0/24', gw: '10.80.128.1', t: 2 });
  t.equal(s.done, 2);
});

t.test('a delete holds when the route goes; a route coming back undoes it', async (t) => {
  const s = new ExpectationSet([{ op: 'del', dst: '10.128.1.0/24' }, { op: 'del', dst: '10.128.5.0/24' }], new Map([['10.128.1.0/24', '10.80.0.1']]));
  t.equal(s.metCount, 1, 'a route that is not there is already gone');
  s.apply({ op: 'del', dst: '10.128.1.0/24', t: 3 });
  t.equal(s.done, 3);
  s.apply({ op: 'add', dst: '10.128.1.0/24', gw: '10.80.0.1', t: 4 });
  t.equal(s.done, undefined, 'undone');
  t.equal(s.size, 2);
});

t.test('canonical forms of addresses and CIDRs', async (t) => {
  t.equal(canonical('fd00:0080:0::0001'), 'fd00:80::1');
  t.equal(canonical('FD00:244:0A::/64'), 'fd00:244:a::/64');
  t.equal(canonical('10.80.0.1'), '10.80.0.1');
});
