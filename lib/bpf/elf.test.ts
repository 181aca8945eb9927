// ELF reader on the committed objects (no root): maps with their shapes, programs split per
// function, map references resolved to the right instructions, bpf-to-bpf calls linked.
import * as fs from 'node:fs';
import t from 'tap';
import * as BPF from './consts.js';
import { BpfError, loadCollectionSpec, mapSpec, parseElf, programSpec, resolveReferences } from './index.js';

const podlink = fs.readFileSync(new URL('../../bpf-objects/podlink.bpf.o', import.meta.url));
const fixture = fs.readFileSync(new URL('../../bpf-objects/testdata/loader-fixture.bpf.o', import.meta.url));

const insn = (b: Buffer, i: number) => ({
  code: b[i * 8]!,
  dst: b[i * 8 + 1]! & 0xf,
  src: b[i * 8 + 1]! >> 4,
  off: b.readInt16LE(i * 8 + 2),
  imm: b.readInt32LE(i * 8 + 4),
});

t.test('podlink.bpf.o: BTF map definitions and the .rodata data map', async (t) => {
  const spec = loadCollectionSpec(podlink);
  const shape = (name: string) => {
    const m = mapSpec(spec, name);
    return m && { type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, kind: m.kind };
  };
  t.same(shape('pl_pod_cfg'), {
    type: BPF.BPF_MAP_TYPE_HASH,
    keySize: 4,
    valueSize: 92,
    maxEntries: 4096,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  t.same(shape('pl_endpoints'), {
    type: BPF.BPF_MAP_TYPE_HASH,
    keySize: 20,
    valueSize: 16,
    maxEntries: 16384,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  t.same(shape('pl_cidrs'), {
    type: BPF.BPF_MAP_TYPE_LPM_TRIE,
    keySize: 24,
    valueSize: 4,
    maxEntries: 16384,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  t.same(shape('pl_flows'), { type: BPF.BPF_MAP_TYPE_LRU_HASH, keySize: 40, valueSize: 8, maxEntries: 32768, flags: 0, kind: 'btf' });
  t.same(shape('pl_stats'), {
    type: BPF.BPF_MAP_TYPE_PERCPU_HASH,
    keySize: 4,
    valueSize: 240,
    maxEntries: 8192,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  const ro = mapSpec(spec, '.rodata')!;
  t.same(shape('.rodata'), {
    type: BPF.BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: 240,
    maxEntries: 1,
    flags: BPF.BPF_F_RDONLY_PROG,
    kind: 'data',
  });
  t.equal(ro.freeze, true, '.rodata is frozen after population');
  t.same(ro.contents?.[0]?.key, Buffer.alloc(4), 'key 0');
  t.ok(ro.contents?.[0]?.value.equals(Buffer.alloc(240)), 'pl_zero_stats is all zeros');
  t.same(shape('pl_tunnel'), {
    type: BPF.BPF_MAP_TYPE_LPM_TRIE,
    keySize: 24,
    valueSize: 20,
    maxEntries: 16384,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  t.same(shape('pl_tunnel_peers'), {
    type: BPF.BPF_MAP_TYPE_HASH,
    keySize: 20,
    valueSize: 4,
    maxEntries: 65536,
    flags: BPF.BPF_F_NO_PREALLOC,
    kind: 'btf',
  });
  t.same(shape('pl_tunnel_cfg'), { type: BPF.BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: 36, maxEntries: 1, flags: 0, kind: 'btf' });
  t.equal(spec.maps.length, 9);
});

t.test('podlink.bpf.o: four programs, three sharing tcx/ingress, every reference on an ld_imm64', async (t) => {
  const spec = loadCollectionSpec(podlink);
  t.same(spec.programs.map((p) => [p.name, p.section]).sort(), [
    ['pl_from_pod', 'tcx/ingress'],
    ['pl_from_tunnel', 'tcx/ingress'],
    ['pl_from_uplink', 'tcx/ingress'],
    ['pl_to_pod', 'tcx/egress'],
  ]);
  for (const p of spec.programs) {
    t.equal(p.type, BPF.BPF_PROG_TYPE_SCHED_CLS, `${p.name} is SCHED_CLS`);
    t.equal(p.expectedAttachType, 0, `${p.name} loads without an expected attach type (any tc/tcx/netkit hook)`);
    t.equal(p.license, 'Dual BSD/GPL');
    t.equal(p.instructions.length % 8, 0);
    const n = p.instructions.length / 8;
    const pseudoCalls = [...Array(n).keys()].filter((i) => insn(p.instructions, i).code === 0x85 && insn(p.instructions, i).src === 1);
    t.same(pseudoCalls, [], `${p.name}: subprograms are inlined, nothing appended`);
    for (const r of p.references) {
      t.equal(insn(p.instructions, r.insn).code, 0x18, `${p.name} insn ${r.insn} is ld_imm64`);
      t.ok(mapSpec(spec, r.map), `${p.name} refers to known map ${r.map}`);
    }
  }
  const used = (name: string) => [...new Set(programSpec(spec, name)!.references.map((r) => r.map))].sort();
  t.same(used('pl_from_pod'), ['.rodata', 'pl_cidrs', 'pl_endpoints', 'pl_flows', 'pl_pod_cfg', 'pl_stats', 'pl_tunnel', 'pl_tunnel_cfg']);
  t.same(used('pl_from_tunnel'), ['.rodata', 'pl_endpoints', 'pl_flows', 'pl_stats', 'pl_tunnel_cfg', 'pl_tunnel_peers']);
  t.same(used('pl_to_pod'), ['.rodata', 'pl_endpoints', 'pl_flows', 'pl_pod_cfg', 'pl_stats']);
  t.same(used('pl_from_uplink'), ['.rodata', 'pl_endpoints', 'pl_flows', 'pl_stats']);
  const zero = programSpec(spec, 'pl_to_pod')!.references.filter((r) => r.map === '.rodata');
  t.ok(zero.length > 0 && zero.every((r) => r.kind === 'value' && r.offset === 0), 'pl_zero_stats via BPF_PSEUDO_MAP_VALUE at offset 0');
});

t.test('fixture: legacy maps section, .data/.bss/.rodata by symbol, bpf-to-bpf call linked', async (t) => {
  const spec = loadCollectionSpec(fixture);
  const legacy = mapSpec(spec, 'legacy_counts')!;
  t.same([legacy.kind, legacy.type, legacy.keySize, legacy.valueSize, legacy.maxEntries], ['legacy', BPF.BPF_MAP_TYPE_ARRAY, 4, 8, 4]);
  t.same([mapSpec(spec, 'btf_hash')!.kind, mapSpec(spec, 'btf_hash')!.maxEntries], ['btf', 8]);
  t.same(mapSpec(spec, '.data')!.contents![0]!.value, Buffer.from([7, 0, 0, 0, 0, 0, 0, 0]), '.data holds data_hits = 7');
  t.same(mapSpec(spec, '.bss')!.contents![0]!.value, Buffer.alloc(8), '.bss is zeros');
  t.same(mapSpec(spec, '.rodata')!.contents![0]!.value, Buffer.from([0, 0, 0, 0]), 'cfg_verdict = TC_ACT_OK');
  t.equal(mapSpec(spec, '.data')!.freeze, false);

  const a = programSpec(spec, 'fixture_a')!;
  const b = programSpec(spec, 'fixture_b')!;
  const elf = parseElf(fixture);
  const textLen = elf.section('.text')!.size / 8;
  const aLen = elf.section('tc')!.size / 8;
  t.equal(a.instructions.length / 8, aLen + textLen, 'fixture_a = its section + the called .text function');
  t.equal(b.instructions.length / 8, 3 + textLen);
  // The call in fixture_a lands on the appended subprogram.
  const calls = [...Array(aLen).keys()].filter((i) => insn(a.instructions, i).code === 0x85 && insn(a.instructions, i).src === 1);
  t.equal(calls.length, 1);
  t.equal(calls[0]! + 1 + insn(a.instructions, calls[0]!).imm, aLen, 'call imm points at the subprogram start');
  // References from the subprogram were shifted with it.
  const sub = a.references.filter((r) => r.insn >= aLen).map((r) => [r.map, r.kind, r.insn - aLen]);
  t.same(sub, [
    ['legacy_counts', 'fd', 3],
    ['.bss', 'value', 9],
    ['.rodata', 'value', 14],
  ]);
  t.same(
    a.references.filter((r) => r.insn < aLen).map((r) => [r.map, r.kind]),
    [
      ['btf_hash', 'fd'],
      ['.data', 'value'],
    ],
  );
});

t.test('resolveReferences sets src_reg and fd/offset immediates', async (t) => {
  const spec = loadCollectionSpec(fixture);
  const a = programSpec(spec, 'fixture_a')!;
  const fds: Record<string, number> = { legacy_counts: 11, btf_hash: 12, '.rodata': 13, '.data': 14, '.bss': 15 };
  const out = resolveReferences(a, (m) => fds[m]!);
  for (const r of a.references) {
    const first = insn(out, r.insn);
    const second = insn(out, r.insn + 1);
    t.equal(first.src, r.kind === 'fd' ? BPF.BPF_PSEUDO_MAP_FD : BPF.BPF_PSEUDO_MAP_VALUE, `${r.map} src_reg`);
    t.equal(first.imm, fds[r.map], `${r.map} fd`);
    t.equal(second.imm, r.kind === 'fd' ? 0 : r.offset, `${r.map} second slot`);
    t.equal(first.dst, insn(a.instructions, r.insn).dst, 'dst_reg kept');
  }
  t.not(out, a.instructions, 'the spec is not modified');
});

t.test('malformed input is a BpfError naming the step', async (t) => {
  t.throws(() => loadCollectionSpec(Buffer.from('not an elf file at all, really not, no')), { name: 'BpfError', step: 'parse ELF' });
  const bad = Buffer.from(podlink);
  bad[5] = 2; // big-endian
  t.throws(() => loadCollectionSpec(bad), /little-endian/);
  const e = new BpfError('load program x', 'Permission denied', { errno: 13, hint: 'h', log: 'verifier says no' });
  t.equal(e.name, 'BpfError');
  t.equal(e.code, 'EACCES');
  t.match(e.message, /^load program x: Permission denied \(h\)$/);
});
