import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBpffs } from '../lib/bpf/index.js';
import type { ModeFile } from '../lib/connector/index.js';
import { mkdirp } from '../lib/util/index.js';
import { install, type InstallDeps, type InstallOptions } from './install-command.js';
import { runUninstallCommand, uninstall, type UninstallOptions } from './uninstall-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist/podlink');
const isRoot = process.geteuid?.() === 0;

const probeResult = (): ModeFile => ({
  v: 1,
  configured: 'auto',
  operational: 'veth',
  reason: 'test',
  kernel: '6.1.0',
  features: { netkit: false, netkitScrub: false, netkitHeadroom: false, tcx: true, bpffs: true },
  probedAt: new Date().toISOString(),
});

function deps(src: string): InstallDeps {
  return {
    probe: probeResult,
    nodeDatapath: () => ({ loaded: false, upgrade: { updated: [], current: 0, defunct: [], prunedPrograms: [] }, uplinks: [] }),
    datapathLoaded: () => true,
    executable: () => src,
    nodePodCidrs: async () => [],
    pluginVersions: () => undefined,
    progress: () => undefined,
    stdout: () => {},
    stderr: () => {},
  };
}

async function installed(t: Test) {
  const dir = t.testdir({
    src: { podlink: 'binary' },
    bpf: {
      progs: { abc123: { 'from-pod': '', 'to-pod': '', 'from-uplink': '' } },
      maps: { def456: { endpoints: '', pod_cfg: '' } },
      uplinks: { eth0: { 'from-uplink': '' } },
      links: { pl0123456789ab: { 'from-pod': '', 'to-pod': '' } },
    },
    state: { endpoints: { 'c1:eth0.cbor': 'x' } },
  });
  const io: InstallOptions = {
    binDir: path.join(dir, 'bin'),
    confDir: path.join(dir, 'net.d'),
    modeFile: path.join(dir, 'run/mode.json'),
    textfileDir: path.join(dir, 'tf'),
    metricsState: path.join(dir, 'run/metrics.json'),
    subnet: ['10.244.0.0/24'],
  };
  await install(io, deps(path.join(dir, 'src/podlink')));
  fs.writeFileSync(io.metricsState!, '{}');
  const uo: UninstallOptions = {
    binDir: io.binDir,
    confDir: io.confDir,
    modeFile: io.modeFile!,
    textfileDir: io.textfileDir,
    metricsState: io.metricsState,
    bpfRoot: path.join(dir, 'bpf'),
    stateDir: path.join(dir, 'state'),
  };
  return {
    dir,
    uo,
    bin: path.join(io.binDir, 'podlink'),
    conflist: path.join(io.confDir, '05-podlink.conflist'),
    record: path.join(dir, 'state/endpoints/c1:eth0.cbor'),
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, o: (s: string) => out.push(s), e: (s: string) => err.push(s) };
}

t.test('uninstall removes node-level state, keeps what DEL needs', async (t) => {
  const s = await installed(t);
  const c = capture();
  t.equal(runUninstallCommand(s.uo, c.o, c.e), 0, c.err.join(''));
  t.notOk(fs.existsSync(s.conflist), 'conflist removed');
  t.notOk(fs.existsSync(s.uo.modeFile), 'mode file removed');
  for (const d of ['progs', 'maps', 'uplinks']) t.notOk(fs.existsSync(path.join(s.uo.bpfRoot, d)), `bpf ${d}/ removed`);
  t.ok(fs.existsSync(path.join(s.uo.bpfRoot, 'links/pl0123456789ab/from-pod')), 'per-pod link pins kept');
  t.ok(fs.existsSync(s.record), 'endpoint records kept');
  t.ok(fs.existsSync(s.bin), 'binary kept');
  t.notOk(fs.existsSync(path.join(s.uo.textfileDir!, 'podlink.prom')), 'metrics textfile removed');
  t.ok(fs.existsSync(s.uo.metricsState!), 'metrics state kept (DELs still count)');
  const out = c.out.join('');
  t.match(out, /binary +\S+ +kept: 1 endpoint record in .*, DEL needs it/);
  t.match(out, /bpf pins +\S+links\/ +kept for DEL \(1 pod\)/);
  t.match(out, /Pods created by podlink remain \(1\); their DEL still works\. Once they are gone, run `podlink uninstall --purge`/);

  const again = uninstall(s.uo);
  t.notOk(again.changed, 'a second uninstall changes nothing');
});

t.test('--purge refuses while endpoints remain, removes the binary once they are gone', async (t) => {
  const s = await installed(t);
  const c = capture();
  t.equal(runUninstallCommand({ ...s.uo, purge: true }, c.o, c.e), 1);
  t.ok(fs.existsSync(s.bin), 'binary kept');
  t.notOk(fs.existsSync(s.conflist), 'the rest is still uninstalled');
  t.match(
    c.err.join(''),
    new RegExp(
      /podlink uninstall: remove the binary \(--purge\) failed: 1 endpoint record remain.*DEL for those pods needs .*\n/.source +
        / {2}fix: delete \(or drain\) the pods on this node first/.source,
    ),
  );
  fs.rmSync(s.record);
  fs.rmSync(path.join(s.uo.bpfRoot, 'links'), { recursive: true }); // what DEL does
  const c2 = capture();
  t.equal(runUninstallCommand({ ...s.uo, purge: true }, c2.o, c2.e), 0, c2.err.join(''));
  t.notOk(fs.existsSync(s.bin), 'binary removed');
  t.notOk(fs.existsSync(s.uo.metricsState!), 'metrics state removed');
  t.notOk(fs.existsSync(s.uo.bpfRoot), 'empty pin root removed');
});

t.test('--dry-run changes nothing', async (t) => {
  const s = await installed(t);
  const c = capture();
  t.equal(runUninstallCommand({ ...s.uo, dryRun: true, purge: true }, c.o, c.e), 1, 'purge would be refused too');
  for (const f of [
    s.conflist,
    s.uo.modeFile,
    s.bin,
    path.join(s.uo.bpfRoot, 'progs/abc123/from-pod'),
    path.join(s.uo.textfileDir!, 'podlink.prom'),
  ])
    t.ok(fs.existsSync(f), `${path.basename(f)} still there`);
  t.match(c.out.join(''), /conflist +\S+ +would be removed/);
});

t.test('a foreign conflist of the same name is kept; a dangerous --bpf-root is refused', async (t) => {
  const s = await installed(t);
  fs.writeFileSync(s.conflist, '{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"bridge"}]}');
  const c = capture();
  t.equal(runUninstallCommand(s.uo, c.o, c.e), 0);
  t.ok(fs.existsSync(s.conflist));
  t.match(c.err.join(''), /warning: .* has no podlink plugin/);
  const c2 = capture();
  t.equal(runUninstallCommand({ ...s.uo, bpfRoot: '/sys/fs/bpf' }, c2.o, c2.e), 1);
  t.match(c2.err.join(''), /remove the node BPF pins failed: refusing to clear --bpf-root \/sys\/fs\/bpf\n {2}fix:/);
});

const haveTools = spawnSync('sh', ['-c', 'command -v ip && command -v nsenter && test -x /usr/lib/cni/host-local']).status === 0;
const integration = isRoot && fs.existsSync(DIST) && haveTools;

t.test(
  'DEL still works after uninstall (real pods, installed binary)',
  { skip: integration ? false : 'needs root, dist/podlink, iproute2 and /usr/lib/cni/host-local' },
  async (t) => {
    const { Testbed } = await import('../conformance/integration/testbed.js');
    const b = new Testbed('uninstall');
    t.teardown(() => b.cleanup());
    const binDir = path.join(b.dir, 'cni-bin');
    const confDir = path.join(b.dir, 'net.d');
    const dirs = ['--bin-dir', binDir, '--conf-dir', confDir, '--mode-file', b.modeFile];
    // In the node netns, with the testbed's bpfRoot: install sets up the node's BPF datapath too.
    const netconf = path.join(b.dir, 'netconf.json');
    fs.writeFileSync(netconf, JSON.stringify({ type: 'podlink', bpfRoot: b.bpfRoot, stateDir: b.stateDir }));
    const ins = spawnSync(
      'nsenter',
      [
        `--net=/run/netns/${b.node}`,
        DIST,
        'install',
        '--netconf',
        netconf,
        ...dirs,
        '--subnet',
        b.subnet4,
        '--no-portmap',
        '--no-bandwidth',
      ],
      { encoding: 'utf8' },
    );
    t.equal(ins.status, 0, ins.stderr);
    const bin = path.join(binDir, 'podlink');
    const pod = b.pod('a');
    const add = b.runWith(bin, 'ADD', { containerId: 'unin1', pod });
    t.equal(add.code, 0, `ADD through the installed binary: ${add.stdout}${add.stderr}`);
    t.same(b.records().length, 1);
    // Node-level pins as the probe would leave them (directories: bpffs takes mkdir/rmdir). Only on a
    // mounted bpffs: elsewhere /sys/fs/bpf refuses mkdir with ENOENT.
    if (isBpffs('/sys/fs/bpf')) {
      for (const d of ['progs/h1', 'maps/h2', 'uplinks/eth0']) mkdirp(path.join(b.bpfRoot, d));
    } else t.comment('bpffs is not mounted at /sys/fs/bpf: node pin removal is covered by the temp-dir tests only');
    const uninstallPurge = () =>
      spawnSync(bin, ['uninstall', ...dirs, '--bpf-root', b.bpfRoot, '--state-dir', b.stateDir, '--purge'], { encoding: 'utf8' });
    const un = uninstallPurge();
    t.equal(un.status, 1, '--purge refused: a pod is still there');
    t.match(un.stdout, /podlink uninstall/);
    t.ok(fs.existsSync(bin), 'binary kept');
    t.notOk(fs.existsSync(path.join(confDir, '05-podlink.conflist')));
    t.notOk(fs.existsSync(b.modeFile));
    for (const d of ['progs', 'maps', 'uplinks']) t.notOk(fs.existsSync(path.join(b.bpfRoot, d)), `${d}/ unpinned from bpffs`);
    const del = b.runWith(bin, 'DEL', { containerId: 'unin1', pod });
    t.equal(del.code, 0, `DEL after uninstall: ${del.stdout}${del.stderr}`);
    t.same(b.records(), [], 'record removed by DEL');
    t.same(b.nodeLinks(), [], 'host link removed by DEL');
    t.same(b.ipamAllocations(), [], 'IPAM released by DEL');
    t.notOk(fs.existsSync(b.modeFile), 'DEL did not need (or recreate) the mode file');
    const purge = uninstallPurge();
    t.equal(purge.status, 0, purge.stderr);
    t.notOk(fs.existsSync(bin), 'binary purged once no endpoint remains');
  },
);
