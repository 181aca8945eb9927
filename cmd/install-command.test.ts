import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bpfRoot as testBpfRoot } from '../conformance/support/bpffs.js';
import { testCleanup } from '../conformance/support/cleanup.js';
import type { ModeFile } from '../lib/connector/index.js';
import { install, runInstallCommand, sameMode, type InstallDeps, type InstallOptions } from './install-command.js';
import { chainDefaults, chainVersion } from './install-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist/podlink');
const isRoot = process.geteuid?.() === 0;

function fakeMode(configured: ModeFile['configured']): ModeFile {
  return {
    v: 1,
    configured,
    operational: configured === 'auto' ? 'veth' : (configured as ModeFile['operational']),
    reason: configured === 'auto' ? 'netkit probe failed, falling back to veth: test' : `configured ${configured}`,
    kernel: '6.1.0-test',
    features: { netkit: configured.startsWith('netkit'), netkitScrub: false, netkitHeadroom: false, tcx: true, bpffs: true },
    probedAt: new Date().toISOString(), // differs every run: install must ignore it
  };
}

interface Captured {
  deps: InstallDeps;
  out: string[];
  err: string[];
  probes: string[];
  datapaths: string[];
}

function fakeDeps(source: string, extra: Partial<InstallDeps> = {}): Captured {
  const c: Captured = { out: [], err: [], probes: [], datapaths: [], deps: undefined as unknown as InstallDeps };
  c.deps = {
    probe: (m) => {
      c.probes.push(m);
      return fakeMode(m);
    },
    nodeDatapath: (bpfRoot) => {
      c.datapaths.push(bpfRoot);
      return {
        loaded: false,
        upgrade: { updated: [], current: 0, defunct: [], prunedPrograms: [] },
        uplinks: ['eth0 (ifindex 2): pl_from_uplink on tcx ingress'],
      };
    },
    datapathLoaded: () => true,
    executable: () => source,
    nodePodCidrs: async () => ['10.99.1.0/24', 'fd00:99:1::/64'],
    pluginVersions: () => ['0.3.1', '0.4.0', '1.0.0', '1.1.0'],
    progress: () => undefined,
    stdout: (s) => c.out.push(s),
    stderr: (s) => c.err.push(s),
    ...extra,
  };
  return c;
}

function setup(t: Test) {
  const dir = t.testdir({ src: { podlink: 'podlink v1 '.repeat(300_000) } }); // ~3 MiB: several copy chunks
  const o: InstallOptions = {
    binDir: path.join(dir, 'opt/cni/bin'),
    confDir: path.join(dir, 'etc/cni/net.d'),
    modeFile: path.join(dir, 'run/podlink/mode.json'),
    textfileDir: path.join(dir, 'textfile'),
    metricsState: path.join(dir, 'run/podlink/metrics.json'),
    subnet: ['10.244.1.0/24'],
  };
  return {
    dir,
    src: path.join(dir, 'src/podlink'),
    o,
    bin: path.join(o.binDir, 'podlink'),
    conflist: path.join(o.confDir, '05-podlink.conflist'),
  };
}

const snap = (files: string[]) =>
  files.map((f) => {
    const st = fs.statSync(f);
    return { f, ino: st.ino, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  });

t.test('install into empty dirs, then a second run changes nothing (same inodes and mtimes)', async (t) => {
  const s = setup(t);
  const c = fakeDeps(s.src);
  t.equal(await runInstallCommand(s.o, c.deps), 0, c.err.join(''));
  t.match(c.out.join(''), /binary +.*installed/);
  t.match(c.out.join(''), /podlink is installed \(4 changes\)/);
  t.match(
    c.out.join(''),
    new RegExp(
      /bpf datapath +\/sys\/fs\/bpf\/podlink +programs already pinned under \/sys\/fs\/bpf\/podlink; pod links: 0 moved.*; /.source +
        /uplinks: eth0 \(ifindex 2\): pl_from_uplink on tcx ingress/.source,
    ),
  );
  t.same(c.datapaths, ['/sys/fs/bpf/podlink'], 'the node datapath is set up once, at the default bpfRoot');
  t.ok(fs.readFileSync(s.bin).equals(fs.readFileSync(s.src)), 'binary copied byte for byte');
  t.equal(fs.statSync(s.bin).mode & 0o777, 0o755, 'executable');
  const conf = JSON.parse(fs.readFileSync(s.conflist, 'utf8'));
  t.equal(conf.cniVersion, '1.1.0');
  t.strictSame(
    conf.plugins.map((p: { type: string }) => p.type),
    ['podlink', 'portmap', 'bandwidth'],
  );
  t.strictSame(conf.plugins[0].ipam, { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]] });
  const mode = JSON.parse(fs.readFileSync(s.o.modeFile!, 'utf8')) as ModeFile;
  t.match(mode, { configured: 'auto', operational: 'veth' });
  t.ok(fs.existsSync(path.join(s.o.textfileDir!, 'podlink.prom')), 'metrics textfile created');
  t.strictSame(c.probes, ['auto']);

  const files = [s.bin, s.conflist, s.o.modeFile!, path.join(s.o.textfileDir!, 'podlink.prom')];
  const before = snap(files);
  await new Promise((r) => setTimeout(r, 20)); // a rewrite would show a later mtime
  const c2 = fakeDeps(s.src);
  t.equal(await runInstallCommand(s.o, c2.deps), 0);
  t.strictSame(snap(files), before, 'second run: no file replaced or touched');
  t.match(c2.out.join(''), /Nothing changed: podlink is already installed and up to date\./);
  t.notMatch(c2.out.join(''), /installed \(|written|replaced/);
  const r = await install(s.o, fakeDeps(s.src).deps);
  t.notOk(r.changed);
  t.ok(
    r.steps.every((x) => x.status === 'unchanged'),
    'every step unchanged',
  );
  t.same(fs.readdirSync(s.o.binDir).sort(), ['podlink'], 'no temp files');
  t.same(fs.readdirSync(s.o.confDir).sort(), ['05-podlink.conflist']);
});

t.test('a new binary replaces the old one atomically: new inode, an open old file keeps its bytes', async (t) => {
  const s = setup(t);
  await install(s.o, fakeDeps(s.src).deps);
  const oldIno = fs.statSync(s.bin).ino;
  const fd = fs.openSync(s.bin, 'r'); // a running podlink holds the old inode like this
  fs.writeFileSync(s.src, 'podlink v2 '.repeat(300_000));
  const r = await install(s.o, fakeDeps(s.src).deps);
  t.strictSame(
    r.steps.map((x) => [x.step, x.status]),
    [
      ['binary', 'changed'],
      ['mode file', 'unchanged'],
      ['bpf datapath', 'unchanged'],
      ['conflist', 'unchanged'],
      ['metrics', 'unchanged'],
    ],
  );
  t.not(fs.statSync(s.bin).ino, oldIno, 'replaced by rename, not rewritten in place');
  t.equal(fs.readFileSync(s.bin, 'utf8').slice(0, 11), 'podlink v2 ');
  const buf = Buffer.alloc(11);
  fs.readSync(fd, buf, 0, 11, 0);
  fs.closeSync(fd);
  t.equal(buf.toString(), 'podlink v1 ', 'the old inode is untouched');
  t.same(fs.readdirSync(s.o.binDir), ['podlink'], 'no temp files');
});

t.test('replacing a binary that is running: no "text file busy"', async (t) => {
  const s = setup(t);
  const sleep = spawnSync('sh', ['-c', 'command -v sleep']).stdout.toString().trim();
  const tru = path.join(s.dir, 'true.sh');
  fs.writeFileSync(tru, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  fs.copyFileSync(sleep, s.src);
  await install(s.o, fakeDeps(s.src).deps);
  const child = spawn(s.bin, ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 100));
  t.equal(child.exitCode, null, 'the installed binary is running');
  // Writing into a running executable fails with ETXTBSY; install must not do that.
  t.throws(() => fs.writeFileSync(s.bin, 'x'), { code: 'ETXTBSY' }, 'the kernel refuses in-place writes');
  fs.copyFileSync(tru, s.src);
  const c = fakeDeps(s.src);
  t.equal(await runInstallCommand(s.o, c.deps), 0, c.err.join(''));
  t.ok(fs.readFileSync(s.bin).equals(fs.readFileSync(tru)), 'new binary in place');
  t.equal(child.exitCode, null, 'the running process is unaffected');
  t.equal(spawnSync(s.bin).status, 0, 'the new binary runs');
});

t.test('--dry-run changes nothing and prints the plan and the conflist', async (t) => {
  const s = setup(t);
  const c = fakeDeps(s.src);
  t.equal(await runInstallCommand({ ...s.o, dryRun: true }, c.deps), 0);
  t.notOk(fs.existsSync(s.o.binDir), 'no bin dir');
  t.notOk(fs.existsSync(s.o.confDir), 'no conf dir');
  t.notOk(fs.existsSync(s.o.modeFile!), 'no mode file');
  t.notOk(fs.existsSync(s.o.textfileDir!), 'no textfile dir');
  const out = c.out.join('');
  t.match(out, /nothing is changed/);
  t.match(out, /binary +\S+ +would install/);
  t.match(out, /mode file +\S+ +would write: veth \[Configured: auto\]/);
  t.match(out, /"type": "portmap"/, 'the conflist is shown');
  t.match(out, /4 changes would be made/);
  await install(s.o, fakeDeps(s.src).deps);
  const c2 = fakeDeps(s.src);
  await runInstallCommand({ ...s.o, dryRun: true }, c2.deps);
  t.match(c2.out.join(''), /Nothing to do/);
});

t.test('changed inputs: only what differs is rewritten', async (t) => {
  const s = setup(t);
  await install(s.o, fakeDeps(s.src).deps);
  const binIno = fs.statSync(s.bin).ino;
  const r = await install({ ...s.o, mode: 'netkit' }, fakeDeps(s.src).deps);
  t.strictSame(
    r.steps.map((x) => [x.step, x.status]),
    [
      ['binary', 'unchanged'],
      ['mode file', 'changed'],
      ['bpf datapath', 'unchanged'],
      ['conflist', 'changed'],
      ['metrics', 'changed'],
    ],
  );
  t.equal(fs.statSync(s.bin).ino, binIno);
  t.equal(JSON.parse(fs.readFileSync(s.conflist, 'utf8')).plugins[0].mode, 'netkit');
  t.equal(JSON.parse(fs.readFileSync(s.o.modeFile!, 'utf8')).configured, 'netkit');
  const r2 = await install(
    { ...s.o, mode: 'netkit', portmap: false, bandwidth: false, subnet: ['10.244.1.0/24', 'fd00:244:1::/64'] },
    fakeDeps(s.src).deps,
  );
  t.equal(r2.steps.find((x) => x.step === 'conflist')!.status, 'changed');
  const conf = JSON.parse(fs.readFileSync(s.conflist, 'utf8'));
  t.strictSame(
    conf.plugins.map((p: { type: string }) => p.type),
    ['podlink'],
  );
  t.equal(conf.plugins[0].ipam.ranges.length, 2, 'dual stack: two range sets');
});

t.test('--netconf (the ConfigMap) with --subnet node, and a corrupt mode file is rewritten', async (t) => {
  const s = setup(t);
  const netconf = path.join(s.dir, 'podlink.json');
  fs.writeFileSync(
    netconf,
    JSON.stringify({ cniVersion: '1.1.0', name: 'cluster-net', type: 'podlink', mode: 'veth', mtu: 1450, ipam: { type: 'host-local' } }),
  );
  fs.mkdirSync(path.dirname(s.o.modeFile!), { recursive: true });
  fs.writeFileSync(s.o.modeFile!, '{not json');
  const c = fakeDeps(s.src);
  const r = await install({ ...s.o, subnet: ['node'], netconf }, c.deps);
  const conf = JSON.parse(fs.readFileSync(s.conflist, 'utf8'));
  t.equal(conf.name, 'cluster-net');
  t.strictSame(conf.plugins[0], {
    type: 'podlink',
    mode: 'veth',
    mtu: 1450,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.99.1.0/24' }], [{ subnet: 'fd00:99:1::/64' }]] },
    modeFile: s.o.modeFile, // --mode-file: ADD reads the mode file install wrote
  });
  t.equal(r.steps.find((x) => x.step === 'mode file')!.status, 'changed');
  t.strictSame(c.probes, ['veth'], "the probe resolves the netconf's mode");
});

t.test("path flags: the flag, else the --netconf file's field, else the default; the conflist names what install used", async (t) => {
  const s = setup(t);
  const { modeFile: _m, ...o } = s.o;
  const at = (name: string) => ({
    modeFile: path.join(s.dir, name, 'mode.json'),
    stateDir: path.join(s.dir, name, 'state'),
    bpfRoot: `/sys/fs/bpf/${name}`,
  });
  const conf = at('from-netconf');
  const netconf = path.join(s.dir, 'podlink.json');
  fs.writeFileSync(netconf, JSON.stringify({ type: 'podlink', ...conf }));
  const used = async (opts: InstallOptions) => {
    const c = fakeDeps(s.src);
    const r = await install({ ...opts, dryRun: true }, c.deps);
    const target = (step: string) => r.steps.find((x) => x.step === step)!.target;
    const plugin = JSON.parse(r.conflist).plugins[0] as Record<string, unknown>;
    const conflist = { modeFile: plugin.modeFile, stateDir: plugin.stateDir, bpfRoot: plugin.bpfRoot };
    return { modeFile: target('mode file'), bpfRoot: target('bpf datapath'), conflist };
  };

  const flags = at('from-flags');
  t.strictSame(await used({ ...o, netconf, ...flags }), { modeFile: flags.modeFile, bpfRoot: flags.bpfRoot, conflist: flags }, 'flag wins');
  t.strictSame(await used({ ...o, netconf }), { modeFile: conf.modeFile, bpfRoot: conf.bpfRoot, conflist: conf }, 'netconf > default');
  t.strictSame(
    await used({ ...o, netconf, bpfRoot: flags.bpfRoot }),
    {
      modeFile: conf.modeFile,
      bpfRoot: flags.bpfRoot,
      conflist: { ...conf, bpfRoot: flags.bpfRoot },
    },
    'each path on its own',
  );
  t.strictSame(
    await used(o),
    {
      modeFile: '/run/podlink/mode.json',
      bpfRoot: '/sys/fs/bpf/podlink',
      conflist: { modeFile: undefined, stateDir: undefined, bpfRoot: undefined },
    },
    'the defaults, which the conflist leaves to ADD (the same ones)',
  );

  // Not a dry run: the mode file, the BPF root and the state directory (metrics) are the flags'.
  fs.mkdirSync(path.join(flags.stateDir, 'endpoints'), { recursive: true });
  fs.writeFileSync(path.join(flags.stateDir, 'endpoints', 'c1:eth0.cbor'), '');
  const c = fakeDeps(s.src);
  await install({ ...o, netconf, ...flags }, c.deps);
  t.ok(fs.existsSync(flags.modeFile) && !fs.existsSync(conf.modeFile), 'the mode file is written at --mode-file');
  t.strictSame(c.datapaths, [flags.bpfRoot]);
  const prom = fs.readFileSync(path.join(s.o.textfileDir!, 'podlink.prom'), 'utf8');
  t.match(prom, /^podlink_endpoints 1$/m, 'metrics count the records under --state-dir');
});

t.test('errors name the failing step and a fix; nothing half-done', async (t) => {
  const s = setup(t);
  const run = async (o: InstallOptions, deps = fakeDeps(s.src)) => {
    const code = await runInstallCommand(o, deps.deps);
    return { code, err: deps.err.join('') };
  };
  let r = await run({ ...s.o, subnet: undefined });
  t.equal(r.code, 1);
  t.match(r.err, /podlink install: build the network config failed: no IPAM configured\n {2}fix: pass --ipam host-local --subnet CIDR/);
  r = await run({ ...s.o, subnet: ['10.0.0.0/33'] });
  t.match(r.err, /build the network config failed: "10.0.0.0\/33" is not a subnet.*\n {2}fix: use e.g. --subnet/);
  r = await run({ ...s.o, ipam: 'host-local', subnet: undefined });
  t.match(r.err, /host-local IPAM needs a subnet/);
  r = await run(
    { ...s.o, subnet: ['node'] },
    fakeDeps(s.src, {
      nodePodCidrs: async () => {
        throw Object.assign(new Error('node n1 has no spec.podCIDRs'), { hint: 'pass --subnet CIDR' });
      },
    }),
  );
  t.match(r.err, /look up the node pod CIDRs failed: node n1 has no spec.podCIDRs\n {2}fix: pass --subnet CIDR/);
  fs.writeFileSync(
    path.join(s.dir, 'bad.json'),
    '{"type":"podlink","mode":"fast","ipam":{"type":"host-local","ranges":[[{"subnet":"10.0.0.0/24"}]]}}',
  );
  r = await run({ ...s.o, subnet: undefined, netconf: path.join(s.dir, 'bad.json') });
  t.match(r.err, /build the network config failed: the podlink config is invalid: .*mode/);
  r = await run({ ...s.o, source: path.join(s.dir, 'missing') });
  t.match(r.err, /read the podlink executable failed: .*ENOENT.*\n {2}fix: pass --source/);
  fs.writeFileSync(path.join(s.dir, 'file'), '');
  r = await run({ ...s.o, binDir: path.join(s.dir, 'file', 'bin') });
  t.match(r.err, /copy the binary failed: ENOTDIR.*\n {2}fix: a component of .* is a file/);
  r = await run(
    s.o,
    fakeDeps(s.src, {
      probe: () => {
        throw Object.assign(new Error('netkit mode requires Linux 6.7+'), { hint: 'use --mode auto' });
      },
    }),
  );
  t.match(r.err, /probe the kernel failed: netkit mode requires Linux 6.7\+\n {2}fix: use --mode auto/);
  t.notOk(fs.existsSync(s.conflist), 'a failed probe never leaves a conflist behind');
});

t.test('warnings: missing chained plugins, an old plugin version, a config file that sorts first', async (t) => {
  const s = setup(t);
  fs.mkdirSync(s.o.confDir, { recursive: true });
  fs.writeFileSync(path.join(s.o.confDir, '00-other.conflist'), '{}');
  const c = fakeDeps(s.src, { pluginVersions: (f) => (f.endsWith('portmap') ? ['0.3.1', '0.4.0', '1.0.0'] : ['1.0.0', '1.1.0']) });
  fs.mkdirSync(s.o.binDir, { recursive: true });
  fs.writeFileSync(path.join(s.o.binDir, 'portmap'), '');
  t.equal(await runInstallCommand(s.o, c.deps), 0, 'warnings do not fail the install');
  const err = c.err.join('');
  t.match(
    err,
    new RegExp(
      /warning: conflist cniVersion 1.0.0, not 1.1.0: portmap in .* speaks at most 1.0.0 /.source +
        /\(CNI plugins 1.5.0\+ speak 1.1.0; --cni-version overrides\)/.source,
    ),
  );
  t.equal(JSON.parse(fs.readFileSync(s.conflist, 'utf8')).cniVersion, '1.0.0', 'the conflist speaks what the chain speaks');
  t.match(err, /warning: bandwidth is not in .*: .* or pass --no-bandwidth/);
  t.match(err, /warning: IPAM plugin host-local is not in/);
  t.match(err, /00-other.conflist sorts before 05-podlink.conflist/);
  // An explicit --cni-version is kept, and then the old plugin is named.
  const d = fakeDeps(s.src, { pluginVersions: c.deps.pluginVersions });
  t.equal(await runInstallCommand({ ...s.o, cniVersion: '1.1.0' }, d.deps), 0);
  t.match(d.err.join(''), /warning: .*portmap supports CNI 0.3.1, 0.4.0, 1.0.0 but not 1.1.0: upgrade .* or pass --cni-version 1.0.0/);
  t.equal(JSON.parse(fs.readFileSync(s.conflist, 'utf8')).cniVersion, '1.1.0');
});

t.test('chainDefaults: bandwidth too old to CHECK pods without limits is left out, unless asked for', async (t) => {
  const dir = t.testdir({ bandwidth: '' });
  const o = { binDir: dir } as Parameters<typeof chainDefaults>[0];
  const old = { pluginVersions: () => ['0.3.1', '0.4.0', '1.0.0'] };
  const r = chainDefaults(o, old);
  t.equal(r.o.bandwidth, false);
  t.match(r.note, /bandwidth not chained: .* speaks CNI 0\.3\.1, 0\.4\.0, 1\.0\.0 only, .* pass --bandwidth to chain it anyway/);
  t.same(chainDefaults({ ...o, bandwidth: true }, old), { o: { ...o, bandwidth: true } }, '--bandwidth keeps it');
  t.same(chainDefaults({ ...o, bandwidth: false }, old).note, undefined, '--no-bandwidth: nothing to say');
  t.same(chainDefaults(o, { pluginVersions: () => ['1.0.0', '1.1.0'] }), { o }, 'new plugins: chained');
  t.same(
    chainDefaults({ binDir: path.join(dir, 'none') } as typeof o, old),
    { o: { binDir: path.join(dir, 'none') } },
    'no plugin there: the missing-plugin warning covers it',
  );
});

t.test('chainVersion: 1.1.0 when the chain speaks it, else the newest common version', async (t) => {
  const dir = t.testdir({ portmap: '', bandwidth: '' });
  const o = { binDir: dir } as Parameters<typeof chainVersion>[0];
  const v = (pm: string[] | undefined, bw: string[] | undefined) =>
    chainVersion(o, { pluginVersions: (f) => (f.endsWith('portmap') ? pm : bw) });
  t.same(v(['1.0.0', '1.1.0'], ['1.1.0']), { version: '1.1.0' });
  t.equal(v(['0.4.0', '1.0.0'], ['0.3.1', '0.4.0']).version, '0.4.0');
  t.match(v(['0.4.0', '1.0.0'], ['0.3.1', '0.4.0']).note, /portmap and bandwidth in .* speak at most 0.4.0/);
  t.same(v(undefined, undefined), { version: '1.1.0' }, 'unknown versions: the default');
  t.equal(chainVersion({ ...o, portmap: false, bandwidth: false }, { pluginVersions: () => ['0.3.1'] }).version, '1.1.0', 'no chain');
});

t.test('sameMode ignores probedAt only', async (t) => {
  const a = fakeMode('auto');
  t.ok(sameMode(a, { ...a, probedAt: 'later' }));
  t.notOk(sameMode(a, { ...a, kernel: '6.8.0' }));
  t.notOk(sameMode(a, { ...a, features: { ...a.features, tcx: false } }));
});

t.test(
  'the packaged executable installs itself (real probe)',
  { skip: !isRoot || !fs.existsSync(DIST) ? 'needs root and dist/podlink' : false },
  async (t) => {
    const s = setup(t);
    // A throwaway netns (no default route: no uplink) and a private bpfRoot: install loads the programs.
    const bpfRoot = testBpfRoot(`podlink-unit-${process.pid}`, testCleanup(t));
    const netconf = path.join(path.dirname(s.src), 'netconf.json');
    fs.writeFileSync(netconf, JSON.stringify({ type: 'podlink', bpfRoot }));
    const args = [
      'install',
      '--netconf',
      netconf,
      '--subnet',
      '10.244.9.0/24',
      '--bin-dir',
      s.o.binDir,
      '--conf-dir',
      s.o.confDir,
      '--mode-file',
      s.o.modeFile!,
      '--textfile-dir',
      s.o.textfileDir!,
      '--json',
    ];
    const inNetns = (bin: string, a: string[]) => spawnSync('unshare', ['-n', bin, ...a], { encoding: 'utf8' });
    const r1 = inNetns(DIST, args);
    t.equal(r1.status, 0, r1.stderr);
    const j1 = JSON.parse(r1.stdout);
    t.equal(j1.changed, true);
    t.ok(fs.readFileSync(s.bin).equals(fs.readFileSync(DIST)), 'process.execPath copied');
    t.match(JSON.parse(fs.readFileSync(s.o.modeFile!, 'utf8')), { v: 1, configured: 'auto' });
    const before = snap([s.bin, s.conflist, s.o.modeFile!]);
    // The installed copy re-running install over itself: all unchanged.
    t.match(
      j1.steps.find((x: { step: string }) => x.step === 'bpf datapath'),
      { status: 'changed', detail: /programs loaded and pinned under .*uplinks: none/ },
    );
    t.ok(fs.readdirSync(`${bpfRoot}/progs`).length === 1, "the programs are pinned under the netconf's bpfRoot");
    const r2 = inNetns(s.bin, args);
    t.equal(r2.status, 0, r2.stderr);
    t.equal(JSON.parse(r2.stdout).changed, false);
    t.strictSame(snap([s.bin, s.conflist, s.o.modeFile!]), before);
    const r3 = inNetns(
      s.bin,
      args.filter((a) => a !== '--json'),
    );
    t.match(r3.stdout, /Nothing changed/);
  },
);
