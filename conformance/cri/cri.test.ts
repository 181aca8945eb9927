// The CRI tier: pods made the way kubelet makes them. A private containerd (CRI plugin, runc) runs in a
// node netns; the DaemonSet's init container command runs from the podlink image through `ctr run`, with
// the manifest's host mounts pointed at temp dirs, and writes the binary and the conflist where the CRI
// plugin reads them; then a runtime.v1 client drives RunPodSandbox → PodSandboxStatus → StopPodSandbox →
// RemovePodSandbox, and the pods ping each other and the node and take a hostPort (portmap after podlink).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import t from 'tap';
import { buildImage, ociLayout } from '../../release/image.mjs';
import { tarArchive } from '../../release/tar.mjs';
import { NODE_LO_ADDRS } from '../support/node.js';
import { listenInNetns } from '../support/listen-in-netns.js';
import { isRoot, ROOT, Testbed } from '../integration/testbed.js';
import { CriClient } from './cri-client.js';

const PODS = 3;
const HOST_PORT = 30000 + (process.pid % 20000);
const PAUSE = 'podlink.test/pause:1';
const tools = ['containerd', 'ctr', 'runc', '/bin/busybox', '/usr/lib/cni/portmap'].filter((x) => spawnSync('sh', ['-c', `command -v ${x}`]).status !== 0);
const skip = (!isRoot && 'needs root') || (!fs.existsSync(path.join(ROOT, 'dist/podlink')) && 'dist/podlink not built') || (tools.length > 0 && `missing ${tools.join(', ')}`);
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sandbox { id: string; ip: string; netns: string }

t.test('pods through containerd CRI with the conflist the image installed', { skip, timeout: 240_000 }, async (t) => {
  const b = new Testbed('cri');
  const d = b.dir;
  const dirs = { bin: path.join(d, 'bin'), conf: path.join(d, 'conf'), ctd: path.join(d, 'containerd') };
  for (const x of Object.values(dirs)) fs.mkdirSync(x, { recursive: true });
  for (const p of ['portmap', 'loopback', 'host-local', 'bandwidth', 'ptp']) fs.copyFileSync(`/usr/lib/cni/${p}`, path.join(dirs.bin, p));
  const sock = path.join(dirs.ctd, 'sock');
  let daemon: ChildProcess | undefined;
  let cri: CriClient | undefined;
  t.teardown(async () => {
    // A failed test still removes its pods through CRI before containerd stops.
    const left = await cri?.call<{ items: { id: string }[] }>('ListPodSandbox', {}).catch(() => ({ items: [] }));
    for (const s of left?.items ?? []) {
      await cri!.call('StopPodSandbox', { pod_sandbox_id: s.id }).catch(() => undefined);
      await cri!.call('RemovePodSandbox', { pod_sandbox_id: s.id }).catch(() => undefined);
    }
    cri?.close();
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    killShims(sock);
    unmountUnder(d);
    b.cleanup();
  });

  // The images: podlink's, and a pause image made of Debian's static busybox.
  const img = buildImage({ outDir: d });
  const pauseTar = tarArchive([{ path: 'bin/busybox', data: fs.readFileSync('/bin/busybox'), mode: 0o755 }], 0);
  const pause = ociLayout({ layerTar: pauseTar, epoch: 0, ref: PAUSE, platform: { architecture: 'amd64', os: 'linux' }, config: { Entrypoint: ['/bin/busybox', 'sleep', '2147483647'] } });
  fs.writeFileSync(path.join(d, 'pause.oci.tar'), pause.archive);

  fs.writeFileSync(path.join(dirs.ctd, 'config.toml'), `version = 2
root = "${dirs.ctd}/root"
state = "${dirs.ctd}/state"
[grpc]
  address = "${sock}"
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
  sandbox_image = "${PAUSE}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${dirs.bin}"
    conf_dir = "${dirs.conf}"
`);
  daemon = spawn('nsenter', [`--net=/run/netns/${b.node}`, 'containerd', '--config', path.join(dirs.ctd, 'config.toml')], {
    stdio: ['ignore', 'ignore', fs.openSync(path.join(dirs.ctd, 'log'), 'w')],
  });
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await sleep(100);
  t.ok(fs.existsSync(sock), 'containerd is up');
  const ctr = (...args: string[]) => sh('ctr', ['-a', sock, '-n', 'k8s.io', ...args]);
  for (const f of [img.file, path.join(d, 'pause.oci.tar')]) t.equal(ctr('images', 'import', f).status, 0, `import ${path.basename(f)}`);

  // The init container: the manifest's command and host mounts, with temp dirs for the CNI bin and conf dirs.
  const netconf = path.join(d, 'netconf.json');
  const conf = b.conf({ ipv6: false }) as Record<string, unknown>;
  delete conf.cniVersion;
  delete conf.name;
  fs.writeFileSync(netconf, JSON.stringify(conf));
  const bind = (src: string, dst = src) => ['--mount', `type=bind,src=${src},dst=${dst},options=rbind:rw`];
  const install = ctr('run', '--rm', '--privileged', '--net-host', ...bind(dirs.bin, '/host/opt/cni/bin'), ...bind(dirs.conf, '/host/etc/cni/net.d'),
    ...bind('/sys/fs/bpf'), ...bind(d), img.ref, `podlink-install-${process.pid}`,
    '/usr/local/bin/podlink', 'install', '--netconf', netconf, '--bin-dir', '/host/opt/cni/bin', '--conf-dir', '/host/etc/cni/net.d', '--uplink', 'none');
  t.equal(install.status, 0, `podlink install from the image: ${install.stdout} ${install.stderr}`);
  t.ok(fs.existsSync(path.join(dirs.bin, 'podlink')), 'the binary is in the CNI bin dir');
  const conflist = JSON.parse(fs.readFileSync(path.join(dirs.conf, '05-podlink.conflist'), 'utf8'));
  t.match(conflist.plugins.map((p: { type: string }) => p.type), ['podlink', 'portmap'], 'podlink then portmap');

  cri = new CriClient(sock);
  const sandboxes: Sandbox[] = [];
  const runTimes: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const config = {
      metadata: { name: `pod${i}`, uid: `uid-${process.pid}-${i}`, namespace: 'cri-test', attempt: 0 },
      hostname: `pod${i}`,
      port_mappings: i === 0 ? [{ protocol: 'TCP', container_port: 8080, host_port: HOST_PORT }] : [],
      linux: {},
    };
    const started = process.hrtime.bigint();
    const run = await cri.call<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
    runTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    const st = await cri.call<{ status: { state: string; network: { ip: string } }; info: Record<string, string> }>('PodSandboxStatus', { pod_sandbox_id: run.pod_sandbox_id, verbose: true });
    t.equal(st.status.state, 'SANDBOX_READY');
    const info = JSON.parse(st.info.info ?? '{}');
    const netns = (info.runtimeSpec?.linux?.namespaces ?? []).find((n: { type: string }) => n.type === 'network')?.path as string;
    sandboxes.push({ id: run.pod_sandbox_id, ip: st.status.network.ip, netns });
  }
  for (const s of sandboxes) t.match(s.ip, /^10\./, `CRI status reports the pod IP ${s.ip}`);
  const ping = (netns: string, ip: string) => sh('nsenter', [`--net=${netns}`, 'ping', '-c1', '-W2', ip]).status;
  for (const a of sandboxes) for (const c of sandboxes) if (a !== c) t.equal(ping(a.netns, c.ip), 0, `${a.ip} pings ${c.ip}`);
  const nodeIp = NODE_LO_ADDRS[0]!.split('/')[0]!;
  for (const s of sandboxes) t.equal(ping(s.netns, nodeIp), 0, `${s.ip} pings the node ${nodeIp}`);

  const { handle } = await listenInNetns(path.basename(sandboxes[0]!.netns), '0.0.0.0', 8080);
  const server = net.createServer((c) => c.end('pod0\n'));
  await new Promise<void>((r) => server.listen(handle, r));
  const got = await output('nsenter', [`--net=/run/netns/${b.node}`, '/bin/busybox', 'nc', nodeIp, String(HOST_PORT)]);
  server.close();
  t.equal(got, 'pod0\n', `hostPort ${HOST_PORT} on the node reaches pod0's :8080 (portmap chained after podlink)`);

  const status = await cri.call<{ status: { conditions: { type: string; status: boolean }[] } }>('Status', {});
  t.match(status.status.conditions.find((c) => c.type === 'NetworkReady'), { status: true }, 'CRI Status: NetworkReady');

  for (const s of sandboxes) {
    await cri.call('StopPodSandbox', { pod_sandbox_id: s.id });
    await cri.call('RemovePodSandbox', { pod_sandbox_id: s.id });
  }
  // What containerd does when a Remove follows a Stop whose netns is gone: DEL with no netns and no prevResult.
  const plugin = { cniVersion: conflist.cniVersion, name: conflist.name, ...conflist.plugins[0] };
  for (const s of sandboxes) {
    const del = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, path.join(dirs.bin, 'podlink')], {
      input: JSON.stringify(plugin), encoding: 'utf8',
      env: { CNI_COMMAND: 'DEL', CNI_CONTAINERID: s.id, CNI_NETNS: '', CNI_IFNAME: 'eth0', CNI_PATH: dirs.bin, PATH: '/usr/bin:/bin' },
    });
    t.equal(del.status, 0, `second DEL of ${s.id.slice(0, 12)} succeeds ${del.stdout}`);
  }
  t.strictSame(b.nodeLinks(), [], 'no pod link left in the node');
  t.strictSame(fs.readdirSync(b.bpfRoot, { recursive: true }).filter((f) => String(f).startsWith('links/') && String(f) !== 'links/'), [], 'no per-pod link pin left');
  const cache = fs.existsSync('/var/lib/cni/results') ? fs.readdirSync('/var/lib/cni/results') : [];
  t.strictSame(cache.filter((f) => sandboxes.some((s) => f.includes(s.id))), [], 'no libcni cache entry left');
  const log = fs.existsSync(conf.logFile as string) ? fs.readFileSync(conf.logFile as string, 'utf8') : '';
  t.comment(`STATUS calls from this containerd: ${(log.match(/"STATUS"/g) ?? []).length} (containerd 1.6 does not call CNI STATUS)`);
  t.strictSame(b.ipamAllocations(), [], 'no IP left');
  t.strictSame(b.records(), [], 'no endpoint record left');
  for (const s of sandboxes) t.notOk(fs.existsSync(s.netns), `netns ${s.netns} removed`);

  // The same RunPodSandbox with Debian's ptp in the same containerd (it reloads the lexically first conflist).
  fs.writeFileSync(path.join(dirs.conf, '01-ptp.conflist'), JSON.stringify({
    cniVersion: '1.0.0', name: 'ptp-ref',
    plugins: [{ type: 'ptp', ipam: { type: 'host-local', dataDir: path.join(d, 'ptp-ipam'), ranges: [[{ subnet: b.subnet4.replace(/^10\.\d+\./, '10.250.') }]] } }],
  }));
  await sleep(1500);
  const ptpTimes: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const config = { metadata: { name: `ptp${i}`, uid: `uid-ptp-${process.pid}-${i}`, namespace: 'cri-test', attempt: 0 }, linux: {} };
    const started = process.hrtime.bigint();
    const run = await cri.call<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
    ptpTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    await cri.call('StopPodSandbox', { pod_sandbox_id: run.pod_sandbox_id });
    await cri.call('RemovePodSandbox', { pod_sandbox_id: run.pod_sandbox_id });
  }
  const p50 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  t.comment(`CRI RunPodSandbox p50: podlink ${p50(runTimes).toFixed(0)} ms, ptp ${p50(ptpTimes).toFixed(0)} ms ` +
    `(ratio ${(p50(runTimes) / p50(ptpTimes)).toFixed(2)}, ${PODS} pods each, informational)`);
});

/** stdout of a command run without blocking this process (the test's own server must answer meanwhile). */
function output(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    c.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** containerd-shim-runc-v2 processes outlive containerd: end the ones started for this socket, by pid. */
function killShims(sock: string): void {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('/usr/bin/containerd-shim') && cmd.includes(sock)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function unmountUnder(dir: string): void {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
}
