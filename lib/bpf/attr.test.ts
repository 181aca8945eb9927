// union bpf_attr encodings against the uapi byte layouts (docs/kernel.md#the-bpf-syscall), and the
// *_info decoders. Table-driven: field → offset → bytes.
import t from 'tap';
import * as A from './attr.js';
import * as K from './consts.js';
import { parseCpuList } from './cpus.js';
import { mapIncompatibilities } from './map.js';

const u32 = (b: Buffer, off: number) => b.readUInt32LE(off);
const u64 = (b: Buffer, off: number) => b.readBigUInt64LE(off);

t.test('BPF_MAP_CREATE: 72 bytes, name at 28', async (t) => {
  const b = A.encodeMapCreate({
    mapType: K.BPF_MAP_TYPE_LPM_TRIE,
    keySize: 24,
    valueSize: 4,
    maxEntries: 64,
    mapFlags: K.BPF_F_NO_PREALLOC,
    name: 'pl_cidrs',
  });
  t.equal(b.length, 72);
  t.same([u32(b, 0), u32(b, 4), u32(b, 8), u32(b, 12), u32(b, 16), u32(b, 20), u32(b, 24)], [11, 24, 4, 64, 1, 0, 0]);
  t.same(b.subarray(28, 44), Buffer.from('pl_cidrs\0\0\0\0\0\0\0\0'));
  t.ok(b.subarray(44).equals(Buffer.alloc(28)), 'tail zero (map_ifindex, btf_*…)');
});

t.test('object names: 15 bytes + NUL, kernel charset', async (t) => {
  t.same(A.encodeObjName('a_very_long_program_name'), Buffer.from('a_very_long_pro\0'));
  t.same(A.encodeObjName('.rodata'), Buffer.from('.rodata\0\0\0\0\0\0\0\0\0'));
  t.same(A.encodeObjName('bad-name!').subarray(0, 9).toString(), 'bad_name_');
});

t.test('BPF_MAP_*_ELEM: fd @0, key @8, value @16, flags @24', async (t) => {
  const b = A.encodeMapElem(7, 0x1122334455667788n, 0x99aabbccddeeff00n, K.BPF_NOEXIST);
  t.equal(b.length, 32);
  t.equal(u32(b, 0), 7);
  t.equal(u32(b, 4), 0);
  t.equal(u64(b, 8), 0x1122334455667788n);
  t.equal(u64(b, 16), 0x99aabbccddeeff00n);
  t.equal(u64(b, 24), 1n);
});

t.test('BPF_PROG_LOAD: type, insns, license, log, name @48, expected_attach_type @68', async (t) => {
  const b = A.encodeProgLoad({
    progType: 3,
    insnCnt: 2,
    insns: 0x1000n,
    license: 0x2000n,
    logLevel: 1,
    logSize: 65536,
    logBuf: 0x3000n,
    name: 'pl_from_pod',
    expectedAttachType: 46,
  });
  t.equal(b.length, 144);
  t.same([u32(b, 0), u32(b, 4)], [3, 2]);
  t.same([u64(b, 8), u64(b, 16)], [0x1000n, 0x2000n]);
  t.same([u32(b, 24), u32(b, 28), u64(b, 32)], [1, 65536, 0x3000n]);
  t.same([u32(b, 40), u32(b, 44)], [0, 0], 'kern_version, prog_flags');
  t.same(b.subarray(48, 64), Buffer.from('pl_from_pod\0\0\0\0\0'));
  t.equal(u32(b, 64), 0, 'prog_ifindex');
  t.equal(u32(b, 68), 46);
  t.equal(u32(b, A.PROG_LOAD_LOG_TRUE_SIZE), 0, 'log_true_size is an output');
});

t.test('BPF_OBJ_PIN/GET, GET_INFO_BY_FD, *_GET_FD_BY_ID, FREEZE/DETACH', async (t) => {
  const pin = A.encodeObjPath(0xdeadbeefn, 9, K.BPF_F_RDONLY);
  t.same([pin.length, u64(pin, 0), u32(pin, 8), u32(pin, 12), u32(pin, 16)], [24, 0xdeadbeefn, 9, 8, 0]);
  const info = A.encodeObjInfo(5, 64, 0x4000n);
  t.same([info.length, u32(info, 0), u32(info, 4), u64(info, 8)], [16, 5, 64, 0x4000n]);
  const byId = A.encodeGetFdById(42);
  t.same([u32(byId, 0), u32(byId, 4), u32(byId, 8)], [42, 0, 0]);
  t.same(A.encodeFd(3), Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]));
});

t.test('BPF_LINK_CREATE (tcx/netkit): 64 bytes as cilium/ebpf LinkCreateTcxAttr', async (t) => {
  const b = A.encodeLinkCreate({
    progFd: 10,
    targetIfindex: 0xffffffff,
    attachType: K.BPF_NETKIT_PEER,
    flags: K.BPF_F_BEFORE | K.BPF_F_LINK,
    relativeFdOrId: 12,
    expectedRevision: 3n,
  });
  t.equal(b.length, 64);
  t.same([u32(b, 0), u32(b, 4), u32(b, 8), u32(b, 12), u32(b, 16), u32(b, 20), u64(b, 24)], [10, 0xffffffff, 55, 0x2008, 12, 0, 3n]);
  t.ok(b.subarray(32).equals(Buffer.alloc(32)));
  // The probe: exactly these 16 meaningful bytes for tcx ingress, no flags.
  const probe = A.encodeLinkCreate({
    progFd: 4,
    targetIfindex: 0xffffffff,
    attachType: K.BPF_TCX_INGRESS,
    flags: 0,
    relativeFdOrId: 0,
    expectedRevision: 0n,
  });
  t.same(probe.subarray(0, 16), Buffer.from('04000000ffffffff2e00000000000000', 'hex'));
});

t.test('BPF_LINK_UPDATE: link @0, new prog @4, flags @8, old prog @12', async (t) => {
  t.same(A.encodeLinkUpdate(3, 4), Buffer.from('03000000040000000000000000000000', 'hex'));
  t.same(A.encodeLinkUpdate(3, 4, K.BPF_F_REPLACE, 5), Buffer.from('03000000040000000400000005000000', 'hex'));
});

t.test('BPF_PROG_QUERY: outputs at count @24 and revision @56', async (t) => {
  const b = A.encodeProgQuery({ targetIfindex: 7, attachType: K.BPF_TCX_EGRESS, progIds: 0x10n, count: 64, linkIds: 0x20n });
  t.equal(b.length, 64);
  t.same(
    [u32(b, 0), u32(b, 4), u32(b, 8), u32(b, 12), u64(b, 16), u32(b, 24), u64(b, 32), u64(b, 40), u64(b, 48), u64(b, 56)],
    [7, 47, 0, 0, 0x10n, 64, 0n, 0x20n, 0n, 0n],
  );
  t.equal(A.PROG_QUERY_COUNT, 24);
  t.equal(A.PROG_QUERY_REVISION, 56);
});

t.test('info decoders: bpf_map_info, bpf_prog_info, bpf_link_info (tcx/netkit union)', async (t) => {
  const m = Buffer.alloc(A.MAP_INFO_SIZE);
  m.writeUInt32LE(5, 0);
  m.writeUInt32LE(77, 4);
  m.writeUInt32LE(4, 8);
  m.writeUInt32LE(192, 12);
  m.writeUInt32LE(8192, 16);
  m.writeUInt32LE(1, 20);
  m.write('pl_stats', 24);
  t.same(A.decodeMapInfo(m), { type: 5, id: 77, keySize: 4, valueSize: 192, maxEntries: 8192, flags: 1, name: 'pl_stats' });

  const p = Buffer.alloc(A.PROG_INFO_SIZE);
  p.writeUInt32LE(3, 0);
  p.writeUInt32LE(99, 4);
  Buffer.from('0102030405060708', 'hex').copy(p, 8);
  p.writeUInt32LE(2, A.PROG_INFO_NR_MAP_IDS);
  p.write('pl_to_pod', 64);
  const ids = Buffer.alloc(16);
  ids.writeUInt32LE(10, 0);
  ids.writeUInt32LE(11, 4);
  t.same(A.decodeProgInfo(p, ids), { type: 3, id: 99, tag: '0102030405060708', name: 'pl_to_pod', mapIds: [10, 11] });

  const l = Buffer.alloc(A.LINK_INFO_SIZE);
  l.writeUInt32LE(K.BPF_LINK_TYPE_TCX, 0);
  l.writeUInt32LE(5, 4);
  l.writeUInt32LE(99, 8);
  l.writeUInt32LE(7, 16);
  l.writeUInt32LE(K.BPF_TCX_INGRESS, 20);
  t.same(A.decodeLinkInfo(l), { type: 11, id: 5, progId: 99, ifindex: 7, attachType: 46 });
});

t.test('PROG_TEST_RUN attr: inputs at their offsets, outputs decoded', async (t) => {
  const b = A.encodeProgTestRun({
    progFd: 3,
    dataIn: 0x1000n,
    dataSizeIn: 60,
    dataOut: 0x2000n,
    dataSizeOut: 316,
    ctxIn: 0x3000n,
    ctxSizeIn: 192,
    ctxOut: 0x4000n,
    ctxSizeOut: 192,
  });
  t.equal(b.length, 80);
  t.same(
    [b.readUInt32LE(0), b.readUInt32LE(8), b.readUInt32LE(12), b.readBigUInt64LE(16), b.readBigUInt64LE(24)],
    [3, 60, 316, 0x1000n, 0x2000n],
  );
  t.same(
    [b.readUInt32LE(32), b.readUInt32LE(40), b.readUInt32LE(44), b.readBigUInt64LE(48), b.readBigUInt64LE(56)],
    [0, 192, 192, 0x3000n, 0x4000n],
  );
  b.writeUInt32LE(7, 4);
  b.writeUInt32LE(74, 12);
  b.writeUInt32LE(192, 44);
  t.same(A.decodeProgTestRun(b), { retval: 7, dataSizeOut: 74, ctxSizeOut: 192 });
});

t.test('cpu lists and map compatibility', async (t) => {
  t.equal(parseCpuList('0-3\n'), 4);
  t.equal(parseCpuList('0'), 1);
  t.equal(parseCpuList('0,2-5,7'), 6);
  t.throws(() => parseCpuList('x'));
  const want = { type: 1, keySize: 4, valueSize: 92, maxEntries: 4096, flags: 1 };
  t.same(mapIncompatibilities(want, want), []);
  t.same(mapIncompatibilities(want, { ...want, valueSize: 100, maxEntries: 10 }), ['valueSize 100 (want 92)', 'maxEntries 10 (want 4096)']);
});
