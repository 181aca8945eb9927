import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FAKE_IPAM as FAKE, fakeIpamEnv } from '../../conformance/support/fake-ipam.js';
import { CniError, Code } from '../cni/index.js';
import { execIpam, findPlugin, signalName, startIpam, type IpamCommand, type PendingRun } from './index.js';

// The plugin is started by lib/sys's addon, which installs itself into root's /run/podlink/lib: an
// unprivileged run (the unit tier without root) gives it a private directory instead.
if (process.geteuid?.() !== 0 && !process.env.PODLINK_LIB_DIR) {
  const lib = (process.env.PODLINK_LIB_DIR = mkdtempSync(join(tmpdir(), 'podlink-ipam-test-lib-')));
  t.teardown(() => rmSync(lib, { recursive: true, force: true }));
}

/** A CNI_PATH with an empty dir first and the fake installed as `fake-ipam` in the second. */
function cniPath(t: Test): string[] {
  const root = t.testdir({ empty: {}, bin: {} });
  copyFileSync(FAKE, join(root, 'bin', 'fake-ipam'));
  chmodSync(join(root, 'bin', 'fake-ipam'), 0o755);
  return [join(root, 'empty'), join(root, 'bin')];
}

function setup(t: Test, mode = 'ok', extra: Record<string, string> = {}) {
  const path = cniPath(t);
  const dump = join(dirname(path[0]!), 'dump.jsonl');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'c0ffee',
    CNI_NETNS: '/run/netns/pod1',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=web',
    CNI_PATH: path.join(':'),
    SOMETHING_ELSE: 'kept',
    UNSET_ONE: undefined,
    ...fakeIpamEnv({ dump, mode, commands: ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC'] }),
    ...extra,
  };
  const dumps = () =>
    readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { command: string; env: Record<string, string>; stdin: string });
  return { path, env, dumps };
}

const conf = (v: string) => ({
  cniVersion: v,
  name: 'podnet',
  type: 'podlink',
  ipam: { type: 'fake-ipam', subnet: '10.205.0.0/24' },
  args: { cni: { ips: ['10.205.0.9'] } },
  runtimeConfig: { ips: ['10.205.0.9/24'], PortMappings: [{ HostPort: 80 }] },
  prevResult: { cniVersion: v, ips: [] },
  someUnknownKey: { kept: 'verbatim' },
});

function cniErr(t: Test, fn: () => unknown, code: number, msg?: RegExp | string): CniError {
  const e = t.throws(fn) as unknown as CniError;
  t.type(e, CniError);
  t.equal(e.code, code);
  if (msg !== undefined) typeof msg === 'string' ? t.equal(e.msg, msg) : t.match(e.msg, msg);
  return e;
}

t.test('findPlugin searches CNI_PATH in order and only there', async (t) => {
  const root = t.testdir({ a: { ipam: 'not executable' }, b: { ipam: { 'is-a-dir': '' } }, c: {}, d: {} });
  copyFileSync(FAKE, join(root, 'c', 'ipam'));
  copyFileSync(FAKE, join(root, 'd', 'ipam'));
  chmodSync(join(root, 'c', 'ipam'), 0o755);
  chmodSync(join(root, 'd', 'ipam'), 0o755);
  const dirs = ['a', 'b', 'c', 'd'].map((d) => join(root, d));
  t.equal(findPlugin('ipam', dirs), join(root, 'c', 'ipam'), 'skips the non-executable file and the directory; first match wins');
  t.equal(findPlugin('ipam', ['', ...dirs.slice(3)]), join(root, 'd', 'ipam'));
  const e = cniErr(t, () => findPlugin('node', dirs), Code.InvalidConfig, 'failed to find IPAM plugin "node" in CNI_PATH');
  t.match(e.details, `searched CNI_PATH=${dirs.join(':')}`);
  const ne = cniErr(t, () => findPlugin('ipam', dirs.slice(0, 2)), Code.InvalidConfig);
  t.match(ne.details, /found but not executable: .*\/a\/ipam/);
});

t.test('findPlugin rejects types that are not file names, and a missing CNI_PATH', async (t) => {
  for (const bad of ['../bin/ipam', '/usr/bin/ipam', '.', '..', '', 'a\0b']) {
    cniErr(t, () => findPlugin(bad, ['/opt/cni/bin']), Code.InvalidConfig, /^invalid IPAM plugin type/);
  }
  const e = cniErr(t, () => findPlugin('host-local', []), Code.InvalidEnv, 'required env variables [CNI_PATH] missing');
  t.match(e.details, /host-local/);
});

for (const v of ['0.2.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']) {
  t.test(`ADD ${v}: same env but CNI_COMMAND, whole config on stdin, result parsed`, async (t) => {
    const { path, env, dumps } = setup(t);
    const c = conf(v);
    const r = execIpam('ADD', c, { ...env, CNI_COMMAND: 'DEL' }, path);
    t.strictSame(r.ips, [{ address: '10.205.29.30/24', gateway: '10.205.29.1' }]);
    t.strictSame(r.routes, [{ dst: '0.0.0.0/0' }]);
    const [d] = dumps();
    const expectedEnv = Object.fromEntries(Object.entries({ ...env, CNI_COMMAND: 'ADD' }).filter(([, x]) => x !== undefined));
    // Exactly: tap's processinfo hook adds NODE_OPTIONS to what node:child_process spawns, never to lib/sys's spawned children.
    t.strictSame(d!.env, expectedEnv, 'environment passed unchanged except CNI_COMMAND, nothing added');
    t.equal(d!.stdin, JSON.stringify(c), 'the whole config, byte for byte');
    t.strictSame(JSON.parse(d!.stdin).someUnknownKey, { kept: 'verbatim' });
  });
}

for (const cmd of ['DEL', 'CHECK', 'STATUS', 'GC'] as IpamCommand[]) {
  t.test(`${cmd}: runs the plugin with CNI_COMMAND=${cmd} and returns nothing`, async (t) => {
    const { path, env, dumps } = setup(t);
    t.equal(execIpam(cmd, conf('1.1.0'), env, path), undefined);
    t.equal(dumps()[0]!.env.CNI_COMMAND, cmd);
    t.equal(dumps()[0]!.command, cmd);
  });
}

t.test('an IPAM error object passes through with the same code, msg and details', async (t) => {
  const { path, env } = setup(t, 'error');
  const e = cniErr(t, () => execIpam('ADD', conf('1.0.0'), env, path), 11, 'no IP addresses available in range set');
  t.equal(e.details, '10.205.0.0/24 is full');
  const custom = setup(t, 'error', { FAKE_IPAM_ERROR: '{"code":7,"msg":"invalid range"}' });
  const e2 = cniErr(t, () => execIpam('DEL', conf('1.0.0'), custom.env, custom.path), 7, 'invalid range');
  t.equal(e2.details, undefined);
});

t.test('garbage, empty output, exit status, signal and timeout → 999 naming the plugin', async (t) => {
  let s = setup(t, 'garbage');
  let e = cniErr(
    t,
    () => execIpam('ADD', conf('1.0.0'), s.env, s.path),
    Code.Internal,
    /^IPAM plugin fake-ipam \(.*fake-ipam\) ADD returned an invalid result: error decoding result/,
  );
  t.match(e.details, 'this is not JSON');
  e = cniErr(
    t,
    () => execIpam('DEL', conf('1.0.0'), s.env, s.path),
    Code.Internal,
    /^IPAM plugin fake-ipam .* DEL failed with exit status 1$/,
  );
  t.match(e.details, /^stdout: this is not JSON/);

  s = setup(t, 'empty');
  cniErr(t, () => execIpam('ADD', conf('1.0.0'), s.env, s.path), Code.Internal, /ADD returned an invalid result/);

  s = setup(t, 'ok', { FAKE_IPAM_RESULT: '{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.1"}]}' });
  cniErr(
    t,
    () => execIpam('ADD', conf('1.0.0'), s.env, s.path),
    Code.Internal,
    /invalid result: invalid 1\.0\.0 result: ips\[0\]\.address/,
  );

  s = setup(t, 'exit', { FAKE_IPAM_STDERR: 'panic: something broke' });
  e = cniErr(
    t,
    () => execIpam('CHECK', conf('1.0.0'), s.env, s.path, { stderr: () => {} }),
    Code.Internal,
    /CHECK failed with exit status 3$/,
  );
  t.match(e.details, 'stderr: panic: something broke');

  s = setup(t, 'crash');
  cniErr(t, () => execIpam('ADD', conf('1.0.0'), s.env, s.path), Code.Internal, /ADD was killed by signal SIGKILL$/);

  s = setup(t, 'hang');
  cniErr(t, () => execIpam('ADD', conf('1.0.0'), s.env, s.path, { timeoutMs: 300 }), Code.Internal, /ADD timed out after 300 ms$/);
});

t.test("the plugin's stderr is forwarded", async (t) => {
  const { path, env } = setup(t, 'ok', { FAKE_IPAM_STDERR: 'allocating 10.205.0.5\n' });
  const got: string[] = [];
  execIpam('ADD', conf('1.0.0'), env, path, { stderr: (s) => void got.push(s) });
  t.same(got, ['allocating 10.205.0.5\n']);
});

t.test('config problems: no ipam section, plugin not installed', async (t) => {
  const { path, env } = setup(t);
  cniErr(
    t,
    () => execIpam('ADD', { cniVersion: '1.0.0', name: 'n', type: 'podlink' }, env, path),
    Code.InvalidConfig,
    'ipam.type is required',
  );
  const e = cniErr(
    t,
    () => execIpam('ADD', { ...conf('1.0.0'), ipam: { type: 'host-local' } }, env, path),
    Code.InvalidConfig,
    /failed to find IPAM plugin "host-local"/,
  );
  t.match(e.details, /CNI_PATH/);
  cniErr(t, () => execIpam('DEL', conf('1.0.0'), env, []), Code.InvalidEnv, 'required env variables [CNI_PATH] missing');
});

// startIpam: the same call started now and waited for later; every outcome must match execIpam's,
// and wait() repeats it.
function startErr(t: Test, p: () => PendingRun<unknown>, code: number, msg: RegExp | string): CniError {
  const run = p();
  const e = cniErr(t, () => run.wait(), code, msg);
  t.equal(
    cniErr(t, () => run.wait(), code, msg),
    e,
    'wait() again throws the same error',
  );
  return e;
}

t.test('startIpam ADD: same env, stdin and parsed result as execIpam', async (t) => {
  const { path, env, dumps } = setup(t);
  const c = conf('1.0.0');
  const pending = startIpam('ADD', c, env, path);
  const r = pending.wait();
  t.equal(pending.wait(), r, 'wait() again gives the same answer');
  t.strictSame(r, execIpam('ADD', c, env, path), 'same result as the synchronous call');
  const [started, synced] = dumps();
  t.strictSame(started!.env, synced!.env, 'same environment');
  t.equal(started!.stdin, JSON.stringify(c), 'the whole config, byte for byte');
  t.equal(started!.env.CNI_COMMAND, 'ADD');
});

t.test('a config larger than a pipe buffer reaches the plugin whole, from both calls', async (t) => {
  const { path, env, dumps } = setup(t);
  const c = { ...conf('1.0.0'), someUnknownKey: { kept: 'x'.repeat(300_000) } };
  execIpam('DEL', c, env, path);
  startIpam('DEL', c, env, path).wait();
  t.strictSame(
    dumps().map((d) => d.stdin === JSON.stringify(c)),
    [true, true],
    'byte for byte',
  );
});

t.test('startIpam: the plugin reaches EOF on stdin while we block (no event loop turn needed)', async (t) => {
  const { path, env, dumps } = setup(t);
  const pending = startIpam('DEL', conf('1.0.0'), env, path);
  // Block the event loop for longer than the fake takes to run: it must finish anyway.
  const until = Date.now() + 1500;
  while (Date.now() < until && !readFileSync(join(dirname(path[0]!), 'dump.jsonl'), { encoding: 'utf8', flag: 'a+' }).length) {
    // busy wait
  }
  t.equal(dumps().length, 1, 'the plugin ran to completion while the loop was blocked');
  t.equal(pending.wait(), undefined);
});

t.test('startIpam failures: passthrough, garbage, exit status with stderr, signal, timeout, not found', async (t) => {
  let s = setup(t, 'error');
  const e = startErr(t, () => startIpam('ADD', conf('1.0.0'), s.env, s.path), 11, 'no IP addresses available in range set');
  t.equal(e.details, '10.205.0.0/24 is full');
  s = setup(t, 'garbage');
  startErr(t, () => startIpam('ADD', conf('1.0.0'), s.env, s.path), Code.Internal, /ADD returned an invalid result: error decoding result/);
  s = setup(t, 'exit', { FAKE_IPAM_STDERR: 'panic: something broke' });
  const got: string[] = [];
  const x = startErr(
    t,
    () => startIpam('CHECK', conf('1.0.0'), s.env, s.path, { stderr: (m) => void got.push(m) }),
    Code.Internal,
    /CHECK failed with exit status 3$/,
  );
  t.match(x.details, 'stderr: panic: something broke');
  t.match(got.join(''), 'panic: something broke', 'stderr forwarded');
  s = setup(t, 'crash');
  startErr(t, () => startIpam('ADD', conf('1.0.0'), s.env, s.path), Code.Internal, /ADD was killed by signal SIGKILL$/);
  s = setup(t, 'hang');
  startErr(t, () => startIpam('ADD', conf('1.0.0'), s.env, s.path, { timeoutMs: 300 }), Code.Internal, /ADD timed out after 300 ms$/);
  t.throws(
    () => startIpam('ADD', { ...conf('1.0.0'), ipam: { type: 'host-local' } }, s.env, s.path),
    /failed to find IPAM plugin "host-local"/,
    'not found: thrown at once',
  );
});

t.test('a plugin that is found but cannot be executed → 999 "could not be run", from both calls', async (t) => {
  const { path, env } = setup(t);
  writeFileSync(join(path[1]!, 'fake-ipam'), '\x7fELF but not really\n', { mode: 0o755 });
  cniErr(
    t,
    () => execIpam('ADD', conf('1.0.0'), env, path),
    Code.Internal,
    /^IPAM plugin fake-ipam \(.*\) ADD could not be run: execve: Exec format error/,
  );
  startErr(t, () => startIpam('DEL', conf('1.0.0'), env, path), Code.Internal, /DEL could not be run: execve: Exec format error/);
  // libuv's execvp ran a script without #! with /bin/sh; execve, like Go's os/exec (libcni), does not.
  writeFileSync(join(path[1]!, 'fake-ipam'), 'echo \'{"cniVersion":"1.0.0","ips":[]}\'\n', { mode: 0o755 });
  cniErr(t, () => execIpam('ADD', conf('1.0.0'), env, path), Code.Internal, /ADD could not be run: execve: Exec format error/);
});

t.test("signal names (our table of Linux's numbers, not node:os's) agree with Node's", async (t) => {
  const byNumber = new Map<number, string[]>();
  for (const [name, n] of Object.entries(osConstants.signals)) if (n < 32) byNumber.set(n, [...(byNumber.get(n) ?? []), name]);
  t.equal(byNumber.size, 31, 'Node knows 1-31');
  for (const [n, names] of byNumber) t.ok(names.includes(signalName(n)!), `${n}: ${signalName(n)} in ${names.join('/')}`);
  t.equal(signalName(0), null);
  t.equal(signalName(40), null, 'a real-time signal has no name here');
});
