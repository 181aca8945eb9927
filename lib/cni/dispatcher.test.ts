import t, { type Test } from 'tap';
import {
  CniError,
  Code,
  dispatch,
  formatResult,
  SUPPORTED_VERSIONS,
  type CniIO,
  type HandlerContext,
  type Handlers,
  type Result,
} from './index.js';
import type { Logger } from '../log/index.js';
import { readFileSync } from 'node:fs';

const container = { CNI_CONTAINERID: 'c0ffee', CNI_NETNS: '/run/netns/pod1', CNI_IFNAME: 'eth0', CNI_PATH: '/opt/cni/bin' };
const conf = (v: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ cniVersion: v, name: 'podnet', type: 'podlink', ipam: { type: 'host-local' }, ...extra });

const podResult: Result = {
  interfaces: [
    { name: 'pl0123456789ab', mac: '02:00:00:00:00:01' },
    { name: 'eth0', mac: '02:00:00:00:00:02', sandbox: '/run/netns/pod1', mtu: 1500 },
  ],
  ips: [{ address: '10.205.0.5/24', gateway: '10.205.0.1', interface: 1 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.205.0.1' }],
  dns: {},
};

interface Run {
  code: number;
  stdout: string;
  writes: number;
  stderr: string;
  calls: { verb: string; ctx: HandlerContext }[];
  events: Record<string, unknown>[];
  logOpened: { file?: string; level?: string }[];
}

async function run(
  t: Test,
  vars: Record<string, string>,
  stdin: string | Error,
  override: Partial<Handlers> = {},
  extra: { dryRun?: boolean; stdoutThrows?: boolean } = {},
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Run['calls'] = [];
  const events: Record<string, unknown>[] = [];
  const logOpened: Run['logOpened'] = [];
  const io: CniIO = {
    getenv: (n) => vars[n],
    readStdin: async () => {
      if (stdin instanceof Error) throw stdin;
      return Buffer.from(stdin);
    },
    stdout: (s) => {
      out.push(s);
      if (extra.stdoutThrows) throw new Error('EPIPE');
    },
    stderr: (s) => void err.push(s),
  };
  const rec = (verb: string) => async (ctx: HandlerContext) => void calls.push({ verb, ctx });
  const handlers: Handlers = {
    add: async (ctx) => {
      calls.push({ verb: 'add', ctx });
      return podResult;
    },
    del: rec('del'),
    check: rec('check'),
    status: rec('status'),
    gc: rec('gc'),
    ...override,
  };
  const openLog = (o: { file?: string; level?: string }): Logger => {
    logOpened.push(o);
    const noop = () => {};
    return {
      id: 'test',
      level: 'info',
      enabled: () => true,
      debug: noop,
      info: noop,
      warn: noop,
      error: noop,
      event: (f) => void events.push(f),
      close: noop,
    };
  };
  const code = await dispatch(io, handlers, { dryRun: extra.dryRun, openLog });
  const stdout = out.join('');
  // The invariant for every call: stdout is empty or exactly one JSON document, written once.
  t.ok(out.length <= 1, 'at most one stdout write');
  if (stdout !== '') JSON.parse(stdout);
  t.ok(events.length === 1, 'exactly one log event');
  return { code, stdout, writes: out.length, stderr: err.join(''), calls, events, logOpened };
}

function errorJson(t: Test, r: Run, code: number, msg?: RegExp | string) {
  t.equal(r.code, 1, 'non-zero exit');
  const doc = JSON.parse(r.stdout);
  t.equal(doc.code, code);
  if (msg !== undefined) typeof msg === 'string' ? t.equal(doc.msg, msg) : t.match(doc.msg, msg);
  t.same(
    Object.keys(doc).filter((k) => !['cniVersion', 'code', 'msg', 'details'].includes(k)),
    [],
    'only error fields',
  );
  t.equal(r.events[0]!.outcome, 'error');
  t.equal(r.events[0]!.code, code);
  return doc;
}

t.test('VERSION with empty stdin answers in the newest version', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'VERSION' }, '');
  t.equal(r.code, 0);
  t.strictSame(JSON.parse(r.stdout), { cniVersion: '1.1.0', supportedVersions: [...SUPPORTED_VERSIONS] });
});

t.test('VERSION echoes a supported input version; garbage or unknown → 1.1.0; unreadable stdin is fine', async (t) => {
  t.equal(JSON.parse((await run(t, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}')).stdout).cniVersion, '0.4.0');
  t.equal(JSON.parse((await run(t, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"9.9.9"}')).stdout).cniVersion, '1.1.0');
  t.equal(JSON.parse((await run(t, { CNI_COMMAND: 'VERSION' }, 'garbage')).stdout).cniVersion, '1.1.0');
  const r = await run(t, { CNI_COMMAND: 'VERSION' }, new Error('EBADF'));
  t.equal(r.code, 0);
  t.equal(JSON.parse(r.stdout).cniVersion, '1.1.0');
});

for (const v of SUPPORTED_VERSIONS) {
  t.test(`ADD ${v}: one result document in ${v}, exit 0, handler sees env/conf/stdin`, async (t) => {
    const stdin = conf(v);
    const r = await run(t, { CNI_COMMAND: 'ADD', ...container }, stdin);
    t.equal(r.code, 0);
    t.equal(r.writes, 1);
    t.strictSame(JSON.parse(r.stdout), formatResult(podResult, v));
    t.equal(JSON.parse(r.stdout).cniVersion, v);
    t.equal(r.calls.length, 1);
    const ctx = r.calls[0]!.ctx;
    t.equal(ctx.env.containerId, 'c0ffee');
    t.equal(ctx.conf.cniVersion, v);
    t.equal(ctx.stdin.toString(), stdin);
    t.equal(ctx.dryRun, false);
    t.match(r.events[0], {
      command: 'ADD',
      containerID: 'c0ffee',
      ifname: 'eth0',
      netns: '/run/netns/pod1',
      outcome: 'ok',
      network: 'podnet',
    });
    t.type(r.events[0]!.durationMs, 'number');
  });
}

t.test('the 0.2.0 ADD output is the reference shape', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('0.2.0'), {
    add: async () => ({ interfaces: [], ips: [{ address: '10.205.0.5/24', gateway: '10.205.0.1' }], routes: [], dns: {} }),
  });
  t.equal(r.stdout.trim(), '{"cniVersion":"0.2.0","ip4":{"ip":"10.205.0.5/24","gateway":"10.205.0.1"},"dns":{}}');
});

for (const [verb, v] of [
  ['DEL', '0.1.0'],
  ['DEL', '1.1.0'],
  ['CHECK', '0.4.0'],
  ['CHECK', '1.0.0'],
  ['STATUS', '1.1.0'],
  ['GC', '1.1.0'],
] as const) {
  t.test(`${verb} ${v} success prints nothing and exits 0`, async (t) => {
    const vars = verb === 'STATUS' || verb === 'GC' ? { CNI_COMMAND: verb } : { CNI_COMMAND: verb, ...container };
    const r = await run(t, vars, conf(v));
    t.equal(r.code, 0);
    t.equal(r.stdout, '');
    t.same(
      r.calls.map((c) => c.verb),
      [verb.toLowerCase()],
    );
  });
}

t.test('DEL without CNI_NETNS still reaches the handler', async (t) => {
  const { CNI_NETNS: _, ...noNetns } = container;
  const r = await run(t, { CNI_COMMAND: 'DEL', ...noNetns }, conf('1.0.0'));
  t.equal(r.code, 0);
  t.equal(r.calls[0]!.ctx.env.netns, '');
});

t.test('DEL never reads prevResult: a malformed one still reaches the handler; CHECK refuses it (code 7)', async (t) => {
  const prevResult = { cniVersion: '1.0.0', ips: [{ address: 'not-an-ip' }] };
  const del = await run(t, { CNI_COMMAND: 'DEL', ...container }, conf('1.0.0', { prevResult }));
  t.equal(del.code, 0);
  t.equal(del.calls[0]!.verb, 'del');
  t.equal(del.calls[0]!.ctx.conf.prevResult, undefined);
  t.strictSame(del.calls[0]!.ctx.conf.raw.prevResult, prevResult, 'the IPAM plugin still gets it verbatim');
  const check = await run(t, { CNI_COMMAND: 'CHECK', ...container }, conf('1.0.0', { prevResult }));
  t.equal(check.code, 1);
  t.equal(check.calls.length, 0);
  t.match(JSON.parse(check.stdout), { code: Code.InvalidConfig, msg: /^invalid prevResult: invalid 1\.0\.0 result: ips\[0\]\.address/ });
});

t.test('missing env → code 4 naming the variables, error in the config version', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'ADD', CNI_IFNAME: 'eth0' }, conf('0.4.0'));
  const doc = errorJson(t, r, Code.InvalidEnv, 'required env variables [CNI_CONTAINERID,CNI_NETNS] missing');
  t.equal(doc.cniVersion, '0.4.0');
  t.equal(r.calls.length, 0, 'handler not called');
});

t.test('unknown CNI_COMMAND → code 4', async (t) => {
  errorJson(t, await run(t, { CNI_COMMAND: 'FOO', ...container }, conf('1.0.0')), Code.InvalidEnv, 'unknown CNI_COMMAND: FOO');
});

t.test('malformed JSON → code 6', async (t) => {
  const doc = errorJson(
    t,
    await run(t, { CNI_COMMAND: 'ADD', ...container }, '{"cniVersion":'),
    Code.DecodeFailure,
    /^error decoding network config/,
  );
  t.equal(doc.cniVersion, '1.1.0', 'no readable version: newest');
});

t.test('invalid field → code 7 naming it', async (t) => {
  errorJson(
    t,
    await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('1.0.0', { ipam: {} })),
    Code.InvalidConfig,
    'ipam.type is required',
  );
  errorJson(
    t,
    await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('1.0.0', { mode: 'turbo' })),
    Code.InvalidConfig,
    /^mode must be one of auto, veth, netkit, netkit-l2/,
  );
});

t.test('unsupported version → code 1', async (t) => {
  const doc = errorJson(
    t,
    await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('9.9.9')),
    Code.IncompatibleVersion,
    'incompatible CNI versions',
  );
  t.match(doc.details, /plugin supports \[0\.1\.0 .* 1\.1\.0\]/);
  t.equal(doc.cniVersion, '1.1.0');
});

for (const [verb, v] of [
  ['CHECK', '0.3.1'],
  ['CHECK', '0.2.0'],
  ['STATUS', '1.0.0'],
  ['GC', '1.0.0'],
  ['GC', '0.4.0'],
] as const) {
  t.test(`${verb} on a ${v} config → code 1, handler not called`, async (t) => {
    const vars = verb === 'CHECK' ? { CNI_COMMAND: verb, ...container } : { CNI_COMMAND: verb };
    const r = await run(t, vars, conf(v));
    const doc = errorJson(t, r, Code.IncompatibleVersion, `config version does not allow ${verb}`);
    t.equal(doc.cniVersion, v);
    t.equal(r.calls.length, 0);
  });
}

t.test('stdin read failure → code 5', async (t) => {
  errorJson(t, await run(t, { CNI_COMMAND: 'ADD', ...container }, new Error('EIO')), Code.IoFailure, 'error reading from stdin: EIO');
});

t.test('a handler throwing an Error named NetlinkError → 102 with step and hint', async (t) => {
  class NetlinkError extends Error {
    step = 'create veth pair pl3f2a';
    hint = 'a stale device uses the name';
    constructor() {
      super('File exists');
      this.name = 'NetlinkError';
    }
  }
  const r = await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('1.0.0'), {
    add: async () => {
      throw new NetlinkError();
    },
  });
  const doc = errorJson(t, r, Code.Netlink, 'create veth pair pl3f2a: File exists');
  t.equal(doc.details, 'a stale device uses the name');
  t.equal(doc.cniVersion, '1.0.0');
});

t.test('a CniError from a handler passes through (STATUS 50)', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'STATUS' }, conf('1.1.0'), {
    status: async () => {
      throw new CniError(Code.NotAvailable, 'mode file missing', 'run podlink probe');
    },
  });
  t.strictSame(JSON.parse(r.stdout), { cniVersion: '1.1.0', code: 50, msg: 'mode file missing', details: 'run podlink probe' });
});

t.test('anything else → 999, never an uncaught throw', async (t) => {
  errorJson(
    t,
    await run(t, { CNI_COMMAND: 'DEL', ...container }, conf('1.0.0'), {
      del: async () => {
        throw 'a string';
      },
    }),
    Code.Internal,
    'a string',
  );
  errorJson(
    t,
    await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('1.0.0'), { add: async () => undefined as unknown as Result }),
    Code.Internal,
  );
  errorJson(
    t,
    await run(t, { CNI_COMMAND: 'GC' }, conf('1.1.0'), {
      gc: async () => {
        throw new TypeError('x is not a function');
      },
    }),
    Code.Internal,
    'x is not a function',
  );
});

t.test('a stdout failure on success exits 1 without a second document', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'ADD', ...container }, conf('1.0.0'), {}, { stdoutThrows: true });
  t.equal(r.code, 1);
  t.equal(r.writes, 1);
  t.match(r.events[0], { outcome: 'error', code: 999 });
});

t.test('dryRun reaches the handler; the log uses the config file and level', async (t) => {
  const r = await run(
    t,
    { CNI_COMMAND: 'ADD', ...container },
    conf('1.0.0', { logFile: '/tmp/x.log', logLevel: 'debug' }),
    {},
    { dryRun: true },
  );
  t.equal(r.calls[0]!.ctx.dryRun, true);
  t.strictSame(r.logOpened, [{ file: '/tmp/x.log', level: 'debug' }]);
});

t.test('errors before the config is valid still log to the configured file', async (t) => {
  const r = await run(t, { CNI_COMMAND: 'ADD' }, conf('1.0.0', { logFile: '/tmp/y.log' }));
  t.equal(r.code, 1);
  t.strictSame(r.logOpened, [{ file: '/tmp/y.log', level: undefined }]);
});

t.test('debug level logs the stdin config with secrets redacted, plus the final event', async (t) => {
  const file = `${t.testdir()}/podlink.log`;
  const io: CniIO = {
    getenv: (n) => (({ CNI_COMMAND: 'DEL', ...container }) as Record<string, string>)[n],
    readStdin: async () => Buffer.from(conf('1.0.0', { logFile: file, logLevel: 'debug', ipam: { type: 'vault', token: 's3cr3t' } })),
    stdout: () => {},
    stderr: () => {},
  };
  const noop = async () => {};
  t.equal(await dispatch(io, { add: async () => podResult, del: noop, check: noop, status: noop, gc: noop }), 0);
  const text = readFileSync(file, 'utf8');
  t.notMatch(text, 's3cr3t');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.equal(lines.length, 2);
  t.match(lines[0], { level: 'debug', msg: 'config', config: { ipam: { type: 'vault', token: '[REDACTED]' } } });
  t.match(lines[1], { event: 'cni', command: 'DEL', containerID: 'c0ffee', outcome: 'ok' });
  t.equal(lines[0].id, lines[1].id, 'one event id per call');
});

t.test('an unusable log file is reported through io.stderr (EPIPE-safe), and the call still succeeds', async (t) => {
  const dir = t.testdir({ 'not-a-dir': 'a file' });
  const err: string[] = [];
  const io: CniIO = {
    getenv: (n) => (({ CNI_COMMAND: 'DEL', ...container }) as Record<string, string>)[n],
    readStdin: async () => Buffer.from(conf('1.0.0', { logFile: `${dir}/not-a-dir/podlink.log` })),
    stdout: () => {},
    stderr: (s) => void err.push(s),
  };
  const noop = async () => {};
  t.equal(await dispatch(io, { add: async () => podResult, del: noop, check: noop, status: noop, gc: noop }), 0);
  t.match(err.join(''), /^podlink: log file .*not-a-dir\/podlink\.log unavailable, logging disabled for this call: .*\n$/);
});

t.test('a log file under /proc (where mkdir says ENOENT under an existing parent) ends the same way, promptly', async (t) => {
  const err: string[] = [];
  const io: CniIO = {
    getenv: (n) => (({ CNI_COMMAND: 'DEL', ...container }) as Record<string, string>)[n],
    readStdin: async () => Buffer.from(conf('1.0.0', { logFile: '/proc/podlink-dispatcher-test/podlink.log' })),
    stdout: () => {},
    stderr: (s) => void err.push(s),
  };
  const noop = async () => {};
  // Node's recursive mkdir spins for ever there; the call must not.
  t.equal(await dispatch(io, { add: async () => podResult, del: noop, check: noop, status: noop, gc: noop }), 0);
  t.match(
    err.join(''),
    /^podlink: log file \/proc\/podlink-dispatcher-test\/podlink\.log unavailable, logging disabled for this call: (ENOENT|EACCES)/,
  );
});
