// Privileged: lib/bpf against the running kernel (tcx; netkit only where present). Everything lives
// in a throwaway netns and a private bpffs mount, both removed in teardown.
import * as fs from 'node:fs';
import t from 'tap';
import { nativeSys } from '../sys/index.js';
import * as BPF from './consts.js';
import {
  BpfError,
  BpfLink,
  BpfMap,
  BpfProgram,
  attachTcx,
  ensureBpffs,
  haveNetkit,
  haveTcx,
  isBpffs,
  loadCollection,
  loadCollectionSpec,
  queryHook,
  removePin,
  type ProgramSpec,
} from './index.js';
import { createNetns, have, inNetns, isRoot, privateBpffs, sh } from '../../conformance/support/index.js';

const skip = !isRoot && 'needs root';
const fixture = loadCollectionSpec(fs.readFileSync(new URL('../../bpf-objects/testdata/loader-fixture.bpf.o', import.meta.url)));

t.test('lib/bpf on the running kernel', { skip }, async (t) => {
  const sys = nativeSys();
  const fsmount = privateBpffs('podlink-bpftest');
  const ns = createNetns(sys, `podlink-bpftest-${process.pid}`);
  t.teardown(() => {
    ns.remove();
    fsmount.remove();
  });

  t.test('feature probes: tcx present on this kernel, netkit conclusive', async (t) => {
    t.equal(haveTcx(sys), true, 'LINK_CREATE(tcx, ifindex 0xffffffff) → ENODEV');
    t.type(haveNetkit(sys), 'boolean');
    t.equal(haveTcx(sys), true, 'cached answer');
  });

  t.test('ensureBpffs: mounts once, then sees the mount', async (t) => {
    const dir = `${fsmount.dir}/../podlink-bpffs2-${process.pid}`;
    t.teardown(() => {
      sh('umount', [dir], { allowFail: true });
      fs.rmSync(dir, { recursive: true, force: true });
    });
    t.equal(isBpffs(dir), false);
    t.same(ensureBpffs(sys, { mountPoint: dir, dirs: ['podlink/links'] }), { mounted: true });
    t.equal(isBpffs(dir), true);
    t.ok(fs.statSync(`${dir}/podlink/links`).isDirectory());
    t.same(ensureBpffs(sys, { mountPoint: dir }), { mounted: false });
    t.equal(isBpffs(fsmount.dir), true);
  });

  t.test('maps: elements, iteration, per-CPU values, pin and compatible reopen', async (t) => {
    const m = BpfMap.create(sys, {
      name: 'pl_test_hash',
      type: BPF.BPF_MAP_TYPE_HASH,
      keySize: 4,
      valueSize: 8,
      maxEntries: 16,
      flags: 0,
      kind: 'btf',
    });
    t.teardown(() => m.close());
    const k = (n: number) => Buffer.from([n, 0, 0, 0]);
    const v = (n: number) => Buffer.from([n, 0, 0, 0, 0, 0, 0, 0]);
    m.update(k(1), v(10));
    m.update(k(2), v(20));
    t.same(m.lookup(k(1)), v(10));
    t.equal(m.lookup(k(3)), undefined);
    t.throws(() => m.update(k(1), v(11), BPF.BPF_NOEXIST), { name: 'BpfError', code: 'EEXIST', step: 'update map pl_test_hash' });
    t.same([...m.keys()].map((b) => b[0]).sort(), [1, 2]);
    t.equal(m.delete(k(1)), true);
    t.equal(m.delete(k(1)), false, 'deleting a missing key is not an error');
    t.throws(() => m.lookup(Buffer.alloc(3)), /key is 3 bytes/);

    const pc = BpfMap.create(sys, {
      name: 'pl_test_pcpu',
      type: BPF.BPF_MAP_TYPE_PERCPU_HASH,
      keySize: 4,
      valueSize: 12,
      maxEntries: 4,
      flags: 0,
      kind: 'btf',
    });
    t.teardown(() => pc.close());
    pc.update(k(1), Buffer.from('abcdefghijkl'));
    const slots = pc.lookupPerCpu(k(1))!;
    t.ok(slots.length >= 1);
    t.ok(
      slots.every((s) => s.toString() === 'abcdefghijkl'),
      'one value copied to every CPU',
    );

    const pin = `${fsmount.dir}/pl_test_hash`;
    m.pin(pin);
    t.throws(() => m.pin(pin), { code: 'EEXIST' });
    const again = BpfMap.openPinned(sys, pin, m.shape);
    t.teardown(() => again.close());
    t.same(again.lookup(k(2)), v(20), 'same map through the pin');
    t.equal(again.info().id, m.info().id);
    t.throws(() => BpfMap.openPinned(sys, pin, { ...m.shape, valueSize: 16 }), {
      name: 'BpfError',
      message: /incompatible: valueSize 8 \(want 16\)/,
    });
    t.throws(() => BpfMap.openPinned(sys, `${fsmount.dir}/nope`), { code: 'ENOENT' });
    t.equal(removePin(pin), true);
    t.equal(removePin(pin), false);
  });

  t.test('collection: legacy + BTF maps, data sections populated, .rodata frozen, bpf-to-bpf call', async (t) => {
    const c = loadCollection(sys, fixture);
    t.teardown(() => c.close());
    t.same([...c.programs.keys()].sort(), ['fixture_a', 'fixture_b']);
    t.same(c.map('.data').lookup(Buffer.alloc(4)), Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]));
    t.throws(() => c.map('.rodata').update(Buffer.alloc(4), Buffer.alloc(4)), { code: 'EPERM' }, 'frozen');
    const info = c.program('fixture_a').info();
    t.equal(info.name, 'fixture_a');
    t.equal(info.mapIds.length, 5, 'all five maps bound (legacy, btf, .rodata, .data, .bss)');
    const prog = c.program('fixture_b');
    const pin = `${fsmount.dir}/fixture_b`;
    prog.pin(pin);
    const p2 = BpfProgram.openPinned(sys, pin);
    t.equal(p2.name, 'fixture_b');
    t.equal(p2.info().id, prog.info().id);
    p2.close();
    t.throws(() => BpfMap.openPinned(sys, pin), /pin is a bpf prog, not a map/);
    removePin(pin);
  });

  t.test('verifier rejection carries the log', async (t) => {
    const bad: ProgramSpec = {
      name: 'pl_bad',
      section: 'tc',
      type: BPF.BPF_PROG_TYPE_SCHED_CLS,
      attachTypeHint: 0,
      expectedAttachType: 0,
      license: 'GPL',
      instructions: Buffer.from('9500000000000000', 'hex'), // exit without setting r0
      references: [],
    };
    const err = t.throws(() => BpfProgram.load(sys, bad, () => 0)) as BpfError;
    t.equal(err.name, 'BpfError');
    t.equal(err.step, 'load program pl_bad');
    t.equal(err.code, 'EACCES');
    t.match(err.log, /R0 !read_ok/);
    t.match(err.hint, /verifier: .*R0 !read_ok/);
  });

  t.test('a verifier log larger than the first buffer is retried until it fits (ENOSPC)', async (t) => {
    const movs = Buffer.alloc(4000 * 8);
    for (let i = 0; i < 4000; i++) movs.write('bf11000000000000', i * 8, 'hex'); // r1 = r1
    const noisy: ProgramSpec = {
      name: 'pl_noisy',
      section: 'tc',
      type: BPF.BPF_PROG_TYPE_SCHED_CLS,
      attachTypeHint: 0,
      expectedAttachType: 0,
      license: 'GPL',
      instructions: Buffer.concat([movs, Buffer.from('9500000000000000', 'hex')]),
      references: [],
    };
    const err = t.throws(() => BpfProgram.load(sys, noisy, () => 0, { logLevel: 2 })) as BpfError;
    t.equal(err.code, 'EACCES', 'the real error, not ENOSPC');
    t.ok((err.log ?? '').length > 64 * 1024, `whole log kept (${err.log?.length} bytes)`);
    t.match(err.log, /R0 !read_ok/);
  });

  t.test('tcx links: create, pin, query, update, EEXIST, ENOLINK after the device is gone', async (t) => {
    ns.ip('link', 'add', 'name', 'vt0', 'type', 'veth', 'peer', 'name', 'vt1');
    ns.ip('link', 'set', 'vt0', 'up');
    ns.ip('link', 'set', 'vt1', 'up');
    const ifindex = ns.ifindex('vt0');
    const c = loadCollection(sys, fixture);
    t.teardown(() => c.close());
    const a = c.program('fixture_a');
    const b = c.program('fixture_b');
    const pin = `${fsmount.dir}/link-vt0-ingress`;

    inNetns(sys, ns, () => {
      const link = attachTcx(sys, { program: a, ifindex, direction: 'ingress' });
      link.pin(pin);
      link.close();
      const q = queryHook(sys, ifindex, BPF.BPF_TCX_INGRESS);
      t.equal(q.programIds.length, 1, 'exactly one program on tcx ingress');
      t.equal(q.programIds[0], a.info().id);
      t.equal(queryHook(sys, ifindex, BPF.BPF_TCX_EGRESS).programIds.length, 0, 'egress untouched');
      t.throws(() => attachTcx(sys, { program: a, ifindex, direction: 'ingress' }), { code: 'EEXIST', hint: /already attached/ });
      t.throws(() => attachTcx(sys, { program: a, ifindex: 999999, direction: 'ingress' }), {
        code: 'ENODEV',
        hint: /no device with ifindex 999999/,
      });
    });

    const link = BpfLink.openPinned(sys, pin);
    t.teardown(() => link.close());
    const info = link.info();
    t.same([info.type, info.ifindex, info.attachType, info.progId], [BPF.BPF_LINK_TYPE_TCX, ifindex, BPF.BPF_TCX_INGRESS, a.info().id]);
    if (have('bpftool')) {
      // bpftool < 7.3 prints tcx links as "type 11" and has no tcx section in `net`.
      const shown = JSON.parse(sh('bpftool', ['-j', 'link', 'show', 'id', String(info.id)])) as { type: string | number; prog_id: number };
      t.ok(shown.type === 'tcx' || shown.type === BPF.BPF_LINK_TYPE_TCX, `bpftool link: tcx (${shown.type})`);
      t.equal(shown.prog_id, a.info().id, 'bpftool link: our program');
      const net = ns.exec('bpftool', ['-j', 'net', 'show', 'dev', 'vt0']);
      if (/tcx/.test(net)) t.match(net, /fixture_a/, 'bpftool net (in the netns) lists the program on vt0');
      else t.comment(`bpftool ${sh('bpftool', ['version']).split('\n')[0]} does not list tcx in \`net\``);
    }

    link.update(b);
    t.equal(link.info().progId, b.info().id, 'LINK_UPDATE swapped the program in place');
    inNetns(sys, ns, () => t.same(queryHook(sys, ifindex, BPF.BPF_TCX_INGRESS).programIds, [b.info().id]));

    ns.ip('link', 'del', 'vt0');
    t.equal(link.info().ifindex, 0, 'defunct: ifindex reads 0');
    t.equal(link.isDefunct(), true);
    t.throws(() => link.update(a), { code: 'ENOLINK', hint: /device is gone/ });
    t.ok(fs.existsSync(pin), 'the pin outlives the device');
    link.detach(); // no-op on a defunct link
    t.equal(removePin(pin), true);
  });

  t.test('closing an unpinned link detaches it', async (t) => {
    ns.ip('link', 'add', 'name', 'vt2', 'type', 'veth', 'peer', 'name', 'vt3');
    const ifindex = ns.ifindex('vt2');
    const c = loadCollection(sys, fixture, { programs: ['fixture_b'] });
    t.teardown(() => c.close());
    inNetns(sys, ns, () => {
      const link = attachTcx(sys, { program: c.program('fixture_b'), ifindex, direction: 'egress' });
      t.equal(queryHook(sys, ifindex, BPF.BPF_TCX_EGRESS).programIds.length, 1);
      link.close();
      t.equal(queryHook(sys, ifindex, BPF.BPF_TCX_EGRESS).programIds.length, 0);
    });
    ns.ip('link', 'del', 'vt2');
  });
});
