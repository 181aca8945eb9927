import t, { type Test } from 'tap';
import { CniError, Code, parseCniArgs, parseEnv, REQUIRED_ENV, COMMANDS } from './index.js';

const getenv = (vars: Record<string, string>) => (name: string) => vars[name];
const good = { CNI_CONTAINERID: 'abc123', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin::/usr/lib/cni' };

function code4(t: Test, vars: Record<string, string>, msg: RegExp | string) {
  const e = t.throws(() => parseEnv(getenv(vars))) as unknown as CniError;
  t.type(e, CniError);
  t.equal(e.code, Code.InvalidEnv);
  typeof msg === 'string' ? t.equal(e.msg, msg) : t.match(e.msg, msg);
}

t.test('ADD with everything set', async (t) => {
  const env = parseEnv(getenv({ ...good, CNI_COMMAND: 'ADD', CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web;K8S_POD_NAMESPACE=default' }));
  t.strictSame(env, {
    command: 'ADD',
    containerId: 'abc123',
    netns: '/run/netns/x',
    ifname: 'eth0',
    args: { IgnoreUnknown: '1', K8S_POD_NAME: 'web', K8S_POD_NAMESPACE: 'default' },
    path: ['/opt/cni/bin', '/usr/lib/cni'],
  });
});

t.test('the required-variable table matches the spec', async (t) => {
  t.same(Object.keys(REQUIRED_ENV).sort(), [...COMMANDS].sort());
  t.notOk(REQUIRED_ENV.DEL.includes('CNI_NETNS'), 'CNI_NETNS optional for DEL');
  t.same(REQUIRED_ENV.STATUS, []);
  t.same(REQUIRED_ENV.GC, []);
});

t.test('missing variables are all named at once', async (t) => {
  code4(t, { CNI_COMMAND: 'ADD', CNI_IFNAME: 'eth0' }, 'required env variables [CNI_CONTAINERID,CNI_NETNS] missing');
  code4(t, { CNI_COMMAND: 'CHECK' }, 'required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing');
  code4(t, { CNI_COMMAND: 'DEL', CNI_NETNS: '/run/netns/x' }, 'required env variables [CNI_CONTAINERID,CNI_IFNAME] missing');
  code4(
    t,
    { CNI_COMMAND: 'ADD', CNI_CONTAINERID: '', CNI_NETNS: '/n', CNI_IFNAME: 'eth0' },
    'required env variables [CNI_CONTAINERID] missing',
  );
});

t.test('DEL without CNI_NETNS, STATUS/GC without container variables', async (t) => {
  t.equal(parseEnv(getenv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0' })).netns, '');
  t.equal(parseEnv(getenv({ CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'c1', CNI_IFNAME: 'eth0', CNI_NETNS: '' })).netns, '');
  const gc = parseEnv(getenv({ CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin', CNI_CONTAINERID: '-ignored-' }));
  t.equal(gc.containerId, '', 'container variables are not read for GC');
  t.same(gc.path, ['/opt/cni/bin']);
  t.equal(parseEnv(getenv({ CNI_COMMAND: 'STATUS' })).command, 'STATUS');
});

t.test('CNI_PATH is not required (lenient: only delegation needs it)', async (t) => {
  t.same(parseEnv(getenv({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '/n', CNI_IFNAME: 'eth0' })).path, []);
});

t.test('unknown or missing CNI_COMMAND', async (t) => {
  code4(t, { CNI_COMMAND: 'FOO' }, 'unknown CNI_COMMAND: FOO');
  code4(t, { CNI_COMMAND: 'add' }, 'unknown CNI_COMMAND: add');
  code4(t, {}, 'required env variables [CNI_COMMAND] missing');
});

const badIds = ['-x', '.x', 'a b', 'a/b', 'é', 'x'.repeat(201)];
for (const id of badIds) {
  t.test(`CNI_CONTAINERID ${JSON.stringify(id.slice(0, 20))} is rejected`, async (t) => {
    code4(t, { ...good, CNI_COMMAND: 'ADD', CNI_CONTAINERID: id }, /invalid env variables: CNI_CONTAINERID/);
  });
}
t.test('container IDs the runtimes use are accepted', async (t) => {
  for (const id of ['0a1b2c', 'a'.repeat(64), 'pod_1.2-x', 'Z', 'x'.repeat(200)]) {
    t.equal(parseEnv(getenv({ ...good, CNI_COMMAND: 'ADD', CNI_CONTAINERID: id })).containerId, id);
  }
});

const badIfnames = ['a/b', 'a:b', 'a b', 'tab\there', 'nul\0x', '.', '..', 'sixteen-chars-xx', 'ééééééé12'];
for (const n of badIfnames) {
  t.test(`CNI_IFNAME ${JSON.stringify(n)} is rejected`, async (t) => {
    code4(t, { ...good, CNI_COMMAND: 'ADD', CNI_IFNAME: n }, /invalid env variables: CNI_IFNAME/);
  });
}
t.test('15-byte and dotted interface names are fine', async (t) => {
  for (const n of ['fifteen-chars-x', 'eth0.100', 'net1', '...']) {
    t.equal(parseEnv(getenv({ ...good, CNI_COMMAND: 'ADD', CNI_IFNAME: n })).ifname, n);
  }
});

t.test('missing and invalid variables are reported together', async (t) => {
  code4(
    t,
    { CNI_COMMAND: 'ADD', CNI_CONTAINERID: '-bad', CNI_IFNAME: 'a/b' },
    /^required env variables \[CNI_NETNS\] missing; invalid env variables: CNI_CONTAINERID "-bad" .*; CNI_IFNAME "a\/b" /,
  );
});

t.test('CNI_NETNS must be a path', async (t) => {
  code4(t, { ...good, CNI_COMMAND: 'ADD', CNI_NETNS: 'relative/ns' }, /CNI_NETNS "relative\/ns" must be an absolute path/);
});

t.test('CNI_ARGS: unknown keys kept, any order, values may contain "="', async (t) => {
  t.strictSame(parseCniArgs('K8S_POD_UID=u1;IgnoreUnknown=1;FOO=bar'), { K8S_POD_UID: 'u1', IgnoreUnknown: '1', FOO: 'bar' });
  t.strictSame(parseCniArgs('FOO=bar'), { FOO: 'bar' }, 'no IgnoreUnknown needed');
  t.strictSame(parseCniArgs('A=b=c;;B=;'), { A: 'b=c', B: '' });
  t.strictSame(parseCniArgs(''), {});
  t.strictSame(parseCniArgs(undefined), {});
  const proto = parseCniArgs('__proto__=x');
  t.equal(Object.getPrototypeOf(proto), Object.prototype, '__proto__ is data, not a prototype');
  t.equal(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value, 'x');
});

t.test('CNI_ARGS malformed pair → code 4', async (t) => {
  code4(t, { ...good, CNI_COMMAND: 'ADD', CNI_ARGS: 'IgnoreUnknown=1;garbage' }, /CNI_ARGS pair "garbage" is not KEY=VALUE/);
  code4(t, { ...good, CNI_COMMAND: 'DEL', CNI_ARGS: '=v' }, /CNI_ARGS pair "=v"/);
});
