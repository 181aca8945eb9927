// Thin bpf(2) bindings: allocate the attr and the buffers its pointers refer to, call, decode.
// They throw BpfErrno (an Errno); the object layer above names the step (BpfError).
// May import: lib/sys, lib/codec, ./attr, ./consts, ./errors.
import { putU32le, putU64le, u32le, u64le } from '../codec/index.js';
import { E, asLayerErrno, cstr, isErrno, type Sys } from '../sys/index.js';
import * as A from './attr.js';
import * as K from './consts.js';
import { BpfErrno } from './errors.js';

/**
 * Keeps buffers referenced until the syscall returns (their addresses are inside the attr). `quiet`: the
 * errno the caller expects, returned negated instead of thrown (lib/sys's bpf); 0 for none.
 */
function callQuiet(sys: Sys, cmd: number, attr: Buffer, quiet: number, ..._keepAlive: Buffer[]): number {
  try {
    return sys.bpf(cmd, attr, quiet);
  } catch (e) {
    throw asLayerErrno(BpfErrno, e);
  }
}

function call(sys: Sys, cmd: number, attr: Buffer, ...keepAlive: Buffer[]): number {
  return callQuiet(sys, cmd, attr, 0, ...keepAlive);
}

/** call, for a command whose ENOENT the caller expects (no such key, no next key): false then, and no error object made. */
function callOrAbsent(sys: Sys, cmd: number, attr: Buffer, ...keepAlive: Buffer[]): boolean {
  return callQuiet(sys, cmd, attr, E.ENOENT, ...keepAlive) !== -E.ENOENT;
}

export function mapCreate(sys: Sys, a: A.MapCreateAttr): number {
  return call(sys, K.BPF_MAP_CREATE, A.encodeMapCreate(a));
}

/** Fills `value` and returns true, or returns false on ENOENT. */
export function mapLookup(sys: Sys, fd: number, key: Buffer, value: Buffer): boolean {
  return callOrAbsent(sys, K.BPF_MAP_LOOKUP_ELEM, A.encodeMapElem(fd, sys.address(key), sys.address(value)), key, value);
}

export function mapUpdate(sys: Sys, fd: number, key: Buffer, value: Buffer, flags: number): void {
  call(sys, K.BPF_MAP_UPDATE_ELEM, A.encodeMapElem(fd, sys.address(key), sys.address(value), flags), key, value);
}

/** Returns false on ENOENT. */
export function mapDelete(sys: Sys, fd: number, key: Buffer): boolean {
  return callOrAbsent(sys, K.BPF_MAP_DELETE_ELEM, A.encodeMapElem(fd, sys.address(key), 0n), key);
}

/** The key after `key` (undefined = first key) into `next`; false at the end (ENOENT). */
export function mapNextKey(sys: Sys, fd: number, key: Buffer | undefined, next: Buffer): boolean {
  const k = key ? sys.address(key) : 0n;
  return callOrAbsent(sys, K.BPF_MAP_GET_NEXT_KEY, A.encodeMapElem(fd, k, sys.address(next)), ...(key ? [key, next] : [next]));
}

export function mapFreeze(sys: Sys, fd: number): void {
  call(sys, K.BPF_MAP_FREEZE, A.encodeFd(fd));
}

export interface ProgLoadRequest {
  progType: number;
  insns: Buffer;
  license: string;
  name: string;
  expectedAttachType: number;
  logLevel: number;
  /** Verifier log buffer when logLevel > 0. */
  log?: Buffer;
}

/**
 * The verifier gives up with EAGAIN when a signal is pending (`signal_pending()` in do_check(),
 * kernel/bpf/verifier.c), so a load is tried again that many times; cilium/ebpf retries the same way.
 * Bounded: a steady stream of signals (a sampling profiler) would otherwise never let it finish.
 */
export const PROG_LOAD_EAGAIN_TRIES = 20;

/** PROG_LOAD. On failure the thrown Errno gets `logTrueSize` (6.4+) when the kernel reported it. */
export function progLoad(sys: Sys, r: ProgLoadRequest): number {
  for (let tries = 1; ; tries++) {
    try {
      return progLoadOnce(sys, r);
    } catch (e) {
      if (!isErrno(e, E.EAGAIN) || tries >= PROG_LOAD_EAGAIN_TRIES) throw e;
    }
  }
}

function progLoadOnce(sys: Sys, r: ProgLoadRequest): number {
  const license = cstr(r.license);
  const log = r.logLevel > 0 ? r.log : undefined;
  if (log) log.fill(0);
  const attr = A.encodeProgLoad({
    progType: r.progType,
    insnCnt: r.insns.length / 8,
    insns: sys.address(r.insns),
    license: sys.address(license),
    logLevel: log ? r.logLevel : 0,
    logSize: log ? log.length : 0,
    logBuf: log ? sys.address(log) : 0n,
    name: r.name,
    expectedAttachType: r.expectedAttachType,
  });
  try {
    return call(sys, K.BPF_PROG_LOAD, attr, r.insns, license, ...(log ? [log] : []));
  } catch (e) {
    const trueSize = u32le(attr, A.PROG_LOAD_LOG_TRUE_SIZE);
    if (trueSize > 0 && e && typeof e === 'object') Object.assign(e, { logTrueSize: trueSize });
    throw e;
  }
}

export function objPin(sys: Sys, fd: number, path: string): void {
  const p = cstr(path);
  call(sys, K.BPF_OBJ_PIN, A.encodeObjPath(sys.address(p), fd), p);
}

export function objGet(sys: Sys, path: string, fileFlags = 0): number {
  const p = cstr(path);
  return call(sys, K.BPF_OBJ_GET, A.encodeObjPath(sys.address(p), 0, fileFlags), p);
}

/** OBJ_GET_INFO_BY_FD into a zeroed buffer of `size` bytes; `prefill` may set input fields (e.g. map_ids). */
export function objInfo(sys: Sys, fd: number, size: number, prefill?: (info: Buffer) => Buffer[]): Buffer {
  const info = Buffer.alloc(size);
  const keep = prefill ? prefill(info) : [];
  call(sys, K.BPF_OBJ_GET_INFO_BY_FD, A.encodeObjInfo(fd, size, sys.address(info)), info, ...keep);
  return info;
}

export function mapInfo(sys: Sys, fd: number): A.MapInfo {
  return A.decodeMapInfo(objInfo(sys, fd, A.MAP_INFO_SIZE));
}

/** PROG_TEST_RUN, once: the program's return value and the packet and context it left. */
export function progTestRun(sys: Sys, fd: number, data: Buffer, ctx?: Buffer): { retval: number; data: Buffer; ctx?: Buffer } {
  const dataOut = Buffer.alloc(data.length + 256); // room for a program that grows the packet
  const ctxOut = ctx ? Buffer.alloc(ctx.length) : undefined;
  const attr = A.encodeProgTestRun({
    progFd: fd,
    dataIn: sys.address(data),
    dataSizeIn: data.length,
    dataOut: sys.address(dataOut),
    dataSizeOut: dataOut.length,
    ctxIn: ctx ? sys.address(ctx) : 0n,
    ctxSizeIn: ctx?.length ?? 0,
    ctxOut: ctxOut ? sys.address(ctxOut) : 0n,
    ctxSizeOut: ctxOut?.length ?? 0,
  });
  call(sys, K.BPF_PROG_TEST_RUN, attr, data, dataOut, ...(ctx && ctxOut ? [ctx, ctxOut] : []));
  const out = A.decodeProgTestRun(attr);
  return { retval: out.retval, data: dataOut.subarray(0, out.dataSizeOut), ctx: ctxOut?.subarray(0, out.ctxSizeOut) };
}

export function progInfo(sys: Sys, fd: number, maxMapIds = 64): A.ProgInfo {
  const ids = Buffer.alloc(maxMapIds * 4);
  const info = objInfo(sys, fd, A.PROG_INFO_SIZE, (b) => {
    putU32le(b, A.PROG_INFO_NR_MAP_IDS, maxMapIds);
    putU64le(b, A.PROG_INFO_MAP_IDS, sys.address(ids));
    return [ids];
  });
  return A.decodeProgInfo(info, ids);
}

export function linkInfo(sys: Sys, fd: number): A.LinkInfo {
  return A.decodeLinkInfo(objInfo(sys, fd, A.LINK_INFO_SIZE));
}

export function getFdById(sys: Sys, cmd: number, id: number): number {
  return call(sys, cmd, A.encodeGetFdById(id));
}

export function linkCreate(sys: Sys, a: A.LinkCreateAttr): number {
  return call(sys, K.BPF_LINK_CREATE, A.encodeLinkCreate(a));
}

export function linkUpdate(sys: Sys, linkFd: number, newProgFd: number, oldProgFd?: number): void {
  call(sys, K.BPF_LINK_UPDATE, A.encodeLinkUpdate(linkFd, newProgFd, oldProgFd ? K.BPF_F_REPLACE : 0, oldProgFd ?? 0));
}

export function linkDetach(sys: Sys, linkFd: number): void {
  call(sys, K.BPF_LINK_DETACH, A.encodeFd(linkFd));
}

export interface QueryResult {
  revision: bigint;
  programIds: number[];
  linkIds: number[];
}

/** PROG_QUERY for an mprog hook (tcx / netkit): the attached programs in order, and their links (0 = none). */
export function progQuery(sys: Sys, ifindex: number, attachType: number): QueryResult {
  const max = K.BPF_MPROG_MAX;
  const progIds = Buffer.alloc(max * 4);
  const linkIds = Buffer.alloc(max * 4);
  const attr = A.encodeProgQuery({
    targetIfindex: ifindex,
    attachType,
    progIds: sys.address(progIds),
    count: max,
    linkIds: sys.address(linkIds),
  });
  call(sys, K.BPF_PROG_QUERY, attr, progIds, linkIds);
  const count = u32le(attr, A.PROG_QUERY_COUNT);
  const ids = (b: Buffer) => Array.from({ length: Math.min(count, max) }, (_, i) => u32le(b, i * 4));
  return { revision: u64le(attr, A.PROG_QUERY_REVISION), programIds: ids(progIds), linkIds: ids(linkIds) };
}
