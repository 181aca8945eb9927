// floor.c and rusage.c, compiled as the bench compiles them, in netns of this test (root only).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import * as BPF from '../../../lib/bpf/consts.js';
import { BpfLink } from '../../../lib/bpf/index.js';
import { nativeSys } from '../../../lib/sys/index.js';
import { Cleanup, netnsPath, Netns, which } from '../harness.js';
import { nsLinks } from '../../support/netns.js';
import { compile, Floor, parseParts, RUSAGE_SOURCE } from './floor.js';

const root = process.geteuid?.() === 0;
const skip = !root ? 'needs root (netns, bpffs)' : !which('gcc') ? 'needs gcc' : false;

const run = (file: string, args: string[], node?: string) => {
  const [f, a] = node ? ['/usr/bin/nsenter', [`--net=${netnsPath(node)}`, file, ...args]] : [file, args];
  return spawnSync(f, a, { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
};

t.test('floor: pair with the peer in the pod netns, two pinned tcx links, and DEL removes all of it', { skip }, async (t) => {
  const c = new Cleanup();
  t.teardown(() => c.run());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-floor-'));
  c.add('remove the work dir', () => fs.rmSync(work, { recursive: true, force: true }));
  const [node, pod] = [`plfl-${process.pid}-node`, `plfl-${process.pid}-pod`];
  new Netns(c).create([node, pod]);
  const floor = new Floor(c, work, node);
  t.ok(fs.existsSync(floor.progPin), 'the trivial program is pinned once');
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  const exec = (inv: ReturnType<Floor['call']>) => run(inv.file, inv.args!, inv.netns);

  const add = exec(floor.call('floor', 'ADD', 'fx-1', pod, node, env));
  t.equal(add.status, 0, add.stderr);
  const parts = parseParts(add.stdout);
  t.ok(parts.pair! > 0 && parts.attach! > 0, `pair and attach timed: ${add.stdout.trim()}`);
  t.same(nsLinks(node).map((l) => l.ifname).sort(), ['fx-1', 'lo'], 'the host end is in the node netns');
  t.ok(nsLinks(pod).some((l) => l.ifname === 'eth0'), 'the peer was born in the pod netns');
  const sys = nativeSys();
  const hostIndex = nsLinks(node).find((l) => l.ifname === 'fx-1')!.ifindex;
  const seen = (['from-pod', 'to-pod'] as const).map((role) => {
    const link = BpfLink.openPinned(sys, path.join(floor.root, 'fx-1', role));
    try {
      const i = link.info();
      return [i.attachType, i.ifindex];
    } finally {
      link.close();
    }
  });
  t.same(seen, [[BPF.BPF_TCX_INGRESS, hostIndex], [BPF.BPF_TCX_EGRESS, hostIndex]], 'tcx ingress and egress links on the host end, pinned');

  const again = exec(floor.call('floor', 'ADD', 'fx-1', pod, node, env));
  t.equal(again.status, 1, 'a second ADD of the same device fails');
  t.match(again.stderr, /RTM_NEWLINK: File exists/);

  const del = exec(floor.call('floor', 'DEL', 'fx-1', pod, node, env));
  t.equal(del.status, 0, del.stderr);
  t.ok(parseParts(del.stdout).del! > 0, `del timed: ${del.stdout.trim()}`);
  t.same(nsLinks(node).map((l) => l.ifname), ['lo'], 'the device is gone');
  t.notOk(fs.existsSync(path.join(floor.root, 'fx-1')), 'pins and their directory are gone');
  const missing = exec(floor.call('floor', 'DEL', 'fx-1', pod, node, env));
  t.equal(missing.status, 1, 'DEL of a device that is gone fails');
  t.match(missing.stderr, /RTM_DELLINK: No such device/);

  const plain = exec(floor.call('floor plain', 'ADD', 'px-1', pod, node, env));
  t.equal(plain.status, 0, plain.stderr);
  // Two clock reads with nothing between them: 0 unless the scheduler ran something else there; a real
  // attach waits for two RCU grace periods (tens of ms).
  t.ok(parseParts(plain.stdout).attach! < 1, `floor plain attaches nothing: ${plain.stdout.trim()}`);
  t.notOk(fs.existsSync(path.join(floor.root, 'px-1')), 'and pins nothing');
  t.ok(nsLinks(pod).some((l) => l.ifname === 'eth1'), 'its peer is eth1 in the pod netns');
  t.equal(exec(floor.call('floor plain', 'DEL', 'px-1', pod, node, env)).status, 0);
  t.same(nsLinks(node).map((l) => l.ifname), ['lo']);
  t.equal(run(floor.bin, ['bogus']).status, 2, 'usage errors exit 2');
});

t.test('rusage: peak RSS and µs CPU of the command, its exit status passed on', { skip }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-rusage-'));
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
  const bin = compile(RUSAGE_SOURCE, work);
  const out = path.join(work, 'out');
  const busy = run(bin, [out, '/bin/sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exit 3']);
  t.equal(busy.status, 3, 'the exit status of the command');
  const [kb, user, sys] = fs.readFileSync(out, 'utf8').trim().split(' ').map(Number);
  t.ok(kb! > 100 && kb! < 100_000, `maxrss ${kb} KiB`);
  t.ok(user! + sys! > 10_000, `a busy loop costs CPU: ${user} + ${sys} µs`);
  const missing = run(bin, [out, '/nonexistent']);
  t.equal(missing.status, 127, 'a command that cannot run exits 127');
  t.equal(run(bin, [out]).status, 2, 'usage errors exit 2');
});

t.test('parseParts reads the name=value pairs floor prints', async (t) => {
  t.same(parseParts('pair=0.601 attach=21.006\n'), { pair: 0.601, attach: 21.006 });
  t.same(parseParts('del=33.6'), { del: 33.6 });
  t.same(parseParts(''), {});
});
