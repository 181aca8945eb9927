import t from 'tap';
import { CniError, Code, toCniError, compareVersions, versionAtLeast, isSupportedVersion } from './index.js';

t.test('versions compare numerically, not as strings', async (t) => {
  t.equal(compareVersions('0.10.0', '0.4.0'), 1);
  t.equal(compareVersions('1.0.0', '1.0.0'), 0);
  t.equal(compareVersions('0.3.1', '0.4.0'), -1);
  t.ok(versionAtLeast('1.1.0', '1.1.0'));
  t.notOk(versionAtLeast('1.0.0', '1.1.0'));
  t.ok(versionAtLeast('0.4.0', '0.3.1'));
  t.throws(() => compareVersions('1.0', '1.0.0'), TypeError);
  t.ok(isSupportedVersion('0.3.0'));
  t.notOk(isSupportedVersion('0.5.0'));
  t.notOk(isSupportedVersion(100));
});

t.test('CniError.toJSON: cniVersion first, details only when set', async (t) => {
  t.equal(JSON.stringify(new CniError(7, 'bad').toJSON('1.0.0')), '{"cniVersion":"1.0.0","code":7,"msg":"bad"}');
  t.equal(JSON.stringify(new CniError(4, 'm', 'd').toJSON('0.4.0')), '{"cniVersion":"0.4.0","code":4,"msg":"m","details":"d"}');
  // JSON.stringify(err) passes '' as the key: no empty cniVersion.
  t.equal(JSON.stringify(new CniError(5, 'io')), '{"code":5,"msg":"io"}');
});

t.test('toCniError passes a CniError through unchanged', async (t) => {
  const e = new CniError(Code.TryAgain, 'busy', 'later');
  t.equal(toCniError(e), e);
});

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, extra);
}

const table: [string, unknown, number, string, string | undefined][] = [
  [
    'NetlinkError with step and hint',
    named('NetlinkError', 'File exists', { step: 'create veth pair pl3f2a', hint: 'DEL the old attachment' }),
    Code.Netlink,
    'create veth pair pl3f2a: File exists',
    'DEL the old attachment',
  ],
  [
    'NetlinkError whose message already starts with the step',
    named('NetlinkError', 'create veth pl1: EEXIST', { step: 'create veth pl1' }),
    Code.Netlink,
    'create veth pl1: EEXIST',
    undefined,
  ],
  ['BpfError', named('BpfError', 'load from-pod: permission denied'), Code.Bpf, 'load from-pod: permission denied', undefined],
  [
    'FeatureMissingError',
    named('FeatureMissingError', 'netkit not supported', { hint: 'kernel lacks CONFIG_NETKIT; set mode auto or veth' }),
    Code.FeatureMissing,
    'netkit not supported',
    'kernel lacks CONFIG_NETKIT; set mode auto or veth',
  ],
  [
    'ModeMismatchError',
    named('ModeMismatchError', 'link is veth, record says netkit'),
    Code.ModeMismatch,
    'link is veth, record says netkit',
    undefined,
  ],
  ['TryAgainError', named('TryAgainError', 'lock busy'), Code.TryAgain, 'lock busy', undefined],
  ['NetlinkErrno', named('NetlinkErrno', 'sendto: ENOBUFS', { syscall: 'sendto', errno: 105 }), Code.Netlink, 'sendto: ENOBUFS', undefined],
  ['BpfErrno', named('BpfErrno', 'bpf: EPERM', { syscall: 'bpf', errno: 1 }), Code.Bpf, 'bpf: EPERM', undefined],
  [
    'a plain Errno, even from a netlink syscall',
    named('Errno', 'sendto: ENOBUFS', { syscall: 'sendto', errno: 105 }),
    Code.Internal,
    'sendto: ENOBUFS',
    undefined,
  ],
  ['Errno from open', named('Errno', 'open: ENOENT', { syscall: 'open', errno: 2 }), Code.Internal, 'open: ENOENT', undefined],
  ['plain Error', new Error('boom'), Code.Internal, 'boom', undefined],
  ['TypeError', new TypeError('x is undefined'), Code.Internal, 'x is undefined', undefined],
  ['thrown string', 'just a string', Code.Internal, 'just a string', undefined],
  ['thrown undefined', undefined, Code.Internal, 'undefined', undefined],
  ['plain object with a name', { name: 'NetlinkError', message: 'EINVAL' }, Code.Netlink, 'EINVAL', undefined],
];
for (const [what, input, code, msg, details] of table) {
  t.test(`toCniError: ${what} → ${code}`, async (t) => {
    const e = toCniError(input);
    t.type(e, CniError);
    t.equal(e.code, code);
    t.equal(e.msg, msg);
    t.equal(e.details, details);
  });
}
