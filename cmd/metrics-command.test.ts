import t from 'tap';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAgentStatus } from '../lib/agent/index.js';
import { recordCall } from '../lib/metrics/index.js';
import { parseExposition } from '../conformance/support/prometheus.js';
import { runManifestCommand } from './manifest-command.js';
import { runMetricsCommand } from './metrics-command.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string) {
  const modeFile = path.join(dir, 'mode.json');
  fs.writeFileSync(
    modeFile,
    JSON.stringify({
      v: 1,
      configured: 'auto',
      operational: 'veth',
      reason: 'netkit probe failed',
      kernel: '6.1.0',
      features: { netkit: false, netkitScrub: false, netkitHeadroom: false, tcx: true, bpffs: true },
      probedAt: '2026-01-01T00:00:00.000Z',
    }),
  );
  return { stateFile: path.join(dir, 'run/metrics.json'), modeFile, stateDir: path.join(dir, 'state'), textfileDir: path.join(dir, 'tf') };
}

t.test('podlink metrics prints a strictly valid exposition with the recorded calls', async (t) => {
  const o = files(t.testdir());
  recordCall({ command: 'ADD', durationMs: 8 }, { stateFile: o.stateFile, textfileDir: null });
  recordCall({ command: 'ADD', durationMs: 30, code: 102 }, { stateFile: o.stateFile, textfileDir: null });
  const out: string[] = [];
  t.equal(await runMetricsCommand(o, (s) => out.push(s)), 0);
  const fams = parseExposition(out.join(''));
  t.strictSame(fams.get('podlink_datapath_config')!.samples[0]!.labels, { configured_mode: 'auto', operational_mode: 'veth' });
  t.equal(fams.get('podlink_cni_errors_total')!.samples[0]!.value, 1);
  t.equal(fams.get('podlink_cni_duration_seconds')!.samples.find((s) => s.name.endsWith('_count') && s.labels.command === 'ADD')!.value, 2);
  t.notOk(fs.existsSync(o.textfileDir), 'printing writes nothing');

  const err: string[] = [];
  t.equal(
    await runMetricsCommand(
      { ...o, write: true },
      () => {},
      (s) => err.push(s),
    ),
    0,
  );
  t.equal(fs.readFileSync(path.join(o.textfileDir, 'podlink.prom'), 'utf8'), out.join(''), '--write: the same text in podlink.prom');
  t.match(err.join(''), /wrote .*podlink.prom/);
});

t.test("podlink metrics adds the agent's families when an agent status sits next to the mode file", async (t) => {
  const o = files(t.testdir());
  const out = async () => {
    const text: string[] = [];
    t.equal(await runMetricsCommand(o, (s) => text.push(s)), 0);
    return parseExposition(text.join(''));
  };
  t.notOk((await out()).has('podlink_agent_nodes'), 'no agent: no agent families');
  writeAgentStatus(path.dirname(o.modeFile), {
    version: 1,
    pid: 1,
    nodeName: 'n1',
    startedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    tunnel: { routing: 'auto', inUse: false },
    selfFound: true,
    source: {
      kind: 'kubernetes',
      where: 'https://10.0.0.1:6443',
      connected: true,
      synced: true,
      syncErrors: 3,
      lastSyncAt: '2026-01-01T00:00:00Z',
    },
    nodes: [
      { name: 'n1', podCIDRs: ['10.244.1.0/24'], addresses: ['10.0.0.1'], path: 'self' },
      { name: 'n2', podCIDRs: ['10.244.2.0/24'], addresses: ['10.0.0.2'], path: 'native' },
      { name: 'n3', podCIDRs: [], addresses: [], path: 'rejected', reason: 'no pod CIDRs' },
    ],
    routes: { installed: 1, failures: 2 },
    clusterCIDRs: { learned: 2 },
    reconciles: { count: 4 },
  });
  const fams = await out();
  const byPath = Object.fromEntries(fams.get('podlink_agent_nodes')!.samples.map((x) => [x.labels.path, x.value]));
  t.strictSame(byPath, { self: 1, native: 1, tunnel: 0, unreachable: 0, rejected: 1 });
  t.equal(fams.get('podlink_agent_api_sync_errors_total')!.samples[0]!.value, 3);
  t.equal(fams.get('podlink_agent_route_failures_total')!.samples[0]!.value, 2);
  t.ok(fams.get('podlink_agent_seconds_since_last_sync')!.samples[0]!.value > 0);
  fs.writeFileSync(path.join(path.dirname(o.modeFile), 'agent.json'), 'garbage');
  t.notOk((await out()).has('podlink_agent_nodes'), 'an unreadable agent status drops the families, not the command');
});

t.test('option errors name the fix', async (t) => {
  const o = files(t.testdir());
  const err: string[] = [];
  t.equal(
    await runMetricsCommand(
      { ...o, interval: 5 },
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(err.join(''), /--interval only makes sense with --write\n {2}fix: add --write/);
  t.equal(
    await runMetricsCommand(
      { ...o, write: true, interval: 'soon' },
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(err.join(''), /--interval soon is not a number/);
  fs.writeFileSync(path.join(path.dirname(o.stateFile), '..', 'blocker'), '');
  t.equal(
    await runMetricsCommand(
      { ...o, write: true, textfileDir: path.join(path.dirname(o.modeFile), 'blocker', 'tf') },
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(err.join(''), /write the metrics textfile failed: .*ENOTDIR.*\n {2}fix:/);
});

t.test('metrics --write --interval keeps the textfile fresh and exits on SIGTERM (container PID 1)', async (t) => {
  const o = files(t.testdir());
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'cmd/podlink.ts'),
      'metrics',
      '--write',
      '--interval',
      '1',
      '--state-file',
      o.stateFile,
      '--mode-file',
      o.modeFile,
      '--state-dir',
      o.stateDir,
      '--textfile-dir',
      o.textfileDir,
    ],
    { stdio: 'ignore' },
  );
  const prom = path.join(o.textfileDir, 'podlink.prom');
  for (let i = 0; i < 100 && !fs.existsSync(prom); i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(fs.existsSync(prom), 'written at start');
  recordCall({ command: 'DEL', durationMs: 1, code: 7 }, { stateFile: o.stateFile, textfileDir: null });
  for (let i = 0; i < 60 && !fs.readFileSync(prom, 'utf8').includes('code="7"'); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(fs.readFileSync(prom, 'utf8'), /podlink_cni_errors_total\{command="DEL",code="7"\} 1/, 'refreshed');
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'clean exit on SIGTERM');
});

t.test('podlink manifest: output and option errors', async (t) => {
  const out: string[] = [];
  t.equal(
    runManifestCommand({ mode: 'veth', namespace: 'kube-system' }, '1.2.3', (s) => out.push(s)),
    0,
  );
  t.match(out.join(''), /image: ghcr.io\/podlink\/podlink:1.2.3\n/, 'default image tag = version');
  const err: string[] = [];
  t.equal(
    runManifestCommand(
      { mode: 'auto', namespace: 'Kube_System' },
      '1',
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(
    err.join(''),
    /podlink manifest: check the manifest options failed: --namespace "Kube_System" is not a valid namespace name\n {2}fix:/,
  );
  t.equal(
    runManifestCommand(
      { mode: 'auto', namespace: 'x', subnet: ['10.0.0.0/40'] },
      '1',
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(err.join(''), /--subnet: "10.0.0.0\/40" is not a subnet/);
  t.equal(
    runManifestCommand(
      { mode: 'auto', namespace: 'x', tunnelPort: '70000' },
      '1',
      () => {},
      (s) => err.push(s),
    ),
    1,
  );
  t.match(err.join(''), /--tunnel-port 70000 is not a UDP port \(1-65535\)/);
  const tunnel: string[] = [];
  t.equal(
    runManifestCommand({ mode: 'auto', namespace: 'x', routing: 'tunnel', tunnelPort: '4789' }, '1', (s) => tunnel.push(s)),
    0,
  );
  t.match(tunnel.join(''), /"routing": "tunnel",\n\s+"tunnelPort": 4789/, 'the netconf in the ConfigMap carries routing and tunnelPort');
});

t.test('every subcommand --help lists examples; install --dry-run reaches install', async (t) => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cmd/podlink.ts'), ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => resolve({ code, out }));
    });
  const helps = await Promise.all(['install', 'uninstall', 'manifest', 'logs', 'metrics'].map((c) => run([c, '--help'])));
  for (const [i, h] of helps.entries()) {
    t.equal(h.code, 0);
    t.match(h.out, /\nExamples:\n {2}podlink /, `help ${i} has examples`);
  }
  const dir = t.testdir();
  const r = await run([
    'install',
    '--dry-run',
    '--source',
    path.join(ROOT, 'package.json'),
    '--subnet',
    '10.0.0.0/24',
    '--bin-dir',
    path.join(dir, 'b'),
    '--conf-dir',
    path.join(dir, 'c'),
    '--mode-file',
    path.join(dir, 'm.json'),
  ]);
  // (The dry run still probes the kernel, which needs root; either way nothing may be written.)
  if (process.geteuid?.() === 0) t.match(r.out, /nothing is changed/, '--dry-run belongs to install, not to the CNI flag');
  t.notOk(fs.existsSync(path.join(dir, 'b')));
});
