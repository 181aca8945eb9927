import t from 'tap';
import { toKubeNode } from './index.js';

const node = (spec: unknown, addresses: unknown, meta: object = { name: 'n1', resourceVersion: '7' }) => ({
  kind: 'Node',
  metadata: meta,
  spec,
  status: { addresses },
});
const ip = (type: string, address: string) => ({ type, address });

t.test('toKubeNode: pod CIDRs — spec.podCIDRs, else spec.podCIDR, else none', async (t) => {
  const cases: [string, unknown, string[]][] = [
    ['dual-stack podCIDRs', { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24', 'fd00:1::/64'] }, ['10.1.0.0/24', 'fd00:1::/64']],
    ['only podCIDR (old clusters)', { podCIDR: '10.1.0.0/24' }, ['10.1.0.0/24']],
    ['empty podCIDRs falls back to podCIDR', { podCIDR: '10.1.0.0/24', podCIDRs: [] }, ['10.1.0.0/24']],
    ['none allocated yet', {}, []],
    ['podCIDR empty string', { podCIDR: '' }, []],
    ['null podCIDRs', { podCIDRs: null }, []],
    ['no spec at all', undefined, []],
    ['raw strings are not validated', { podCIDRs: ['garbage'] }, ['garbage']],
  ];
  for (const [name, spec, want] of cases) {
    t.same(toKubeNode(node(spec, [])), { name: 'n1', podCIDRs: want, addresses: [], resourceVersion: '7' }, name);
  }
});

t.test('toKubeNode: addresses — InternalIP per family, ExternalIP only for a family without one', async (t) => {
  const cases: [string, unknown[], string[]][] = [
    ['InternalIP wins over ExternalIP', [ip('ExternalIP', '192.0.2.1'), ip('InternalIP', '10.0.0.1')], ['10.0.0.1']],
    ['ExternalIP when no InternalIP', [ip('ExternalIP', '192.0.2.1'), ip('Hostname', 'n1')], ['192.0.2.1']],
    [
      'per family: v4 internal, v6 external',
      [ip('InternalIP', '10.0.0.1'), ip('ExternalIP', '2001:db8::1'), ip('ExternalIP', '192.0.2.1')],
      ['10.0.0.1', '2001:db8::1'],
    ],
    [
      'both families internal',
      [ip('InternalIP', '10.0.0.1'), ip('InternalIP', 'fd00::1'), ip('ExternalIP', 'fd00::9')],
      ['10.0.0.1', 'fd00::1'],
    ],
    ['every InternalIP of a family kept', [ip('InternalIP', '10.0.0.1'), ip('InternalIP', '10.0.0.2')], ['10.0.0.1', '10.0.0.2']],
    ['Hostname and InternalDNS ignored', [ip('Hostname', 'n1'), ip('InternalDNS', 'n1.local')], []],
  ];
  for (const [name, addrs, want] of cases) t.same((toKubeNode(node({}, addrs)) as { addresses: string[] }).addresses, want, name);
  const bare = toKubeNode({ metadata: { name: 'bare' } });
  t.same(bare, { name: 'bare', podCIDRs: [], addresses: [], resourceVersion: '' }, 'no spec, no status');
});

t.test('toKubeNode: malformed objects are errors that name the field, never throws', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /not a JSON object/],
    ['array', [], /not a JSON object/],
    ['string', 'node', /not a JSON object/],
    ['no metadata', { spec: {} }, /no metadata/],
    ['numeric name', { metadata: { name: 42 } }, /metadata.name/],
    ['empty name', { metadata: { name: '' } }, /metadata.name/],
    ['spec is a list', { metadata: { name: 'n' }, spec: [] }, /"n": spec is not an object/],
    ['podCIDRs a string', node({ podCIDRs: '10.1.0.0/24' }, []), /spec.podCIDRs is not a list/],
    ['podCIDRs with a number', node({ podCIDRs: ['10.1.0.0/24', 7] }, []), /spec.podCIDRs\[1\] is not a string/],
    ['podCIDR a number', node({ podCIDR: 7 }, []), /spec.podCIDR is not a string/],
    ['status a string', { metadata: { name: 'n' }, status: 'x' }, /status is not an object/],
    ['addresses an object', node({}, { InternalIP: '10.0.0.1' }), /status.addresses is not a list/],
    ['address without type', node({}, [{ address: '10.0.0.1' }]), /status.addresses\[0\]/],
    ['address a number', node({}, [ip('InternalIP', '10.0.0.1'), { type: 'InternalIP', address: 1 }]), /status.addresses\[1\]/],
  ];
  for (const [name, obj, want] of cases) {
    const r = toKubeNode(obj);
    t.ok('error' in r, `${name}: an error`);
    if ('error' in r) t.match(r.error, want, name);
  }
});
