// Pure encoders for union bpf_attr, one per command, and decoders for the *_info structs.
// Pointers arrive as addresses (Sys.address); the caller keeps the pointed-to Buffers alive.
// Offsets: include/uapi/linux/bpf.h (docs/kernel.md#the-bpf-syscall). May import: lib/codec.
import { Reader, u32le, Writer } from '../codec/index.js';
import { BPF_OBJ_NAME_LEN } from './consts.js';

/** Object names: at most 15 bytes + NUL; the kernel accepts [A-Za-z0-9_.]. */
export function encodeObjName(name: string): Buffer {
  const out = Buffer.alloc(BPF_OBJ_NAME_LEN);
  out.write(name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, BPF_OBJ_NAME_LEN - 1), 'latin1');
  return out;
}

function fixed(w: Writer, size: number): Buffer {
  if (w.length > size) throw new RangeError(`attr overflow: ${w.length} > ${size}`);
  w.zeros(size - w.length);
  return w.finish();
}

export interface MapCreateAttr {
  mapType: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapFlags: number;
  name: string;
}

/** BPF_MAP_CREATE: map_type @0, key_size @4, value_size @8, max_entries @12, map_flags @16, map_name @28. 72 B. */
export function encodeMapCreate(a: MapCreateAttr): Buffer {
  const w = new Writer(72);
  w.u32(a.mapType).u32(a.keySize).u32(a.valueSize).u32(a.maxEntries).u32(a.mapFlags);
  w.u32(0); // inner_map_fd
  w.u32(0); // numa_node
  w.bytes(encodeObjName(a.name)); // @28
  return fixed(w, 72);
}

/** BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM / GET_NEXT_KEY: map_fd @0, key @8, value|next_key @16, flags @24. 32 B. */
export function encodeMapElem(mapFd: number, key: bigint, valueOrNextKey: bigint, flags = 0): Buffer {
  const w = new Writer(32);
  w.u32(mapFd).u32(0).u64(key).u64(valueOrNextKey).u64(flags);
  return fixed(w, 32);
}

/** BPF_MAP_FREEZE / BPF_LINK_DETACH: a single fd @0. 8 B. */
export function encodeFd(fd: number): Buffer {
  return fixed(new Writer(8).u32(fd), 8);
}

export interface ProgLoadAttr {
  progType: number;
  insnCnt: number;
  insns: bigint;
  license: bigint;
  logLevel: number;
  logSize: number;
  logBuf: bigint;
  name: string;
  expectedAttachType: number;
}

/** Offset of log_true_size (out, 6.4+) in the PROG_LOAD attr. */
export const PROG_LOAD_LOG_TRUE_SIZE = 140;

/** BPF_PROG_LOAD: up to log_true_size @140 (144 B; older kernels see a zero tail). */
export function encodeProgLoad(a: ProgLoadAttr): Buffer {
  const w = new Writer(144);
  w.u32(a.progType).u32(a.insnCnt).u64(a.insns).u64(a.license);
  w.u32(a.logLevel).u32(a.logSize).u64(a.logBuf);
  w.u32(0); // kern_version @40
  w.u32(0); // prog_flags @44
  w.bytes(encodeObjName(a.name)); // @48
  w.u32(0); // prog_ifindex @64
  w.u32(a.expectedAttachType); // @68
  return fixed(w, 144);
}

export interface ProgTestRunAttr {
  progFd: number;
  dataIn: bigint;
  dataSizeIn: number;
  dataOut: bigint;
  dataSizeOut: number;
  ctxIn: bigint;
  ctxSizeIn: number;
  ctxOut: bigint;
  ctxSizeOut: number;
}

/** BPF_PROG_TEST_RUN: prog_fd @0, retval @4 (out), data_size_in @8, data_size_out @12 (in/out), data_in @16,
 * data_out @24, repeat @32, duration @36 (out), ctx_size_in @40, ctx_size_out @44 (in/out), ctx_in @48,
 * ctx_out @56, flags @64, cpu @68, batch_size @72. 80 B; one run (repeat 0 = 1). */
export function encodeProgTestRun(a: ProgTestRunAttr): Buffer {
  const w = new Writer(80);
  w.u32(a.progFd).u32(0).u32(a.dataSizeIn).u32(a.dataSizeOut).u64(a.dataIn).u64(a.dataOut);
  w.u32(0).u32(0); // repeat, duration
  w.u32(a.ctxSizeIn).u32(a.ctxSizeOut).u64(a.ctxIn).u64(a.ctxOut);
  return fixed(w, 80);
}

/** The outputs of a BPF_PROG_TEST_RUN attr after the call. */
export function decodeProgTestRun(b: Buffer): { retval: number; dataSizeOut: number; ctxSizeOut: number } {
  return { retval: u32le(b, 4), dataSizeOut: u32le(b, 12), ctxSizeOut: u32le(b, 44) };
}

/** BPF_OBJ_PIN / BPF_OBJ_GET: pathname @0, bpf_fd @8, file_flags @12, path_fd @16. 24 B. */
export function encodeObjPath(path: bigint, fd: number, fileFlags = 0): Buffer {
  const w = new Writer(24);
  w.u64(path).u32(fd).u32(fileFlags);
  return fixed(w, 24);
}

/** BPF_OBJ_GET_INFO_BY_FD: bpf_fd @0, info_len @4, info @8. 16 B. */
export function encodeObjInfo(fd: number, infoLen: number, info: bigint): Buffer {
  return fixed(new Writer(16).u32(fd).u32(infoLen).u64(info), 16);
}

/** BPF_{PROG,MAP,LINK}_GET_FD_BY_ID: id @0, next_id @4, open_flags @8. 16 B. */
export function encodeGetFdById(id: number, openFlags = 0): Buffer {
  return fixed(new Writer(16).u32(id).u32(0).u32(openFlags), 16);
}

export interface LinkCreateAttr {
  progFd: number;
  targetIfindex: number;
  attachType: number;
  flags: number;
  relativeFdOrId: number;
  expectedRevision: bigint;
}

/** BPF_LINK_CREATE for tcx/netkit: prog_fd @0, target_ifindex @4, attach_type @8, flags @12,
 *  relative_fd|id @16, expected_revision @24. 64 B like cilium/ebpf's LinkCreateTcxAttr. */
export function encodeLinkCreate(a: LinkCreateAttr): Buffer {
  const w = new Writer(64);
  w.u32(a.progFd).u32(a.targetIfindex).u32(a.attachType).u32(a.flags).u32(a.relativeFdOrId).u32(0).u64(a.expectedRevision);
  return fixed(w, 64);
}

/** BPF_LINK_UPDATE: link_fd @0, new_prog_fd @4, flags @8, old_prog_fd @12. 16 B. */
export function encodeLinkUpdate(linkFd: number, newProgFd: number, flags = 0, oldProgFd = 0): Buffer {
  return fixed(new Writer(16).u32(linkFd).u32(newProgFd).u32(flags).u32(oldProgFd), 16);
}

export interface ProgQueryAttr {
  targetIfindex: number;
  attachType: number;
  progIds: bigint;
  count: number;
  linkIds: bigint;
}

/** Offsets of the PROG_QUERY outputs. */
export const PROG_QUERY_COUNT = 24;
export const PROG_QUERY_REVISION = 56;

/** BPF_PROG_QUERY: target_ifindex @0, attach_type @4, query_flags @8, attach_flags @12 (out), prog_ids @16,
 *  count @24 (in/out), prog_attach_flags @32, link_ids @40, link_attach_flags @48, revision @56 (out). 64 B. */
export function encodeProgQuery(a: ProgQueryAttr): Buffer {
  const w = new Writer(64);
  w.u32(a.targetIfindex).u32(a.attachType).u32(0).u32(0).u64(a.progIds).u32(a.count).u32(0);
  w.u64(0n); // prog_attach_flags
  w.u64(a.linkIds);
  w.u64(0n); // link_attach_flags
  w.u64(0n); // revision
  return fixed(w, 64);
}

function cname(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('latin1');
}

export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

export const MAP_INFO_SIZE = 88;

export function decodeMapInfo(b: Buffer): MapInfo {
  const r = new Reader(b);
  const type = r.u32();
  const id = r.u32();
  const keySize = r.u32();
  const valueSize = r.u32();
  const maxEntries = r.u32();
  const flags = r.u32();
  const name = cname(r.bytes(16));
  return { type, id, keySize, valueSize, maxEntries, flags, name };
}

export interface ProgInfo {
  type: number;
  id: number;
  tag: string;
  name: string;
  mapIds: number[];
}

export const PROG_INFO_SIZE = 232;
export const PROG_INFO_NR_MAP_IDS = 52;
export const PROG_INFO_MAP_IDS = 56;

export function decodeProgInfo(b: Buffer, mapIds?: Buffer): ProgInfo {
  const r = new Reader(b);
  const type = r.u32();
  const id = r.u32();
  const tag = r.bytes(8).toString('hex');
  const nrMapIds = u32le(b, PROG_INFO_NR_MAP_IDS);
  const name = cname(b.subarray(64, 80));
  const ids: number[] = [];
  if (mapIds) for (let i = 0; i < Math.min(nrMapIds, mapIds.length / 4); i++) ids.push(u32le(mapIds, i * 4));
  return { type, id, tag, name, mapIds: ids };
}

export interface LinkInfo {
  type: number;
  id: number;
  progId: number;
  /** tcx and netkit links: the device (0 once the device is gone), and the hook. */
  ifindex: number;
  attachType: number;
}

export const LINK_INFO_SIZE = 64;

export function decodeLinkInfo(b: Buffer): LinkInfo {
  const r = new Reader(b);
  const type = r.u32();
  const id = r.u32();
  const progId = r.u32();
  r.skip(4);
  const ifindex = r.u32();
  const attachType = r.u32();
  return { type, id, progId, ifindex, attachType };
}
