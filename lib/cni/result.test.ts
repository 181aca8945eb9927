import t from 'tap';
import { Code, CniError, convertResult, formatResult, parseResult, SUPPORTED_VERSIONS, type Result } from './index.js';

// A podlink ADD result in the internal (1.1.0) shape: host + pod interface, dual stack, a 1.1-only
// route attribute, DNS.
const full: Result = {
  interfaces: [
    { name: 'pl3f2a9c1d0e', mac: '02:00:00:00:00:01', mtu: 1500 },
    { name: 'eth0', mac: '02:00:00:00:00:02', mtu: 1500, sandbox: '/run/netns/pod1', pciID: '0000:00:01.0' },
  ],
  ips: [
    { address: '10.205.0.5/24', gateway: '10.205.0.1', interface: 1 },
    { address: 'fd00::5/64', gateway: 'fd00::1', interface: 1 },
  ],
  routes: [
    { dst: '0.0.0.0/0', gw: '10.205.0.1', mtu: 1400, table: 100 },
    { dst: '::/0', gw: 'fd00::1' },
  ],
  dns: { nameservers: ['10.96.0.10'], search: ['svc.cluster.local'] },
};

const dns = '"dns":{"nameservers":["10.96.0.10"],"search":["svc.cluster.local"]}';
const legacy = (v: string) =>
  `{"cniVersion":"${v}","ip4":{"ip":"10.205.0.5/24","gateway":"10.205.0.1","routes":[{"dst":"0.0.0.0/0","gw":"10.205.0.1"}]},` +
  `"ip6":{"ip":"fd00::5/64","gateway":"fd00::1","routes":[{"dst":"::/0","gw":"fd00::1"}]},${dns}}`;
const ifaces = '[{"name":"pl3f2a9c1d0e","mac":"02:00:00:00:00:01"},{"name":"eth0","mac":"02:00:00:00:00:02","sandbox":"/run/netns/pod1"}]';
const v03 = (v: string) =>
  `{"cniVersion":"${v}","interfaces":${ifaces},` +
  '"ips":[{"version":"4","interface":1,"address":"10.205.0.5/24","gateway":"10.205.0.1"},' +
  '{"version":"6","interface":1,"address":"fd00::5/64","gateway":"fd00::1"}],' +
  `"routes":[{"dst":"0.0.0.0/0","gw":"10.205.0.1"},{"dst":"::/0","gw":"fd00::1"}],${dns}}`;
const expected: Record<string, string> = {
  '0.1.0': legacy('0.1.0'),
  '0.2.0': legacy('0.2.0'),
  '0.3.0': v03('0.3.0'),
  '0.3.1': v03('0.3.1'),
  '0.4.0': v03('0.4.0'),
  '1.0.0':
    `{"cniVersion":"1.0.0","interfaces":${ifaces},` +
    '"ips":[{"interface":1,"address":"10.205.0.5/24","gateway":"10.205.0.1"},{"interface":1,"address":"fd00::5/64","gateway":"fd00::1"}],' +
    `"routes":[{"dst":"0.0.0.0/0","gw":"10.205.0.1"},{"dst":"::/0","gw":"fd00::1"}],${dns}}`,
  '1.1.0':
    '{"cniVersion":"1.1.0","interfaces":[{"name":"pl3f2a9c1d0e","mac":"02:00:00:00:00:01","mtu":1500},' +
    '{"name":"eth0","mac":"02:00:00:00:00:02","mtu":1500,"sandbox":"/run/netns/pod1","pciID":"0000:00:01.0"}],' +
    '"ips":[{"interface":1,"address":"10.205.0.5/24","gateway":"10.205.0.1"},{"interface":1,"address":"fd00::5/64","gateway":"fd00::1"}],' +
    `"routes":[{"dst":"0.0.0.0/0","gw":"10.205.0.1","mtu":1400,"table":100},{"dst":"::/0","gw":"fd00::1"}],${dns}}`,
};

t.test('every supported version has an expected ADD result', async (t) => {
  t.same(Object.keys(expected), [...SUPPORTED_VERSIONS]);
});

for (const v of SUPPORTED_VERSIONS) {
  t.test(`formatResult writes the ${v} shape exactly`, async (t) => {
    t.equal(JSON.stringify(formatResult(full, v)), expected[v]);
  });

  t.test(`parseResult(${v}) then formatResult(${v}) is the identity on the wire`, async (t) => {
    t.equal(JSON.stringify(formatResult(parseResult(expected[v], v), v)), expected[v]);
  });
}

t.test('abbreviated IPAM result, empty dns: reference-plugin shape per version', async (t) => {
  const ipam: Result = { interfaces: [], ips: [{ address: '10.205.0.5/24', gateway: '10.205.0.1' }], routes: [], dns: {} };
  const want: Record<string, string> = {
    '0.2.0': '{"cniVersion":"0.2.0","ip4":{"ip":"10.205.0.5/24","gateway":"10.205.0.1"},"dns":{}}',
    '0.3.1': '{"cniVersion":"0.3.1","ips":[{"version":"4","address":"10.205.0.5/24","gateway":"10.205.0.1"}],"dns":{}}',
    '0.4.0': '{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.205.0.5/24","gateway":"10.205.0.1"}],"dns":{}}',
    '1.0.0': '{"cniVersion":"1.0.0","ips":[{"address":"10.205.0.5/24","gateway":"10.205.0.1"}],"dns":{}}',
    '1.1.0': '{"cniVersion":"1.1.0","ips":[{"address":"10.205.0.5/24","gateway":"10.205.0.1"}],"dns":{}}',
  };
  for (const [version, json] of Object.entries(want)) t.equal(JSON.stringify(formatResult(ipam, version)), json, version);
  t.equal(JSON.stringify(formatResult({ interfaces: [], ips: [], routes: [], dns: {} }, '1.0.0')), '{"cniVersion":"1.0.0","dns":{}}');
});

const order = (v: string) => SUPPORTED_VERSIONS.indexOf(v as never);
for (const from of SUPPORTED_VERSIONS) {
  for (const to of SUPPORTED_VERSIONS) {
    if (order(from) < order(to)) continue;
    t.test(`convert ${from} → ${to} keeps everything ${to} can express`, async (t) => {
      t.equal(JSON.stringify(convertResult(expected[from], from, to)), expected[to]);
    });
  }
}

t.test('going up: from 0.2.0 yields no interfaces, from 1.0.0 no 1.1-only fields', async (t) => {
  const up = parseResult(expected['0.2.0'], '0.2.0');
  t.same(up.interfaces, []);
  t.same(up.ips, [
    { address: '10.205.0.5/24', gateway: '10.205.0.1' },
    { address: 'fd00::5/64', gateway: 'fd00::1' },
  ]);
  t.same(up.routes, [
    { dst: '0.0.0.0/0', gw: '10.205.0.1' },
    { dst: '::/0', gw: 'fd00::1' },
  ]);
  const from10 = parseResult(expected['1.0.0'], '1.0.0');
  t.equal(from10.interfaces[0]!.mtu, undefined);
  t.equal(from10.routes[0]!.table, undefined);
  // 0.3.x ↔ 1.0.0 is lossless
  t.strictSame(parseResult(expected['0.3.1'], '0.3.1'), from10);
});

t.test('going down to 0.2.0 keeps only the first address of each family', async (t) => {
  const two: Result = {
    interfaces: [],
    ips: [{ address: '10.0.0.2/24' }, { address: '10.0.0.3/24' }],
    routes: [{ dst: '10.1.0.0/16' }],
    dns: {},
  };
  t.equal(
    JSON.stringify(formatResult(two, '0.2.0')),
    '{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24","routes":[{"dst":"10.1.0.0/16"}]},"dns":{}}',
  );
});

t.test('a result’s own cniVersion decides its shape', async (t) => {
  // A 0.3.1 result (with ips[].version) while the config speaks 1.0.0.
  const r = parseResult(expected['0.3.1'], '1.0.0');
  t.equal(r.ips.length, 2);
  // No cniVersion in the object: the given version is used.
  const noVersion = JSON.parse(expected['0.2.0']!);
  delete noVersion.cniVersion;
  t.equal(parseResult(noVersion, '0.2.0').ips[0]!.address, '10.205.0.5/24');
});

t.test('interface index -1 and null mean unset', async (t) => {
  const r = parseResult(
    {
      cniVersion: '1.0.0',
      ips: [
        { address: '10.0.0.2/24', interface: -1 },
        { address: '10.0.0.3/24', interface: null },
      ],
    },
    '1.0.0',
  );
  t.strictSame(r.ips, [{ address: '10.0.0.2/24' }, { address: '10.0.0.3/24' }]);
});

const garbage: [string, unknown, string, number, RegExp][] = [
  ['not JSON', 'this is not JSON {', '1.0.0', Code.DecodeFailure, /error decoding result/],
  ['JSON null', 'null', '1.0.0', Code.DecodeFailure, /must be an object/],
  ['a list', [], '1.0.0', Code.DecodeFailure, /must be an object, got a list/],
  [
    'address without prefix',
    { ips: [{ address: '10.0.0.5' }] },
    '1.0.0',
    Code.DecodeFailure,
    /ips\[0\]\.address must be an address in CIDR notation/,
  ],
  ['missing address', { ips: [{ gateway: '10.0.0.1' }] }, '1.1.0', Code.DecodeFailure, /ips\[0\]\.address is required/],
  [
    'bad gateway',
    { ips: [{ address: '10.0.0.5/24', gateway: 'ten' }] },
    '1.0.0',
    Code.DecodeFailure,
    /ips\[0\]\.gateway must be an IP address/,
  ],
  ['interfaces not a list', { interfaces: {} }, '1.0.0', Code.DecodeFailure, /interfaces must be a list/],
  ['interface without name', { interfaces: [{ mac: 'x' }] }, '0.4.0', Code.DecodeFailure, /interfaces\[0\]\.name is required/],
  [
    'version/family mismatch',
    { ips: [{ version: '6', address: '10.0.0.5/24' }] },
    '0.3.1',
    Code.DecodeFailure,
    /ips\[0\]\.version is "6" but address 10\.0\.0\.5\/24 is IPv4/,
  ],
  ['route dst prefix out of range', { routes: [{ dst: '10.0.0.0/33' }] }, '1.0.0', Code.DecodeFailure, /routes\[0\]\.dst/],
  [
    '1.1 route table not an integer',
    { routes: [{ dst: '0.0.0.0/0', table: 'main' }] },
    '1.1.0',
    Code.DecodeFailure,
    /routes\[0\]\.table must be an integer/,
  ],
  ['ip4 holding an IPv6 address', { ip4: { ip: 'fd00::5/64' } }, '0.2.0', Code.DecodeFailure, /ip4\.ip must be an IPv4 address/],
  ['dns.nameservers not strings', { dns: { nameservers: [1] } }, '1.0.0', Code.DecodeFailure, /dns\.nameservers\[0\] must be a string/],
  ['unsupported result version', { cniVersion: '9.9.9' }, '1.0.0', Code.IncompatibleVersion, /incompatible CNI versions/],
];
for (const [what, input, version, code, msg] of garbage) {
  t.test(`parseResult rejects ${what} (${version}) with code ${code}`, async (t) => {
    const err = t.throws(() => parseResult(input, version)) as unknown as CniError;
    t.type(err, CniError);
    t.equal(err.code, code);
    t.match(err.msg, msg);
  });
}

t.test('formatResult refuses an unsupported version', async (t) => {
  t.throws(() => formatResult(full, '2.0.0'), { code: Code.IncompatibleVersion });
});
