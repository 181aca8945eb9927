import t from 'tap';
import { hostIfName } from '../connector/index.js';
import type { Link, Netlink } from '../netlink/index.js';
import { detachScope } from './detach-scope.js';
import type { EndpointRecord } from './endpoint-record.js';

const host = hostIfName('c1', 'eth0');
const link = (index: number, name: string, kind = 'veth'): Link => ({
  index,
  name,
  flags: 0,
  kind,
  attrs: new Map() as unknown as Link['attrs'],
});
const node = (...links: Link[]) =>
  ({
    linkByName: (n: string) => links.find((l) => l.name === n),
    linkByIndex: (i: number) => links.find((l) => l.index === i),
  }) as unknown as Netlink;
const rec = (over: Partial<EndpointRecord> = {}): EndpointRecord =>
  ({
    v: 1,
    network: 'n',
    containerId: 'c1',
    ifname: 'eth0',
    netns: '/x',
    mode: 'veth',
    hostIfName: host,
    hostIfindex: 7,
    ips: ['10.1.0.5/32'],
    pins: [],
    createdAt: '2026-01-01T00:00:00Z',
    ...over,
  }) as EndpointRecord;

t.test('the live link matching the record proves the ifindex and IPs', async (t) => {
  t.same(detachScope(node(link(7, host)), 'c1', 'eth0', rec()), { hostIfName: host, ifindex: 7, ips: ['10.1.0.5/32'] });
});

t.test('the host name is derived from containerID and ifname, never read from the record', async (t) => {
  const s = detachScope(node(link(7, host), link(9, 'plvictim00000')), 'c1', 'eth0', rec({ hostIfName: 'plvictim00000', hostIfindex: 9 }));
  t.equal(s.hostIfName, host);
  t.same(s.ips, [], 'the record points at another device: no map entries');
  t.equal(s.ifindex, undefined);
});

t.test('a live link of another kind or ifindex than recorded: only our pins go', async (t) => {
  for (const [what, l, r] of [
    ['other ifindex', link(8, host), rec()],
    ['other kind', link(7, host, 'dummy'), rec()],
    ['other mode', link(7, host), rec({ mode: 'netkit' })],
  ] as const) {
    t.same(detachScope(node(l), 'c1', 'eth0', r), { hostIfName: host, ifindex: undefined, ips: [] }, what);
  }
});

t.test('link gone: entries for the recorded ifindex are dangling only if no device holds it', async (t) => {
  t.same(detachScope(node(), 'c1', 'eth0', rec()), { hostIfName: host, ifindex: 7, ips: ['10.1.0.5/32'] }, 'nobody has ifindex 7');
  t.same(
    detachScope(node(link(7, 'plother000000')), 'c1', 'eth0', rec()),
    { hostIfName: host, ifindex: undefined, ips: [] },
    'another device has ifindex 7',
  );
});

t.test('no record, or an intent record without an ifindex', async (t) => {
  t.same(detachScope(node(link(7, host)), 'c1', 'eth0', undefined), { hostIfName: host, ifindex: undefined, ips: [] });
  t.same(detachScope(node(), 'c1', 'eth0', rec({ hostIfindex: undefined })), { hostIfName: host, ifindex: undefined, ips: [] });
  t.same(
    detachScope(node(link(7, host)), 'c1', 'eth0', rec({ hostIfindex: undefined })).ifindex,
    7,
    'intent record + our kind of link under our name',
  );
});
