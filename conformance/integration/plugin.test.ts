// Privileged, through dist/podlink: ADD/CHECK/DEL end to end in every mode this kernel offers.
// On the host kernel (no netkit) that is veth; under kvm-run (6.12) also netkit and netkit-l2.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { haveNetkitKernel, isRoot, PODLINK, Testbed } from './testbed.js';
import { snapshot, diffSnapshots } from '../lib/exec-driver.js';
import * as BPF from '../../lib/bpf/consts.js';
import { haveTcx, queryHook } from '../../lib/bpf/index.js';
import { Netlink } from '../../lib/netlink/index.js';
import { inNetns, openNetns } from '../../lib/netns/index.js';
import { nativeSys } from '../../lib/sys/index.js';

if (!isRoot) {
  t.plan(0, 'privileged tests need root');
  process.exit(0);
}

const netkit = haveNetkitKernel();
// PODLINK_TEST_MODES narrows the modes (the VM tiers pass the ones the host tier cannot cover), and
// PODLINK_VM_TIER skips the kernel-independent tests the host tier already ran: the VM CPU is emulated.
const modes = process.env.PODLINK_TEST_MODES?.split(',') ?? (netkit ? ['veth', 'netkit', 'netkit-l2'] : ['veth']);
const vmTier = process.env.PODLINK_VM_TIER === '1';

function bed(t: Test, tag: string): Testbed {
  const b = new Testbed(tag);
  t.teardown(() => b.cleanup());
  return b;
}

function ok(t: Test, r: { code: number; stdout: string; stderr: string }, what: string): void {
  t.equal(r.code, 0, `${what} exits 0${r.code ? `: ${r.stdout} ${r.stderr}` : ''}`);
}

t.test(`probe on this kernel: auto resolves to ${netkit ? 'netkit' : 'veth'} and says why`, async (t) => {
  const b = bed(t, 'probe');
  const pod = b.pod('a');
  const r = b.run('ADD', { containerId: 'probe1', pod });
  ok(t, r, 'ADD');
  const m = JSON.parse(fs.readFileSync(b.modeFile, 'utf8'));
  t.equal(m.v, 1);
  t.equal(m.configured, 'auto');
  t.equal(m.operational, netkit ? 'netkit' : 'veth');
  if (!netkit) t.match(m.reason, /netkit probe failed, falling back to veth/);
  t.equal(typeof m.features.tcx, 'boolean');
  ok(t, b.run('DEL', { containerId: 'probe1', pod }), 'DEL');
});

t.test('probe --write attaches pl_from_uplink to the default-route device, exactly once', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'uplink');
  b.ip(b.node, ['link', 'add', 'name', 'pltup0', 'type', 'veth', 'peer', 'name', 'pltup1']);
  b.ip(b.node, ['addr', 'add', '10.250.0.1/30', 'dev', 'pltup0']);
  b.ip(b.node, ['link', 'set', 'pltup0', 'up']);
  b.ip(b.node, ['link', 'set', 'pltup1', 'up']);
  b.ip(b.node, ['route', 'add', 'default', 'via', '10.250.0.2', 'dev', 'pltup0']);
  const probe = (...extra: string[]) =>
    spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'probe', '--write', '--mode-file', b.modeFile, '--bpf-root', b.bpfRoot, ...extra], { encoding: 'utf8' });
  // Debian 12's bpftool (7.1) does not list tcx attachments per device: ask the kernel ourselves,
  // then name the programs with bpftool.
  const tcxIngress = (dev: string) => {
    const sys = nativeSys();
    const ns = openNetns(sys, `/run/netns/${b.node}`);
    try {
      const ids = inNetns(sys, ns.fd, () => {
        const nl = Netlink.open(sys);
        try {
          return queryHook(sys, nl.linkByName(dev)!.index, BPF.BPF_TCX_INGRESS).programIds;
        } finally {
          nl.close();
        }
      });
      return ids.map((id) => (JSON.parse(spawnSync('bpftool', ['-j', 'prog', 'show', 'id', String(id)], { encoding: 'utf8' }).stdout) as { name: string }).name);
    } finally {
      ns.close();
    }
  };
  for (const run of [1, 2]) {
    const r = probe();
    t.equal(r.status, 0, `probe --write #${run} ${r.stderr}`);
    t.match(r.stdout, /uplinks: pltup0 \(ifindex \d+\): pl_from_uplink on tcx ingress/, `#${run} reports the uplink`);
    t.same(tcxIngress('pltup0'), ['pl_from_uplink'], `#${run}: exactly one program on pltup0's tcx ingress`);
  }
  t.same(tcxIngress('pltup1'), [], 'a device without the default route is left alone');
  t.ok(fs.existsSync(`${b.bpfRoot}/uplinks/pltup0/from-uplink`), 'the link is pinned');
  const none = probe('--uplink', 'none');
  t.match(none.stdout, /uplinks: none/);
  const bad = probe('--uplink', 'nosuchdev');
  t.equal(bad.status, 1, 'an unknown uplink name fails');
  t.match(bad.stderr, /uplink nosuchdev does not exist/);
});

t.test('explicit netkit on a kernel without it: code 100 with a hint, nothing left', { skip: netkit && 'kernel has netkit' }, async (t) => {
  const b = bed(t, 'nonk');
  const pod = b.pod('a');
  const r = b.run('ADD', { containerId: 'nk1', pod, conf: b.conf({ mode: 'netkit' }) });
  t.not(r.code, 0);
  t.match(r.json, { code: 100, msg: /netkit connector not available/, details: /CONFIG_NETKIT/ });
  t.same(b.nodeLinks(), []);
  t.same(b.ipamAllocations(), [], 'no IP allocated');
  t.same(b.records(), []);
  t.notOk(fs.existsSync(b.modeFile), 'no mode file written for an impossible mode');
});

for (const mode of modes) {
  t.test(`${mode}: two pods ping each other and the node over IPv4 and IPv6; CHECK; DEL leaves nothing`, async (t) => {
    const b = bed(t, `pair-${mode}`);
    const conf = b.conf({ mode });
    const pa = b.pod('a');
    const pb = b.pod('b');
    const before = snapshot([]);
    const ra = b.run('ADD', { containerId: `ctr-a-${mode}`, pod: pa, conf });
    const rb = b.run('ADD', { containerId: `ctr-b-${mode}`, pod: pb, conf });
    ok(t, ra, 'ADD a');
    ok(t, rb, 'ADD b');
    const resA = ra.json as { ips: { address: string; interface: number }[]; interfaces: { name: string; sandbox?: string }[] };
    const resB = rb.json as typeof resA;
    t.equal(resA.interfaces.length, 2, 'host and pod interfaces reported');
    t.notOk(resA.interfaces[0]!.sandbox, 'host interface has no sandbox');
    t.equal(resA.interfaces[1]!.sandbox, `/run/netns/${pa}`);
    t.ok(resA.ips.every((i) => i.interface === 1), 'every IP points at the pod interface');
    const b4 = resB.ips.find((i) => !i.address.includes(':'))!.address.split('/')[0]!;
    const b6 = resB.ips.find((i) => i.address.includes(':'))!.address.split('/')[0]!;
    t.equal(b.exec(pa, ['ping', '-c', '1', '-W', '2', b4]).status, 0, `pod a → pod b ${b4}`);
    t.equal(b.exec(pa, ['ping', '-6', '-c', '1', '-W', '2', b6]).status, 0, `pod a → pod b ${b6}`);
    t.equal(b.exec(pb, ['ping', '-c', '1', '-W', '2', '10.0.0.1']).status, 0, 'pod b → node');
    t.equal(b.exec(pb, ['ping', '-6', '-c', '1', '-W', '2', 'fd00:ffff::1']).status, 0, 'pod b → node over IPv6');
    // The kernel reports what we asked for.
    const hostIf = resA.interfaces[0]!.name;
    const d = JSON.parse(b.ip(b.node, ['-d', '-j', 'link', 'show', hostIf]))[0];
    t.equal(d.linkinfo.info_kind, mode === 'veth' ? 'veth' : 'netkit', 'ip -d link: kind');
    if (mode === 'veth') {
      // One queue each way on both ends, not the kernel's one per possible CPU (docs/kernel.md#veth-queues).
      const podEnd = JSON.parse(b.ip(pa, ['-d', '-j', 'link', 'show', 'eth0']))[0];
      for (const [end, l] of [['host', d], ['pod', podEnd]]) {
        t.same([l.num_tx_queues, l.num_rx_queues], [1, 1], `ip -d link: ${end} end has one tx and one rx queue`);
      }
    }
    const eth0 = JSON.parse(b.ip(pa, ['-j', 'addr', 'show', 'eth0']))[0];
    t.ok(eth0.addr_info.some((a: { local: string; prefixlen: number }) => a.prefixlen === 32), '/32 on eth0');
    t.ok(eth0.addr_info.some((a: { prefixlen: number; family: string }) => a.family === 'inet6' && a.prefixlen === 128), '/128 on eth0');
    const def = JSON.parse(b.ip(pa, ['-j', 'route', 'show', 'default']))[0];
    t.ok(def && def.dev === 'eth0', 'default route via eth0');
    const lo = JSON.parse(b.ip(pa, ['-j', 'link', 'show', 'lo']))[0] as { ifindex: number; flags: string[] };
    t.ok(lo.ifindex === 1 && lo.flags.includes('UP'), `the pod's lo (ifindex ${lo.ifindex}) is up: ${lo.flags}`);
    // CHECK with prevResult passes; after removing an address it fails and names it.
    const checkConf = { ...conf, prevResult: ra.json };
    ok(t, b.run('CHECK', { containerId: `ctr-a-${mode}`, pod: pa, conf: checkConf }), 'CHECK');
    const v4 = resA.ips.find((i) => !i.address.includes(':'))!.address;
    b.ip(pa, ['addr', 'del', v4, 'dev', 'eth0']);
    const bad = b.run('CHECK', { containerId: `ctr-a-${mode}`, pod: pa, conf: checkConf });
    t.not(bad.code, 0, 'CHECK fails after an address is removed');
    t.match((bad.json as { msg: string }).msg, new RegExp(`address ${v4.replace(/\./g, '\\.')} is missing`));
    // ... and after the node's /32 route to the pod is removed, it names that too.
    b.ip(b.node, ['route', 'del', v4, 'dev', hostIf]);
    const noRoute = b.run('CHECK', { containerId: `ctr-a-${mode}`, pod: pa, conf: checkConf });
    t.match((noRoute.json as { msg: string }).msg, new RegExp(`host route ${v4.replace(/\./g, '\\.')} via ${hostIf} is missing`));
    // status lists both endpoints.
    const st = b.run('DEL', { containerId: `ctr-a-${mode}`, pod: pa, conf });
    ok(t, st, 'DEL a');
    ok(t, b.run('DEL', { containerId: `ctr-a-${mode}`, pod: pa, conf }), 'DEL a again (idempotent)');
    b.removePod(pb);
    ok(t, b.run('DEL', { containerId: `ctr-b-${mode}`, pod: pb, conf }), 'DEL b with its netns already gone');
    t.same(b.nodeLinks(), [], 'no links left in the node');
    t.same(b.ipamAllocations(), [], 'no IPAM allocations left');
    t.same(b.records(), [], 'no endpoint records left');
    const routes = b.ip(b.node, ['route']) + b.ip(b.node, ['-6', 'route']);
    t.notMatch(routes, /dev pl[0-9a-f]{12}/, 'no routes to pods left');
    t.same(diffSnapshots(before.host, snapshot([]).host), [], 'the machine\'s own netns is untouched');
  });
}

t.test('DEL of something never added, and with no CNI_NETNS, succeeds', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'delnever');
  ok(t, b.run('DEL', { containerId: 'never' }), 'DEL without netns');
  ok(t, b.run('DEL', { containerId: 'never', netns: '/run/netns/does-not-exist' }), 'DEL with a missing netns');
});

t.test('ADD that fails after IPAM and the link rolls everything back', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'rollback');
  const pod = b.pod('a');
  // IPv6 needs MTU >= 1280: the /128 address add fails after IPAM and the link pair succeeded.
  const r = b.run('ADD', { containerId: 'rb1', pod, conf: b.conf({ extra: { mtu: 1200 } }) });
  t.not(r.code, 0, 'ADD fails');
  t.match(r.json, { code: 102, msg: /^configure pod side: add address .*: EINVAL/, details: /IPv6 needs >= 1280/ }, JSON.stringify(r.json));
  t.same(b.nodeLinks(), [], 'link deleted');
  t.same(b.ipamAllocations(), [], 'IP released');
  t.same(b.records(), [], 'record removed');
  t.equal(JSON.parse(b.ip(pod, ['-j', 'link'])).length, 1, 'only lo left in the pod');
});

t.test('a stateDir or modeFile where no directory can be made (under /proc) fails promptly, leaving nothing', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  // Node's recursive mkdir spins for ever there (lib/util/mkdirp.ts); the call must end with the step that failed.
  for (const [key, value, step] of [
    ['stateDir', '/proc/podlink-test/state', 'claim endpoint'],
    ['modeFile', '/proc/podlink-test/mode.json', 'resolve datapath mode'],
  ] as const) {
    const b = bed(t, `procdir-${key}`);
    const pod = b.pod('a');
    const started = Date.now();
    const r = b.run('ADD', { containerId: 'pd1', pod, conf: b.conf({ extra: { [key]: value } }) });
    t.ok(Date.now() - started < 20_000, `${key}: ended`);
    t.not(r.code, 0);
    t.match(r.json, { code: 999, msg: new RegExp(`^${step}: ENOENT: .*mkdir '/proc/podlink-test'`), details: new RegExp(`network config's ${key}`) }, JSON.stringify(r.json));
    t.same(b.nodeLinks(), [], `${key}: no link`);
    t.same(b.ipamAllocations(), [], `${key}: no IP`);
  }
});

t.test('an interface that already exists is refused before any IP is allocated', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'exists');
  const pod = b.pod('a');
  b.ip(pod, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'other0']);
  const r = b.run('ADD', { containerId: 'ex1', pod });
  t.not(r.code, 0);
  t.match(r.json, { msg: /eth0 already exists/ });
  t.same(b.ipamAllocations(), []);
  t.same(b.nodeLinks(), []);
});

t.test('DEL never deletes a foreign link that has the derived name', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'foreign');
  const pod = b.pod('a');
  const r = b.run('ADD', { containerId: 'fx1', pod });
  ok(t, r, 'ADD');
  const hostIf = (r.json as { interfaces: { name: string }[] }).interfaces[0]!.name;
  ok(t, b.run('DEL', { containerId: 'fx1', pod }), 'DEL');
  b.ip(b.node, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'foreign1']);
  ok(t, b.run('DEL', { containerId: 'fx1', pod }), 'DEL again');
  t.ok(b.nodeLinks().includes(hostIf), 'the foreign link is still there');
});

t.test('--dry-run changes nothing (ADD, CHECK, DEL)', { skip: vmTier && 'covered by the host tier' }, async (t) => {
  const b = bed(t, 'dryrun');
  const pod = b.pod('a');
  const conf = b.conf();
  ok(t, b.run('ADD', { containerId: 'dr0', pod, conf }), 'a real pod first');
  const files = () => JSON.stringify({ ...walk(b.stateDir), ...walk(b.ipamDir), mode: fs.readFileSync(b.modeFile, 'base64') });
  await settle(b, pod);
  const before = { net: netState(b, pod), files: files() };
  const add = b.run('ADD', { containerId: 'dr1', pod, conf, ifname: 'eth1', flags: ['--dry-run'] });
  ok(t, add, 'ADD --dry-run');
  t.match(add.stdout, /podlink ADD plan \(dry run: nothing was changed\)/);
  t.match(add.stdout, /start IPAM ADD/);
  t.match(add.stdout, /create link pair/);
  const mf = JSON.parse(fs.readFileSync(b.modeFile, 'utf8')) as { operational: string; features: { tcx: boolean } };
  t.match(add.stdout, `read ${b.modeFile} (kernel `, 'the mode comes from the mode file');
  t.match(add.stdout, `operational mode ${mf.operational} `);
  t.match(add.stdout, hookWords(mf.operational, mf.features.tcx), 'the attach step names the hooks of this node');
  t.notMatch(add.stdout, /<operational mode>|of the default-route device/, 'concrete values only');
  const addJson = b.run('ADD', { containerId: 'dr1', pod, conf, ifname: 'eth1', flags: ['--dry-run', '--json'] });
  t.match(JSON.parse(addJson.stdout), { command: 'ADD', steps: [{ step: 1 }] });
  ok(t, b.run('DEL', { containerId: 'dr0', pod, conf, flags: ['--dry-run'] }), 'DEL --dry-run');
  ok(t, b.run('CHECK', { containerId: 'dr0', pod, conf: { ...conf, prevResult: {} }, flags: ['--dry-run'] }), 'CHECK --dry-run');
  t.same(diffSnapshots(before.net, netState(b, pod)), [], 'links, addresses, routes, neighbours unchanged');
  t.same(Object.keys(JSON.parse(files())), Object.keys(JSON.parse(before.files)), 'same files');
  t.equal(files(), before.files, 'state, IPAM and mode files unchanged');
  ok(t, b.run('DEL', { containerId: 'dr0', pod, conf }), 'DEL');
});

t.test('--dry-run on a node without a mode file: says ADD would probe, shows what it finds, writes nothing', async (t) => {
  const b = bed(t, 'dryprobe');
  const pod = b.pod('a');
  const before = netState(b, pod);
  const add = b.run('ADD', { containerId: 'dp1', pod, flags: ['--dry-run'] });
  ok(t, add, 'ADD --dry-run');
  t.match(add.stdout, `mode file ${b.modeFile} missing: ADD would probe`);
  const op = netkit ? 'netkit' : 'veth';
  t.match(add.stdout, `configured mode auto: operational mode ${op} `);
  t.match(add.stdout, `create ${op} pair`);
  t.match(add.stdout, hookWords(op, haveTcx(nativeSys())), 'the hooks this kernel has (6.1 in the VM tier: no tcx)');
  t.match(add.stdout, /mtu \d+ \((of \S+, the default-route device|fallback: no default route)\)/);
  t.notOk(fs.existsSync(b.modeFile), 'no mode file written');
  t.same(diffSnapshots(before, netState(b, pod)), [], 'links, addresses, routes, neighbours unchanged');
});

/** How the ADD dry run names the from-pod hook of a mode, with or without tcx on the kernel. */
function hookWords(operational: string, tcx: boolean): RegExp {
  if (operational !== 'veth') return /create netkit peer link running pl_from_pod/;
  return tcx ? /create tcx ingress link running pl_from_pod/ : /attach pl_from_pod to tc clsact ingress/;
}

/** Snapshot without multicast neighbour entries: IPv6 MLD adds those by itself after a link comes up. */
function netState(b: Testbed, pod: string): unknown {
  const snap = snapshot([b.node, pod]) as unknown as { netns: Record<string, { neigh: { dst?: string }[] } | null> };
  for (const ns of Object.values(snap.netns)) if (ns) ns.neigh = ns.neigh.filter((n) => !String(n.dst ?? '').startsWith('ff'));
  return snap;
}

/** Carrier comes up asynchronously after ADD (linkwatch), and the kernel's own IPv6 link-local
 *  addresses finish DAD later still (and add routes): wait until no link lacks carrier and no address
 *  is tentative. */
async function settle(b: Testbed, ...ns: string[]): Promise<void> {
  const busy = (n: string) => b.ip(n, ['link']).includes('NO-CARRIER') || b.ip(n, ['-6', 'addr', 'show', 'tentative']).trim() !== '';
  for (let i = 0; i < 400; i++) {
    if (![b.node, ...ns].some(busy)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function walk(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = `${e.parentPath ?? (e as unknown as { path: string }).path}/${e.name}`;
    if (p.endsWith('podlink.log')) continue;
    out[p] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

t.test('mixed node: veth pods, then the mode switches to netkit, new netkit pods; every pod CHECKs and DELs', { skip: !netkit && 'kernel has no netkit (runs under kvm-run)' }, async (t) => {
  const b = bed(t, 'mixed');
  const vethConf = b.conf({ mode: 'veth' });
  const nkConf = b.conf({ mode: 'auto' });
  const l2Conf = b.conf({ mode: 'netkit-l2' });
  const pods = [
    { id: 'mx-veth', ns: b.pod('v'), conf: vethConf, kind: 'veth' },
    { id: 'mx-nk', ns: b.pod('n'), conf: nkConf, kind: 'netkit' },
    { id: 'mx-l2', ns: b.pod('l'), conf: l2Conf, kind: 'netkit' },
  ];
  const results: unknown[] = [];
  for (const [i, p] of pods.entries()) {
    if (i === 1) {
      // The operator switches the node to auto: the probe rewrites the mode file (netkit here).
      // nsenter, not `ip netns exec`: the latter gives a private /sys, where bpffs pins would vanish.
      const pr = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'probe', '--write', '--mode', 'auto', '--mode-file', b.modeFile, '--bpf-root', b.bpfRoot], { encoding: 'utf8' });
      t.equal(pr.status, 0, `probe --write --mode auto ${pr.stderr}`);
    }
    const r = b.run('ADD', { containerId: p.id, pod: p.ns, conf: p.conf });
    ok(t, r, `ADD ${p.id}`);
    results.push(r.json);
  }
  const status = spawnStatus(b);
  t.match(status, /Device Mode: netkit \[Configured: auto\]/, 'status shows the operational and configured mode');
  // CHECK and DEL each pod with the *current* config (auto → netkit), whatever mode it was created in.
  pods.forEach((p, i) => {
    const d = JSON.parse(b.ip(b.node, ['-d', '-j', 'link', 'show', (results[i] as { interfaces: { name: string }[] }).interfaces[0]!.name]))[0];
    t.equal(d.linkinfo.info_kind, p.kind, `${p.id} is a ${p.kind}`);
    ok(t, b.run('CHECK', { containerId: p.id, pod: p.ns, conf: { ...nkConf, prevResult: results[i] } }), `CHECK ${p.id} under the new mode`);
  });
  const ping = (results[0] as { ips: { address: string }[] }).ips[0]!.address.split('/')[0]!;
  t.equal(b.exec(pods[1]!.ns, ['ping', '-c', '1', '-W', '2', ping]).status, 0, 'netkit pod reaches the veth pod');
  for (const p of pods) ok(t, b.run('DEL', { containerId: p.id, pod: p.ns, conf: nkConf }), `DEL ${p.id} under the new mode`);
  t.same(b.nodeLinks(), []);
  t.same(b.records(), []);
  t.same(b.ipamAllocations(), []);
});

function spawnStatus(b: Testbed): string {
  return b.exec(b.node, [PODLINK, 'status', '--mode-file', b.modeFile, '--state-dir', b.stateDir, '--bpf-root', b.bpfRoot]).stdout;
}
