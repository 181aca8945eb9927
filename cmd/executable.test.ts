// The built executable's start-up: the fast paths answer without the payload, and the payload's V8
// code cache is accepted by the binary it ships in (a rejected cache works but costs start-up time).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { testCleanup } from '../conformance/support/cleanup.js';
import { addNetns, addNode, netnsPath, privateBpffs } from '../conformance/support/index.js';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist/podlink');
const skip = !fs.existsSync(bin) && 'dist/podlink not built (node build.mjs)';
const run = (args: string[], env: Record<string, string> = {}, input = '') =>
  spawnSync(bin, args, { env: { PATH: '/usr/bin:/bin', PODLINK_DEBUG_STARTUP: '1', ...env }, input, encoding: 'utf8' });

/** A GC config with every path under `work` and no valid attachments: a CNI call that needs no kernel object. */
const gcConf = (work: string, name: string) =>
  JSON.stringify({
    cniVersion: '1.1.0',
    name,
    type: 'podlink',
    stateDir: path.join(work, 'state'),
    bpfRoot: path.join(work, 'bpf'),
    modeFile: path.join(work, 'mode.json'),
    logFile: path.join(work, 'log'),
    'cni.dev/valid-attachments': [],
  });

t.test('--version and CNI VERSION never load the payload', { skip }, async (t) => {
  const v = run(['--version']);
  t.match(v.stdout, /^podlink \d+\.\d+\.\d+/);
  t.notMatch(v.stderr, /payload/);
  const cni = run([], { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
  t.same(JSON.parse(cni.stdout).cniVersion, '0.4.0');
  t.notMatch(cni.stderr, /payload/);
});

t.test('the CLI and CNI paths run their own payloads, each with its code cache accepted', { skip }, async (t) => {
  const cli = run(['probe', '--help']).stderr;
  t.match(cli, /CLI payload code cache accepted/);
  t.notMatch(cli, /CNI payload/);
  // A cache directory of its own: the build's cache (appended to the executable) is the one under test,
  // not whatever node cache an earlier call on this machine left in /run/podlink/cache.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cni = run([], { CNI_COMMAND: 'ADD', PODLINK_CACHE_DIR: path.join(dir, 'cache') });
  t.match(JSON.parse(cni.stdout), { code: 4 }, 'a CNI error still comes back as JSON');
  t.match(cni.stderr, /CNI payload code cache accepted/);
  t.notMatch(cni.stderr, /CLI payload/, 'a CNI call never loads the CLI');
});

t.test("the CNI payload holds none of the CLI's code, the CLI payload all of it", { skip }, async (t) => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const read = (f: string) => fs.readFileSync(path.join(root, 'build', f), 'utf8');
  // Strings of cmd/cli.ts and of commander, which only the CLI imports.
  for (const s of ['these subcommands are for operators', 'error: unknown option']) {
    t.notOk(read('podlink.payload.cjs').includes(s), `the CNI payload lacks ${JSON.stringify(s)}`);
    t.ok(read('podlink.cli.cjs').includes(s), `the CLI payload has ${JSON.stringify(s)}`);
  }
});

t.test('neither payload bundles cbor-x: endpoint records are read and written by lib/codec/cbor.ts', { skip }, async (t) => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  for (const f of ['podlink.payload.cjs', 'podlink.cli.cjs']) {
    const bundle = fs.readFileSync(path.join(root, 'build', f), 'utf8');
    // Strings of cbor-x's decoder and encoder.
    for (const s of ['Invalid major type', 'Unexpected end of CBOR data']) t.notOk(bundle.includes(s), `${f} lacks ${JSON.stringify(s)}`);
    t.notOk(
      /new TextDecoder\b/.test(bundle.replace(/new TextDecoder\("utf-8",\{fatal:!0\}\)/g, '')),
      `${f} makes no TextDecoder but the codec's`,
    );
  }
});

t.test("the payloads' code caches are reproducible: made again from the same bundle, the same bytes", { skip }, async (t) => {
  const { makeCodeCache } = await import('../release/code-cache.mjs');
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cache-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const nodeBin = fs.existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
  for (const [file, warm] of [
    ['podlink.payload.cjs', true],
    ['podlink.cli.cjs', false],
  ] as const) {
    const payload = path.join(root, 'build', file);
    const a = makeCodeCache(nodeBin, payload, path.join(dir, `${file}.a`), { warm });
    const b = makeCodeCache(nodeBin, payload, path.join(dir, `${file}.b`), { warm });
    t.ok(a.equals(b), `${file}: two caches of one bundle are equal (${a.length} and ${b.length} bytes)`);
    const built = fs.readFileSync(`${payload}.v8cache`);
    t.ok(a.equals(built), `${file}: and equal to the one the build embedded (${built.length} bytes)`);
  }
});

t.test(
  "the node's code cache: written by a command's first successful call, read by the next, replaced when V8 rejects it",
  { skip },
  async (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-nodecache-'));
    t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
    const dir = path.join(work, 'cache');
    const conf = gcConf(work, 'nodecache');
    const gc = (args: string[] = [], cacheDir = dir) => run(args, { CNI_COMMAND: 'GC', PODLINK_CACHE_DIR: cacheDir }, conf);
    const files = () => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

    // On a fresh machine the first call installs the native addon: node setup, so no cache from it.
    t.equal(gc([], path.join(work, 'setup')).status, 0);
    const dry = gc(['--dry-run']);
    t.equal(dry.status, 0, dry.stderr);
    t.same(files(), [], 'a dry run writes no cache');
    t.equal(run([], { CNI_COMMAND: 'GC', PODLINK_CACHE_DIR: dir }, '{}').status, 1, 'a failed call…');
    t.same(files(), [], '…writes none either');

    const first = gc();
    t.equal(first.status, 0, first.stderr);
    t.match(first.stderr, /payload code cache accepted\n/, 'the first call uses the embedded cache');
    t.match(files(), [/^payload-[0-9a-f]{16}-gc\.v8cache$/]);
    const file = path.join(dir, files()[0]!);
    t.equal(fs.statSync(file).mode & 0o777, 0o600);
    t.equal(fs.statSync(dir).mode & 0o777, 0o700);

    const second = gc();
    t.equal(second.status, 0, second.stderr);
    t.match(second.stderr, `payload code cache accepted (node cache ${file})`);

    fs.writeFileSync(file, Buffer.alloc(4096, 7), { mode: 0o600 });
    const third = gc();
    t.equal(third.status, 0, third.stderr);
    t.match(third.stderr, 'payload code cache rejected (node cache', 'a corrupt cache is rejected, the call still succeeds');
    t.not(fs.readFileSync(file)[0], 7, 'and it is replaced');
    t.match(gc().stderr, '(node cache', 'the replacement is used');

    fs.chmodSync(file, 0o644);
    t.notMatch(gc().stderr, '(node cache', 'a file others may read or write is not used');
    fs.chmodSync(file, 0o600);
    t.match(gc().stderr, '(node cache', 'closed again, it is used');
    const elsewhere = path.join(work, 'elsewhere.v8cache');
    fs.renameSync(file, elsewhere);
    fs.symlinkSync(elsewhere, file);
    t.notMatch(gc().stderr, '(node cache', 'nor is a symlink, though it names a good cache');
    const open = path.join(work, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    t.equal(gc([], open).status, 0);
    t.same(fs.readdirSync(open), [], 'nor is a directory others may enter: nothing written there');
  },
);

t.test(
  "the node's code cache is not taken from the call that set the node up (kernel probe, BPF load): the next call of the command writes it",
  { skip: skip || (process.geteuid?.() !== 0 && 'needs root (netns, bpffs)') },
  async (t) => {
    const c = testCleanup(t);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-setupcache-'));
    c.add(`remove ${work}`, () => fs.rmSync(work, { recursive: true, force: true }));
    const node = addNode(`plsc${process.pid}-node`, c, { uplink: { dev: 'up0', addrs: ['10.254.3.1/24'], gateways: ['10.254.3.254'] } });
    const bpf = privateBpffs('pl-setupcache', c);
    const dir = path.join(work, 'cache');
    const conf = (ip: string) =>
      JSON.stringify({
        cniVersion: '1.1.0',
        name: 'setupcache',
        type: 'podlink',
        mode: 'veth',
        stateDir: path.join(work, 'state'),
        bpfRoot: bpf.dir,
        modeFile: path.join(work, 'mode.json'),
        logFile: path.join(work, 'log'),
        prevResult: { cniVersion: '1.1.0', ips: [{ address: `${ip}/24` }] },
      });
    const cni = (cmd: string, pod: string, ip: string) =>
      spawnSync('ip', ['netns', 'exec', node, bin], {
        env: {
          PATH: '/usr/bin:/bin',
          PODLINK_CACHE_DIR: dir,
          CNI_COMMAND: cmd,
          CNI_CONTAINERID: pod,
          CNI_NETNS: netnsPath(pod),
          CNI_IFNAME: 'eth0',
        },
        input: conf(ip),
        encoding: 'utf8',
      });
    const pods = [`plsc${process.pid}-a`, `plsc${process.pid}-b`];
    addNetns(pods, c);
    const files = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('-add.v8cache')) : []);
    const first = cni('ADD', pods[0]!, '10.254.4.2');
    t.equal(first.status, 0, first.stderr);
    t.ok(
      fs.existsSync(path.join(work, 'mode.json')) && fs.readdirSync(bpf.dir).length > 0,
      'the first ADD probed the kernel and loaded the BPF datapath',
    );
    t.same(files(), [], 'and wrote no ADD cache');
    const second = cni('ADD', pods[1]!, '10.254.4.3');
    t.equal(second.status, 0, second.stderr);
    t.match(files(), [/^payload-[0-9a-f]{16}-add\.v8cache$/], 'the next ADD wrote it');
    for (const [i, pod] of pods.entries()) t.equal(cni('DEL', pod, `10.254.4.${i + 2}`).status, 0);
  },
);

t.test('a CNI call loads no Node module beyond what node -e 0 loads, but vm (docs/architecture.md#start-up)', { skip }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-modules-'));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), '../build/podlink.cjs');
  const list = path.join(work, 'modules');
  const preload = path.join(work, 'preload.cjs');
  // A CNI call that loaded the addon ends with _exit (lib/sys/exit.ts), never reaching 'exit': the list is
  // also written after each of the call's writes (result, log, metrics), the last of which is its last act.
  fs.writeFileSync(
    preload,
    `const fs = require('fs');
    const save = () => fs.writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n'));
    process.on('exit', save);
    const writeSync = fs.writeSync;
    fs.writeSync = function (...args) {
      const n = writeSync.apply(this, args);
      save();
      return n;
    };`,
  );
  const loaded = (args: string[], env: Record<string, string>, input = '') => {
    const r = spawnSync(process.execPath, ['-r', preload, ...args], { env: { PATH: '/usr/bin:/bin', ...env }, input, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    return new Set(fs.readFileSync(list, 'utf8').split('\n'));
  };
  const base = loaded(['-e', '0'], {});
  const conf = gcConf(work, 'modules');
  const env = { CNI_COMMAND: 'GC', PODLINK_CACHE_DIR: path.join(work, 'cache') };
  loaded([entry], env, conf); // the first call may set the node up
  const extra = [...loaded([entry], env, conf)].filter((m) => !base.has(m) && !m.startsWith('Internal Binding'));
  t.strictSame(extra, ['NativeModule vm'], 'perf_hooks, rimraf, os and url each cost a call tenths of a millisecond');
});

const haveStrace = spawnSync('strace', ['-V']).status === 0;
t.test(
  'a CNI call does not set up the local time zone for its log line (docs/architecture.md#start-up)',
  {
    skip: skip || (!haveStrace && 'strace not installed'),
  },
  async (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-tz-'));
    t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
    const conf = gcConf(work, 'tz');
    const env = { PATH: '/usr/bin:/bin', CNI_COMMAND: 'GC', PODLINK_CACHE_DIR: path.join(work, 'cache') };
    const trace = path.join(work, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=open,openat', '-o', trace, bin], { env, input: conf, encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    t.match(
      fs.readFileSync(path.join(work, 'log'), 'utf8'),
      /"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/,
      'the log line has its UTC time',
    );
    t.notMatch(fs.readFileSync(trace, 'utf8'), /localtime|zoneinfo/, 'no time zone file was read');
  },
);
