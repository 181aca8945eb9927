import t, { type Test } from 'tap';
import { readFile } from 'node:fs/promises';
import { CniError, Code, parseNetConf, SUPPORTED_VERSIONS } from './index.js';
// @ts-ignore -- plain .mjs build script, no type declarations
import { generateValidators, DEFAULT_OUT_DIR } from './build-validators.mjs';

const base = { cniVersion: '1.0.0', name: 'podnet', type: 'podlink', ipam: { type: 'host-local', subnet: '10.205.0.0/24' } };
const parse = (o: unknown) => parseNetConf(Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)));

function fails(t: Test, input: unknown, code: number, msg: RegExp | string): CniError {
  const e = t.throws(() => parse(input)) as unknown as CniError;
  t.type(e, CniError);
  t.equal(e.code, code);
  typeof msg === 'string' ? t.equal(e.msg, msg) : t.match(e.msg, msg);
  return e;
}

t.test('the generated validator is up to date with netconf.schema.json', async (t) => {
  const fresh: Record<string, string> = await generateValidators();
  for (const [name, text] of Object.entries(fresh)) {
    t.equal(await readFile(`${DEFAULT_OUT_DIR}/${name}`, 'utf8'), text, `${name} matches (run node lib/cni/build-validators.mjs)`);
  }
  t.notMatch(fresh['netconf-validate.js']!, /\brequire\(/, 'pure ESM');
});

t.test('a minimal config gets the documented defaults', async (t) => {
  const c = parse(base);
  t.equal(c.cniVersion, '1.0.0');
  t.equal(c.name, 'podnet');
  t.equal(c.type, 'podlink');
  t.equal(c.mode, 'auto');
  t.equal(c.modeFile, '/run/podlink/mode.json');
  t.equal(c.stateDir, '/var/lib/podlink');
  t.equal(c.bpfRoot, '/sys/fs/bpf/podlink');
  t.equal(c.antiSpoof, true);
  t.equal(c.hostRouting, 'auto');
  t.same(c.clusterCIDRs, []);
  t.same(c.runtimeConfig, {});
  t.same(c.ipam, { type: 'host-local', subnet: '10.205.0.0/24' });
  t.equal(c.mtu, undefined);
  t.equal(c.prevResult, undefined);
  t.equal(c.validAttachments, undefined);
});

t.test('raw keeps the object verbatim: no defaults, unknown keys, original runtimeConfig spelling', async (t) => {
  const input = {
    ...base,
    someUnknownKey: { kept: 'verbatim' },
    capabilities: { portMappings: true },
    runtimeConfig: { PortMappings: [{ HostPort: 1, ContainerPort: 2 }] },
  };
  const c = parse(input);
  t.strictSame(c.raw, input);
  t.notOk('mode' in c.raw, 'defaults are not written into raw');
  t.same(c.runtimeConfig, { portMappings: [{ hostPort: 1, containerPort: 2 }] });
});

t.test('every podlink field is read', async (t) => {
  const fields = {
    mode: 'netkit-l2',
    mtu: 9000,
    logFile: '/tmp/p.log',
    logLevel: 'debug',
    modeFile: '/run/m.json',
    stateDir: '/s',
    bpfRoot: '/sys/fs/bpf/x',
    antiSpoof: false,
    hostRouting: 'legacy',
    clusterCIDRs: ['10.0.0.0/8', 'fd00::/48'],
    gsoMaxSize: 196608,
    groMaxSize: 196608,
    headroom: 256,
    tailroom: 0,
    dns: { nameservers: ['10.96.0.10'], search: ['a'] },
    args: { cni: { ips: ['10.205.0.9'] } },
  };
  t.match(parse({ ...base, ...fields }), fields);
});

t.test('missing cniVersion is a 0.1.0 config', async (t) => {
  const { cniVersion: _, ...noVersion } = base;
  t.equal(parse(noVersion).cniVersion, '0.1.0');
  t.equal(parse({ ...base, cniVersion: '' }).cniVersion, '0.1.0');
});

for (const v of SUPPORTED_VERSIONS) {
  t.test(`cniVersion ${v} is accepted`, async (t) => {
    t.equal(parse({ ...base, cniVersion: v }).cniVersion, v);
  });
}

t.test('unsupported cniVersion → code 1 listing the supported versions', async (t) => {
  const e = fails(t, { ...base, cniVersion: '9.9.9' }, Code.IncompatibleVersion, 'incompatible CNI versions');
  t.equal(e.details, 'config is "9.9.9", plugin supports [0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0]');
  fails(t, { ...base, cniVersion: 1 }, Code.InvalidConfig, 'cniVersion must be a string');
});

t.test('bad JSON → code 6', async (t) => {
  fails(t, '{"cniVersion":"1.0.0",', Code.DecodeFailure, /^error decoding network config: /);
  fails(t, '', Code.DecodeFailure, /^error decoding network config: /);
  fails(t, '[1,2]', Code.DecodeFailure, 'error decoding network config: not a JSON object');
  fails(t, 'null', Code.DecodeFailure, 'error decoding network config: not a JSON object');
});

t.test('hostile nesting → code 6 naming the limit, at any depth, without a stack overflow', async (t) => {
  const nested = (d: number, open = '[', close = ']') =>
    JSON.stringify(base).replace(/}$/, `,"deep":${open.repeat(d)}1${close.repeat(d)}}`);
  for (const d of [64, 5000, 200000])
    fails(t, nested(d), Code.DecodeFailure, 'error decoding network config: nested deeper than 64 levels');
  fails(t, nested(64, '{"a":', '}'), Code.DecodeFailure, 'error decoding network config: nested deeper than 64 levels');
  t.equal(parse(JSON.parse(nested(62))).name, base.name, '63 levels (the config object plus 62) are fine');
});

const invalid: [string, Record<string, unknown>, RegExp | string][] = [
  ['ipam without type', { ...base, ipam: { subnet: '10.0.0.0/24' } }, 'ipam.type is required'],
  ['ipam.type with a slash', { ...base, ipam: { type: '../../bin/sh' } }, /^ipam\.type must be a plugin file name/],
  ['unknown mode', { ...base, mode: 'fast' }, 'mode must be one of auto, veth, netkit, netkit-l2 (got "fast")'],
  ['unknown hostRouting', { ...base, hostRouting: 'xdp' }, /^hostRouting must be one of auto, bpf, legacy/],
  ['mtu too small', { ...base, mtu: 50 }, 'mtu must be between 68 and 65535 (got 50)'],
  ['mtu as a string', { ...base, mtu: '1500' }, 'mtu must be an integer (got "1500")'],
  ['headroom above u16', { ...base, headroom: 70000 }, /^headroom must be between 0 and 65535/],
  ['gsoMaxSize not an integer', { ...base, gsoMaxSize: 1.5 }, /^gsoMaxSize must be an integer/],
  ['antiSpoof not a boolean', { ...base, antiSpoof: 'yes' }, /^antiSpoof must be a boolean/],
  ['logLevel unknown', { ...base, logLevel: 'trace' }, /^logLevel must be one of error, warn, info, debug/],
  ['relative logFile', { ...base, logFile: 'podlink.log' }, /^logFile must be an absolute path/],
  ['name missing', { cniVersion: '1.0.0', type: 'podlink' }, 'name is required'],
  ['name with a space', { ...base, name: 'pod net' }, /^name must start with a letter or digit/],
  ['name starting with a dot', { ...base, name: '.hidden' }, /^name must start with a letter or digit/],
  ['type missing', { cniVersion: '1.0.0', name: 'n' }, 'type is required'],
  ['clusterCIDRs not a list', { ...base, clusterCIDRs: '10.0.0.0/8' }, /^clusterCIDRs must be a list/],
  ['clusterCIDRs entry not CIDR-like', { ...base, clusterCIDRs: ['10.0.0.0'] }, /^clusterCIDRs\[0\] must be an address in CIDR notation/],
  [
    'clusterCIDRs entry with bad prefix',
    { ...base, clusterCIDRs: ['10.0.0.0/8', '10.0.0.0/40'] },
    'clusterCIDRs[1] must be an address in CIDR notation (got "10.0.0.0/40")',
  ],
  ['dns.nameservers not strings', { ...base, dns: { nameservers: [1] } }, /^dns\.nameservers\[0\] must be a string/],
  ['runtimeConfig not an object', { ...base, runtimeConfig: [] }, /^runtimeConfig must be an object/],
  [
    'runtimeConfig hostPort not a number',
    { ...base, runtimeConfig: { portMappings: [{ HostPort: 'x', containerPort: 80 }] } },
    'runtimeConfig.portMappings[0].hostPort must be a non-negative integer',
  ],
  [
    'attachment without ifname',
    { ...base, 'cni.dev/valid-attachments': [{ containerID: 'c1' }] },
    'cni.dev/valid-attachments[0].ifname is required',
  ],
  [
    'prevResult with a bad address',
    { ...base, prevResult: { cniVersion: '1.0.0', ips: [{ address: 'x' }] } },
    /^invalid prevResult: invalid 1\.0\.0 result: ips\[0\]\.address/,
  ],
];
for (const [what, input, msg] of invalid) {
  t.test(`code 7 names the field: ${what}`, async (t) => {
    fails(t, input, Code.InvalidConfig, msg);
  });
}

t.test('several schema problems are reported in one message', async (t) => {
  fails(t, { ...base, mode: 'x', mtu: 1 }, Code.InvalidConfig, /mode must be one of .*; mtu must be between 68 and 65535/);
});

t.test('prevResult is converted from the config version into the internal shape', async (t) => {
  const prev = {
    cniVersion: '0.4.0',
    interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }],
    ips: [{ version: '4', interface: 0, address: '10.205.0.5/24' }],
    dns: {},
  };
  const c = parse({ ...base, cniVersion: '0.4.0', prevResult: prev });
  t.strictSame(c.prevResult, {
    interfaces: [{ name: 'eth0', sandbox: '/run/netns/x' }],
    ips: [{ interface: 0, address: '10.205.0.5/24' }],
    routes: [],
    dns: {},
  });
  t.strictSame(c.raw.prevResult, prev, 'raw prevResult untouched');
});

t.test('GC attachments: both keys accepted, merged, de-duplicated; absent ≠ empty', async (t) => {
  const a = { containerID: 'c1', ifname: 'eth0' };
  const b = { containerID: 'c2', ifname: 'net1' };
  t.same(parse({ ...base, cniVersion: '1.1.0', 'cni.dev/valid-attachments': [a], 'cni.dev/attachments': [a, b] }).validAttachments, [a, b]);
  t.same(parse({ ...base, cniVersion: '1.1.0', 'cni.dev/attachments': [b] }).validAttachments, [b]);
  t.same(parse({ ...base, cniVersion: '1.1.0', 'cni.dev/valid-attachments': [] }).validAttachments, []);
  t.equal(parse({ ...base, cniVersion: '1.1.0' }).validAttachments, undefined);
});

t.test('containerd (go-cni) PascalCase runtimeConfig parses like camelCase', async (t) => {
  const gocni = {
    portMappings: [{ HostPort: 8080, ContainerPort: 80, Protocol: 'tcp', HostIP: '127.0.0.1' }],
    bandwidth: { IngressRate: 1000000, IngressBurst: 100000, EgressRate: 2000000, EgressBurst: 200000 },
    dns: { Servers: ['10.96.0.10'], Searches: ['svc.cluster.local'], Options: ['ndots:5'] },
    'io.kubernetes.cri.pod-annotations': { a: 'b' },
  };
  const camel = {
    portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }],
    bandwidth: { ingressRate: 1000000, ingressBurst: 100000, egressRate: 2000000, egressBurst: 200000 },
    dns: { servers: ['10.96.0.10'], searches: ['svc.cluster.local'], options: ['ndots:5'] },
    'io.kubernetes.cri.pod-annotations': { a: 'b' },
  };
  t.strictSame(parse({ ...base, runtimeConfig: gocni }).runtimeConfig, camel);
  t.strictSame(parse({ ...base, runtimeConfig: camel }).runtimeConfig, camel);
});
