// Tests for the exec driver: the environment a plugin sees, stdin/stdout
// handling, and an ADD/CHECK/DEL round trip of the reference ptp + host-local
// plugins (Debian containernetworking-plugins) in a real netns, proving that
// snapshot() taken before ADD and after DEL are identical.
//
// Needs root and /usr/lib/cni/{ptp,host-local}; skipped otherwise.
// Addresses: 10.231.8.0/24, only inside the test netns and on the host side
// of the ptp veth (removed by DEL). IPAM state: conformance/.work/.

import t from 'tap';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffSnapshots, snapshot, snapshotText } from './exec-driver.js';
import { testCleanup } from '../support/cleanup.js';
import { addNetns, delNetns, netnsPath } from '../support/netns.js';
import { PLUGIN_PATH, runPlugin } from '../support/spawn.js';

const REF_DIR = '/usr/lib/cni';
const PTP = join(REF_DIR, 'ptp');
const root = process.geteuid?.() === 0;
const skipRef = !root ? 'needs root' : !existsSync(PTP) || !existsSync(join(REF_DIR, 'host-local'))
  ? `reference plugins not found in ${REF_DIR} (apt-get install containernetworking-plugins)`
  : false;

const here = dirname(fileURLToPath(import.meta.url));
const workDir = join(here, '..', '.work', `exec-driver-${process.pid}`);
t.teardown(() => rmSync(workDir, { recursive: true, force: true }));

t.test('plugin environment is PATH plus the given CNI_* variables only', async (t) => {
  process.env['PODLINK_LEAK_CHECK'] = 'must-not-reach-plugin';
  t.teardown(() => { delete process.env['PODLINK_LEAK_CHECK']; });
  const r = runPlugin({
    plugin: '/usr/bin/env',
    command: 'ADD',
    containerId: 'c1',
    ifname: 'eth0',
    stdin: '',
    env: { CNI_ARGS: 'IgnoreUnknown=1', CNI_IFNAME: undefined },
  });
  t.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n').sort();
  t.same(lines, ['CNI_ARGS=IgnoreUnknown=1', 'CNI_COMMAND=ADD', 'CNI_CONTAINERID=c1', `PATH=${PLUGIN_PATH}`]);
  t.equal(r.json, undefined, 'non-JSON stdout gives json undefined');
});

t.test('stdin: objects are JSON-encoded, strings sent verbatim, stdout parsed', async (t) => {
  const conf = { cniVersion: '1.0.0', name: 'n', type: 'x', nested: { a: [1, 2] } };
  const r = runPlugin({ plugin: '/bin/cat', command: 'ADD', stdin: conf });
  t.equal(r.code, 0);
  t.equal(r.stdout, JSON.stringify(conf));
  t.same(r.json, conf);
  const raw = runPlugin({ plugin: '/bin/cat', command: 'ADD', stdin: '{"broken":' });
  t.equal(raw.stdout, '{"broken":');
  t.equal(raw.json, undefined);
});

t.test('exit status, signals and timeouts are reported, not thrown', async (t) => {
  const f = runPlugin({ plugin: '/bin/false', command: 'ADD', stdin: '' });
  t.equal(f.code, 1);
  t.equal(f.signal, null);
  mkdirSync(join(workDir, 'bin'), { recursive: true });
  const sleeper = join(workDir, 'bin', 'sleeper');
  writeFileSync(sleeper, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  const slow = runPlugin({ plugin: sleeper, command: 'ADD', stdin: '', timeoutMs: 300 });
  t.ok(slow.timedOut, 'timed out');
  t.equal(slow.signal, 'SIGKILL');
  t.equal(slow.code, 137);
  t.throws(() => runPlugin({ plugin: '/nonexistent/plugin', command: 'ADD', stdin: '' }), /not executable.*ENOENT/);
});

t.test('reference ptp + host-local through runPlugin (cniVersion 1.0.0)', { skip: skipRef }, async (t) => {
  // The plugin runs in a private "host" netns: other suites create links on
  // the real host concurrently, which would make a host-wide comparison flaky.
  const hostNs = `podlink-execdrv-h${process.pid}`;
  const ns = `podlink-execdrv-c${process.pid}`;
  const dataDir = join(workDir, 'ipam');
  mkdirSync(dataDir, { recursive: true });
  const c = testCleanup(t);
  addNetns(hostNs, c);
  addNetns(ns, c);
  const nsPath = netnsPath(ns);

  const conf = {
    cniVersion: '1.0.0',
    name: 'podlink-execdrv',
    type: 'ptp',
    ipam: {
      type: 'host-local',
      dataDir,
      ranges: [[{ subnet: '10.231.8.0/24', gateway: '10.231.8.1' }]],
      // ptp installs routes via the gateway; naming gw keeps its CHECK happy.
      routes: [{ dst: '10.231.0.0/16', gw: '10.231.8.1' }],
    },
  };
  const call = { plugin: PTP, containerId: 'execdrv-1', netns: nsPath, ifname: 'eth0', cniPath: REF_DIR, hostNetns: hostNs };
  const snap = () => snapshot([ns], { hostNetns: hostNs });

  const before = snap();
  t.same(snap(), before, 'two snapshots without changes are equal');

  const add = runPlugin({ ...call, command: 'ADD', stdin: conf });
  t.equal(add.code, 0, `ADD exit 0 (stderr: ${add.stderr})`);
  const result = add.json as { cniVersion: string; ips: { address: string }[]; interfaces: { name: string }[] };
  t.equal(result.cniVersion, '1.0.0');
  t.match(result.ips[0]?.address, /^10\.231\.8\.\d+\/24$/);
  t.equal(result.interfaces.length, 2, 'host veth and container eth0 listed');

  const during = snap();
  t.ok(diffSnapshots(before.host, during.host).length > 0, 'the host side (veth, route) is in the private host netns');
  t.not(snapshotText(during), snapshotText(before), 'snapshot sees the ADD');
  t.ok(diffSnapshots(before, during).some((d) => d.includes('eth0')), 'diff names the container eth0');

  const check = runPlugin({ ...call, command: 'CHECK', stdin: { ...conf, prevResult: result } });
  t.equal(check.code, 0, `CHECK exit 0 (stdout: ${check.stdout})`);
  t.equal(check.stdout, '', 'CHECK prints nothing');

  const del = runPlugin({ ...call, command: 'DEL', stdin: { ...conf, prevResult: result } });
  t.equal(del.code, 0, `DEL exit 0 (stdout: ${del.stdout} stderr: ${del.stderr})`);

  const after = snap();
  t.same(diffSnapshots(before, after), [], 'nothing left behind');
  t.equal(snapshotText(after), snapshotText(before), 'byte-identical snapshot text');

  const ipFiles = readdirSync(join(dataDir, conf.name)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
  t.same(ipFiles, [], 'host-local released the address');

  const again = runPlugin({ ...call, command: 'DEL', stdin: conf });
  t.equal(again.code, 0, 'repeated DEL without prevResult succeeds');

  delNetns(ns);
  t.equal(snap().netns[ns], null, 'deleted netns snapshots as null');
  delNetns(ns); // not-found is success
  const gone = runPlugin({ ...call, command: 'DEL', stdin: conf });
  t.equal(gone.code, 0, 'DEL with a vanished netns succeeds');
});

t.test('reference ptp reports missing variables as CNI error 4', { skip: skipRef }, async (t) => {
  const r = runPlugin({ plugin: PTP, command: 'ADD', ifname: 'eth0', cniPath: REF_DIR,
    stdin: { cniVersion: '1.0.0', name: 'n', type: 'ptp' } });
  t.not(r.code, 0);
  t.match(r.json, { code: 4, msg: /CNI_CONTAINERID/ });
});

t.test('VERSION needs no container variables', { skip: skipRef }, async (t) => {
  const r = runPlugin({ plugin: PTP, command: 'VERSION', stdin: { cniVersion: '1.0.0' } });
  t.equal(r.code, 0);
  t.match(r.json, { supportedVersions: ['0.1.0'] });
  t.ok((r.json as { supportedVersions: string[] }).supportedVersions.includes('1.0.0'));
});
