// Reliability and security of what podlink reads from disk and of --dry-run.
//  - The native addon is loaded only from a root-owned 0700 dir, under its content-hash name, after the
//    hash is checked: a planted library (which would write a marker file if it were ever dlopen'ed), a
//    wrong owner, a group/world-writable dir or file, a symlinked dir or file, a world-writable parent →
//    refused with a clear error, the planted file left for an operator to look at, never loaded.
//  - A corrupt mode file: ADD fails clearly (no crash, no fallback to some mode, no rewrite of the file,
//    nothing created), `podlink status --ready` exits 1, CNI STATUS returns 50; DEL still works.
//  - Corrupt or forged endpoint records: DEL succeeds and deletes nothing it cannot prove is its own
//    (another pod's link and BPF map entries survive). Two attachments never share a record.
//  - --dry-run for ADD (also on a node podlink never ran on), DEL, CHECK, GC and STATUS: links,
//    addresses, routes, neighbours, qdiscs, BPF attachments, pins, files and IPAM state are identical
//    before and after, and no IPAM plugin is executed.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { decode, encode } from 'cbor-x';
import { CNI_PATH, isRoot, PODLINK, Testbed } from '../integration/testbed.js';
import { diffSnapshots, snapshotNs } from '../lib/exec-driver.js';
import { FAKE_IPAM_DIR, fakeIpamEnv } from '../support/fake-ipam.js';
import { runInNode, type AsyncPluginRun } from './async-run.js';
import { listTree } from './inventory.js';

if (!isRoot || !fs.existsSync(PODLINK)) {
  t.plan(0, !isRoot ? 'privileged tests need root' : `${PODLINK} missing (node build.mjs)`);
  process.exit(0);
}
t.setTimeout(900_000);

const NOBODY = 65534;
const JS_STACK = /^\s+at\s.+:\d+:\d+\)?$/m;

function bed(t: Test, tag: string): Testbed {
  const b = new Testbed(tag);
  t.teardown(() => b.cleanup());
  return b;
}

function errorOf(r: AsyncPluginRun): { code?: number; msg?: string; details?: string } {
  try {
    return JSON.parse(r.stdout) as { code?: number; msg?: string };
  } catch {
    return {};
  }
}

/** One CNI error object, no stack trace anywhere. */
function refused(t: Test, r: AsyncPluginRun, msg: RegExp, what: string): void {
  t.not(r.code, 0, `${what}: refused`);
  t.notOk(r.signal, `${what}: not a crash`);
  const e = errorOf(r);
  t.ok(Number.isInteger(e.code) && (e.code ?? 0) > 0, `${what}: one CNI error object on stdout: ${r.stdout.trim()}`);
  t.match(e.msg ?? '', msg, `${what}: the message says why`);
  t.notMatch(r.stdout + r.stderr, JS_STACK, `${what}: no stack trace`);
}

function sha(p: string): string {
  return createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

// ------------------------------------------------------------------------------------------ addon

t.test('native addon: loaded only from a safe dir, under its verified hash', async (t) => {
  const b = bed(t, 'sec-addon');
  const cc = spawnSync('gcc', ['--version']);
  const marker = path.join(b.dir, 'PLANTED-LIBRARY-WAS-LOADED');
  // A library that announces itself when dlopen'ed.
  const evil = path.join(b.dir, 'evil.node');
  if (cc.status === 0) {
    fs.writeFileSync(path.join(b.dir, 'evil.c'), '#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void planted(void) { int fd = open(MARKER, O_WRONLY | O_CREAT, 0600); if (fd >= 0) close(fd); }\n');
    execFileSync('gcc', ['-shared', '-fPIC', `-DMARKER="${marker}"`, '-o', evil, path.join(b.dir, 'evil.c')]);
    // Control: loading it really does leave the marker (so its absence below means "never loaded").
    spawnSync(process.execPath, ['-e', `try { process.dlopen({ exports: {} }, ${JSON.stringify(evil)}) } catch {}`]);
    t.ok(fs.existsSync(marker), 'control: dlopen of the planted library writes the marker');
    fs.rmSync(marker);
  } else {
    fs.writeFileSync(evil, 'not the addon');
  }
  const del = (lib: string) => runInNode(b, 'DEL', { containerId: 'sec-addon', env: { PODLINK_LIB_DIR: lib } });

  // A fresh dir: created 0700, the addon written under its hash name, read-only.
  const good = path.join(b.dir, 'lib-good');
  const ok = await del(good);
  t.equal(ok.code, 0, `DEL with a fresh lib dir works: ${ok.stdout}`);
  const st = fs.statSync(good);
  t.equal(st.mode & 0o777, 0o700, 'dir created 0700');
  t.equal(st.uid, 0, 'owned by root');
  const names = fs.readdirSync(good);
  t.equal(names.length, 1, `one file: ${names.join(', ')}`);
  const name = names[0]!;
  t.match(name, /^podlink_sys-[0-9a-f]{32}\.node$/, 'named by content hash');
  const genuine = path.join(good, name);
  t.equal(sha(genuine).slice(0, 32), name.slice(12, 44), 'the name is the hash of the content');
  t.equal(fs.statSync(genuine).mode & 0o222, 0, 'the file is not writable');
  t.equal((await del(good)).code, 0, 'a second call reuses the verified file');

  const fresh = (tag: string, mode = 0o700): string => {
    const d = path.join(b.dir, `lib-${tag}`);
    fs.mkdirSync(d, { mode });
    fs.chmodSync(d, mode);
    return d;
  };
  const cases: { what: string; setup: () => string; msg: RegExp; keep?: string }[] = [
    {
      what: 'a planted library under the hash name',
      setup: () => {
        const d = fresh('planted');
        fs.copyFileSync(evil, path.join(d, name));
        fs.chmodSync(path.join(d, name), 0o500);
        return d;
      },
      msg: /does not match its content hash/,
      keep: name,
    },
    {
      what: 'a dir owned by another user',
      setup: () => {
        const d = fresh('owner');
        fs.chownSync(d, NOBODY, NOBODY);
        return d;
      },
      msg: new RegExp(`owned by uid ${NOBODY}`),
    },
    {
      what: 'the addon owned by another user',
      setup: () => {
        const d = fresh('fileowner');
        fs.copyFileSync(genuine, path.join(d, name));
        fs.chownSync(path.join(d, name), NOBODY, NOBODY);
        return d;
      },
      msg: new RegExp(`owned by uid ${NOBODY}`),
      keep: name,
    },
    ...[0o770, 0o707, 0o755, 0o777, 0o1777].map((mode) => ({ what: `a dir with mode ${mode.toString(8)}`, setup: () => fresh(`mode${mode.toString(8)}`, mode), msg: /has mode .*expected 700/ })),
    ...[0o520, 0o502, 0o722].map((mode) => ({
      what: `a group/world-writable addon (mode ${mode.toString(8)})`,
      setup: () => {
        const d = fresh(`filemode${mode.toString(8)}`);
        fs.copyFileSync(genuine, path.join(d, name));
        fs.chmodSync(path.join(d, name), mode);
        return d;
      },
      msg: /group\/world-writable/,
      keep: name,
    })),
    {
      what: 'a symlink to a good dir',
      setup: () => {
        const l = path.join(b.dir, 'lib-symlink');
        fs.symlinkSync(good, l);
        return l;
      },
      msg: /not a directory/,
    },
    {
      what: 'the addon as a symlink to the genuine file',
      setup: () => {
        const d = fresh('filesymlink');
        fs.symlinkSync(genuine, path.join(d, name));
        return d;
      },
      msg: /not a regular file/,
    },
    {
      what: 'a dir whose parent is world-writable',
      setup: () => {
        const p = path.join(b.dir, 'open-parent');
        fs.mkdirSync(p);
        fs.chmodSync(p, 0o777);
        return path.join(p, 'lib');
      },
      msg: /parent .* world-writable/,
    },
    {
      what: 'a regular file where the dir should be',
      setup: () => {
        const f = path.join(b.dir, 'lib-is-a-file');
        fs.writeFileSync(f, 'x');
        return f;
      },
      msg: /lib-is-a-file/,
    },
  ];
  for (const c of cases) {
    const lib = c.setup();
    const keepHash = c.keep ? sha(path.join(lib, c.keep)) : undefined;
    const r = await del(lib);
    refused(t, r, c.msg, c.what);
    t.match(errorOf(r).msg ?? '', /native addon|lib-is-a-file/, `${c.what}: the message names the addon`);
    if (c.keep) t.equal(sha(path.join(lib, c.keep)), keepHash, `${c.what}: the suspicious file is left as it was for an operator`);
    t.notOk(fs.existsSync(marker), `${c.what}: the planted library was never loaded`);
    // The operator CLI refuses the same way, on stderr, without a stack trace.
    const cli = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'probe', '--json'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', PODLINK_LIB_DIR: lib }, encoding: 'utf8' });
    t.not(cli.status, 0, `${c.what}: podlink probe refuses too`);
    t.notMatch(cli.stderr, JS_STACK, `${c.what}: podlink probe prints no stack trace`);
  }
  t.notOk(fs.existsSync(marker), 'the planted library was never loaded');
});

// ------------------------------------------------------------------------------------------ mode file

const GOOD_MODE = { v: 1, configured: 'auto', operational: 'veth', reason: 'configured', kernel: '6.1.0', features: { netkit: false, netkitScrub: false, netkitHeadroom: false, tcx: true, bpffs: true }, probedAt: '2026-01-01T00:00:00.000Z' };
const CORRUPT_MODE_FILES: [string, string | Buffer][] = [
  ['not JSON', 'veth'],
  ['empty', ''],
  ['truncated', JSON.stringify(GOOD_MODE).slice(0, 40)],
  ['a JSON array', '[]'],
  ['JSON null', 'null'],
  ['version 2', JSON.stringify({ ...GOOD_MODE, v: 2 })],
  ['an unknown operational mode', JSON.stringify({ ...GOOD_MODE, operational: 'macvlan' })],
  ['operational netkit without the netkit feature', JSON.stringify({ ...GOOD_MODE, operational: 'netkit' })],
  ['configured mode not a mode', JSON.stringify({ ...GOOD_MODE, configured: 'fast' })],
  ['features missing', JSON.stringify({ ...GOOD_MODE, features: undefined })],
  ['a feature of the wrong type', JSON.stringify({ ...GOOD_MODE, features: { ...GOOD_MODE.features, tcx: 'yes' } })],
  ['binary junk', Buffer.from([0, 1, 2, 0xff, 0xfe, 0x7b])],
];

t.test('a corrupt mode file: ADD fails clearly, STATUS says not ready, DEL still works', async (t) => {
  const b = bed(t, 'sec-mode');
  const conf = b.conf({ cniVersion: '1.1.0' });
  const keeper = b.pod('keep');
  const k = await runInNode(b, 'ADD', { containerId: 'sec-keeper', pod: keeper, conf });
  t.equal(k.code, 0, `a pod created while the mode file was good: ${k.stdout.slice(0, 200)}`);
  const pod = b.pod('a');
  const linksBefore = b.nodeLinks();
  const ipamBefore = b.ipamAllocations();
  const recordsBefore = b.records();
  for (const [what, content] of [...CORRUPT_MODE_FILES, ['a directory', null] as const]) {
    fs.rmSync(b.modeFile, { recursive: true, force: true });
    if (content === null) fs.mkdirSync(b.modeFile);
    else fs.writeFileSync(b.modeFile, content);
    const before = content === null ? 'dir' : sha(b.modeFile);
    const r = await runInNode(b, 'ADD', { containerId: 'sec-mode', pod, conf });
    refused(t, r, /mode file .*(invalid|not valid JSON)|cannot read mode file/, `ADD with a mode file that is ${what}`);
    t.equal(content === null ? 'dir' : sha(b.modeFile), before, `${what}: the mode file is not rewritten`);
    t.same(b.nodeLinks(), linksBefore, `${what}: no link created`);
    t.same(b.ipamAllocations(), ipamBefore, `${what}: no IP allocated`);
    t.same(b.records(), recordsBefore, `${what}: no record`);
    t.equal(JSON.parse(b.ip(pod, ['-j', 'link'])).length, 1, `${what}: nothing in the pod netns`);
    const ready = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'status', '--ready', '--mode-file', b.modeFile, '--state-dir', b.stateDir, '--bpf-root', b.bpfRoot], { encoding: 'utf8' });
    t.equal(ready.status, 1, `${what}: podlink status --ready exits 1`);
    t.match(ready.stderr, /mode file/, `${what}: and says it is the mode file`);
    const status = spawnSync('nsenter', [`--net=/run/netns/${b.node}`, PODLINK, 'status', '--mode-file', b.modeFile, '--state-dir', b.stateDir, '--bpf-root', b.bpfRoot], { encoding: 'utf8' });
    t.equal(status.status, 0, `${what}: podlink status still reports`);
    t.match(status.stdout, /Device Mode: unknown/, `${what}: with the mode unknown`);
    t.notMatch(status.stdout + status.stderr, JS_STACK, `${what}: podlink status prints no stack trace`);
    const cni = await runInNode(b, 'STATUS', { conf, ifname: null });
    t.equal(errorOf(cni).code, 50, `${what}: CNI STATUS returns 50: ${cni.stdout.trim()}`);
  }
  const d = await runInNode(b, 'DEL', { containerId: 'sec-keeper', pod: keeper, conf });
  t.equal(d.code, 0, `DEL of an existing pod works with a corrupt mode file: ${d.stdout}`);
  t.same(b.nodeLinks(), [], 'and removes its link');
  t.same(b.ipamAllocations(), [], 'and its IPs');
});

// ------------------------------------------------------------------------------------------ records

interface AddResult {
  interfaces: { name: string }[];
  ips: { address: string }[];
}

t.test('corrupt or forged endpoint records: DEL deletes nothing it cannot prove is its own', async (t) => {
  const b = bed(t, 'sec-rec');
  const conf = b.conf();
  // Each variant: pod A (whose record is damaged) and a bystander pod B, then DEL A.
  const variants: [string, (rec: Record<string, unknown>, b: { ifindex: number; ips: string[]; host: string }) => Buffer | string][] = [
    ['garbage bytes', () => Buffer.from('\x00\x01not cbor at all\xff')],
    ['empty', () => ''],
    ['truncated CBOR', (r) => encode(r).subarray(0, 20)],
    ['CBOR that is not a map', () => encode([1, 2, 3])],
    ['an unknown record version', (r) => encode({ ...r, v: 7 })],
    ['a hostIfName that is not ours', (r) => encode({ ...r, hostIfName: 'eth0' })],
    ['another mode than the link has', (r) => encode({ ...r, mode: 'netkit-l2' })],
    // What a stale record looks like once the kernel has reused its ifindex (and IPAM its IPs) for B.
    ['the ifindex and IPs of pod B', (r, v) => encode({ ...r, hostIfindex: v.ifindex, ips: v.ips })],
    ['pod B\'s host interface name, ifindex and IPs', (r, v) => encode({ ...r, hostIfName: v.host, hostIfindex: v.ifindex, ips: v.ips })],
  ];
  for (const [i, [what, corrupt]] of variants.entries()) {
    const pb = b.pod(`b${i}`);
    const rb = await runInNode(b, 'ADD', { containerId: `sec-victim-${i}`, pod: pb, conf });
    t.equal(rb.code, 0, `${what}: ADD the bystander pod B`);
    const resB = rb.json as AddResult;
    const hostB = resB.interfaces[0]!.name;
    const ifindexB = (JSON.parse(b.ip(b.node, ['-j', 'link', 'show', hostB])) as { ifindex: number }[])[0]!.ifindex;
    const pa = b.pod(`a${i}`);
    const id = `sec-rec-${i}`;
    const ra = await runInNode(b, 'ADD', { containerId: id, pod: pa, conf });
    t.equal(ra.code, 0, `${what}: ADD pod A`);
    const hostA = (ra.json as AddResult).interfaces[0]!.name;
    const file = path.join(b.stateDir, 'endpoints', `${id}:eth0.cbor`);
    const rec = decode(fs.readFileSync(file)) as Record<string, unknown>;
    fs.writeFileSync(file, corrupt(rec, { ifindex: ifindexB, ips: resB.ips.map((x) => x.address), host: hostB }));
    const r = await runInNode(b, 'DEL', { containerId: id, pod: pa, conf });
    t.equal(r.code, 0, `${what}: DEL succeeds: ${r.stdout.trim()}`);
    t.equal(r.stdout, '', `${what}: and prints nothing`);
    t.ok(b.nodeLinks().includes(hostB), `${what}: pod B's link survives`);
    t.ok(b.nodeLinks().includes(hostA), `${what}: pod A's link, which the record cannot prove is podlink's, is left alone`);
    const c = await runInNode(b, 'CHECK', { containerId: `sec-victim-${i}`, pod: pb, conf: { ...conf, prevResult: rb.json } });
    t.equal(c.code, 0, `${what}: pod B still passes CHECK (link, routes, BPF links and map entries): ${c.stdout.trim()}`);
    // Clean up the way a runtime would: A's netns goes (its link with it), B is DELeted.
    b.removePod(pa);
    spawnSync('ip', ['-n', b.node, 'link', 'del', hostA]);
    t.equal((await runInNode(b, 'DEL', { containerId: `sec-victim-${i}`, pod: pb, conf })).code, 0, `${what}: DEL B`);
    b.removePod(pb);
  }
  t.same(b.nodeLinks(), [], 'nothing left');
});

t.test('two attachments never share an endpoint record (containerID and ifname may both contain dots)', async (t) => {
  const b = bed(t, 'sec-collide');
  const conf = b.conf();
  const pa = b.pod('a');
  const pbn = b.pod('b');
  // ("p.q", "eth0") and ("p", "q.eth0") are different attachments; a record named
  // "<containerID>.<ifname>.cbor" would be "p.q.eth0.cbor" for both.
  const ra = await runInNode(b, 'ADD', { containerId: 'p.q', ifname: 'eth0', pod: pa, conf });
  t.equal(ra.code, 0, 'ADD (p.q, eth0)');
  const rb = await runInNode(b, 'ADD', { containerId: 'p', ifname: 'q.eth0', pod: pbn, conf });
  t.equal(rb.code, 0, 'ADD (p, q.eth0)');
  const hostA = (ra.json as AddResult).interfaces[0]!.name;
  t.ok(b.nodeLinks().includes(hostA), `the first pod's host link ${hostA} survives the second ADD`);
  t.equal(JSON.parse(b.ip(pa, ['-j', 'link'])).length, 2, 'the first pod still has its eth0');
  const c = await runInNode(b, 'CHECK', { containerId: 'p.q', ifname: 'eth0', pod: pa, conf: { ...conf, prevResult: ra.json } });
  t.equal(c.code, 0, `CHECK of the first pod passes: ${c.stdout.trim()}`);
  t.equal(b.records().length, 2, `two records: ${b.records().join(', ')}`);
  await runInNode(b, 'DEL', { containerId: 'p', ifname: 'q.eth0', pod: pbn, conf });
  await runInNode(b, 'DEL', { containerId: 'p.q', ifname: 'eth0', pod: pa, conf });
});

// ------------------------------------------------------------------------------------------ dry run

interface FullSnapshot {
  net: Record<string, unknown>;
  qdiscs: Record<string, unknown>;
  bpf: Record<string, unknown>;
  pins: string[];
  files: Record<string, string>;
}

function fileMap(...dirs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dirs) {
    if (!fs.existsSync(d)) {
      out[d] = 'absent';
      continue;
    }
    if (fs.statSync(d).isFile()) {
      out[d] = fs.readFileSync(d).toString('base64');
      continue;
    }
    for (const f of listTree(d)) {
      const p = path.join(d, f);
      out[p] = f.endsWith('/') ? 'dir' : fs.readFileSync(p).toString('base64');
    }
  }
  return out;
}

function full(b: Testbed, pods: string[], extraFiles: string[]): FullSnapshot {
  const nss = [b.node, ...pods];
  const net: Record<string, unknown> = {};
  const qdiscs: Record<string, unknown> = {};
  const bpf: Record<string, unknown> = {};
  for (const ns of nss) {
    net[ns] = snapshotNs(ns, { dynamicNeigh: false });
    qdiscs[ns] = JSON.parse(execFileSync('tc', ['-n', ns, '-j', 'qdisc', 'show'], { encoding: 'utf8' }) || '[]');
    const links = (JSON.parse(b.ip(ns, ['-j', 'link'])) as { ifname: string }[]).map((l) => l.ifname);
    const filters: Record<string, unknown> = {};
    for (const dev of links) {
      for (const dir of ['ingress', 'egress']) {
        const r = spawnSync('tc', ['-n', ns, '-j', 'filter', 'show', 'dev', dev, dir], { encoding: 'utf8' });
        filters[`${dev} ${dir}`] = r.status === 0 ? r.stdout : `error ${r.stderr.trim()}`;
      }
    }
    const bt = spawnSync('ip', ['netns', 'exec', ns, 'bpftool', 'net', '-j'], { encoding: 'utf8' });
    bpf[ns] = { filters, attachments: bt.status === 0 ? bt.stdout : `bpftool: ${bt.stderr.trim()}` };
  }
  const pins = listTree(b.bpfRoot).map((f) => {
    const st = fs.statSync(path.join(b.bpfRoot, f));
    return `${f} ino=${st.ino} mtime=${st.mtimeMs}`;
  });
  return { net, qdiscs, bpf, pins, files: fileMap(b.stateDir, b.ipamDir, b.modeFile, ...extraFiles) };
}

function same(t: Test, a: FullSnapshot, b: FullSnapshot, what: string): void {
  for (const k of Object.keys(a) as (keyof FullSnapshot)[]) {
    const equal = JSON.stringify(b[k]) === JSON.stringify(a[k]);
    t.ok(equal, `${what}: ${k} byte-identical`, equal ? {} : { differences: diffSnapshots(a[k], b[k]).slice(0, 20) });
  }
}

/** After a real ADD, carrier, IPv6 link-local addresses (DAD) and multicast entries appear over a few
 *  seconds without anyone touching the node: wait until two snapshots a second apart agree. */
async function settled(b: Testbed, pods: string[], extra: string[]): Promise<FullSnapshot> {
  let prev = full(b, pods, extra);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = full(b, pods, extra);
    if (JSON.stringify(next) === JSON.stringify(prev)) return next;
    prev = next;
  }
  return prev;
}

t.test('--dry-run changes nothing: ADD on a fresh node, then ADD, DEL, CHECK, GC, STATUS on a live one', async (t) => {
  const b = bed(t, 'sec-dry');
  const fakeDir = path.join(b.dir, 'fake-store');
  const fakeLog = path.join(b.dir, 'fake-ipam.log');
  fs.mkdirSync(fakeDir);
  fs.writeFileSync(fakeLog, '');
  const env = fakeIpamEnv({ store: fakeDir, log: fakeLog });
  const cniPath = `${FAKE_IPAM_DIR}:${CNI_PATH}`;
  const conf = { ...b.conf({ cniVersion: '1.1.0', ipv6: false }), ipam: { type: 'fake-ipam' } };
  const pa = b.pod('a');
  const pbn = b.pod('b');
  const extra = [fakeDir, fakeLog];
  const dry = (command: string, o: Parameters<typeof runInNode>[2], json = false) =>
    runInNode(b, command, { cniPath, env, conf, ...o, argv: json ? ['--dry-run', '--json'] : ['--dry-run'] });

  // A node podlink has never run on: no mode file, no state dir, no pins, no IPAM call.
  const s0 = full(b, [pa, pbn], extra);
  for (const json of [false, true]) {
    const r = await dry('ADD', { containerId: 'dry-fresh', pod: pa }, json);
    t.equal(r.code, 0, `ADD --dry-run${json ? ' --json' : ''} on a fresh node: ${r.stdout.slice(0, 200)}`);
    if (json) t.match(JSON.parse(r.stdout), { command: 'ADD' });
    else t.match(r.stdout, /dry run: nothing was changed/);
  }
  same(t, s0, full(b, [pa, pbn], extra), 'fresh node');
  t.notOk(fs.existsSync(b.modeFile), 'no mode file was probed and written');
  t.notOk(fs.existsSync(b.stateDir), 'no state dir was created');
  t.notOk(fs.existsSync(b.bpfRoot), 'no BPF objects were loaded and pinned');
  t.notOk(fs.existsSync(path.join(b.dir, 'metrics.json')), 'no metrics were recorded for a dry run');
  t.equal(fs.readFileSync(fakeLog, 'utf8'), '', 'the IPAM plugin was never executed');

  // A live pod A.
  const ra = await runInNode(b, 'ADD', { containerId: 'dry-live', pod: pa, conf, cniPath, env });
  t.equal(ra.code, 0, `a real ADD: ${ra.stdout.slice(0, 200)}`);
  const s1 = await settled(b, [pa, pbn], extra);
  const ipamCalls = fs.readFileSync(fakeLog, 'utf8');
  const calls: [string, Parameters<typeof runInNode>[2]][] = [
    ['ADD', { containerId: 'dry-new', pod: pbn }],
    ['ADD', { containerId: 'dry-live', pod: pa, ifname: 'eth1' }],
    ['DEL', { containerId: 'dry-live', pod: pa }],
    ['CHECK', { containerId: 'dry-live', pod: pa, conf: { ...conf, prevResult: ra.json } }],
    ['GC', { ifname: null, conf: { ...conf, 'cni.dev/valid-attachments': [] } }],
    ['STATUS', { ifname: null }],
  ];
  for (const [command, o] of calls) {
    for (const json of [false, true]) {
      const r = await dry(command, o, json);
      t.equal(r.code, 0, `${command} --dry-run${json ? ' --json' : ''} exits 0: ${r.stdout.slice(0, 200)}`);
      t.ok(r.stdout.length > 0, `${command} --dry-run prints its plan`);
    }
  }
  same(t, s1, full(b, [pa, pbn], extra), 'live node');
  t.equal(fs.readFileSync(fakeLog, 'utf8'), ipamCalls, 'no IPAM plugin was executed by any dry run');
  const chk = await runInNode(b, 'CHECK', { containerId: 'dry-live', pod: pa, conf: { ...conf, prevResult: ra.json }, cniPath, env });
  t.equal(chk.code, 0, `the live pod still passes CHECK: ${chk.stdout.trim()}`);
  t.equal((await runInNode(b, 'DEL', { containerId: 'dry-live', pod: pa, conf, cniPath, env })).code, 0, 'DEL');
});
