// BpfMap: a live map (an fd). Create from a MapSpec, open a pin with a compatibility check, and
// read/write elements. Per-CPU maps take and return one value slot per possible CPU.
// May import: lib/sys, ./syscalls, ./spec, ./errors.
import type { Sys } from '../sys/index.js';
import { E } from '../sys/index.js';
import type { MapInfo } from './attr.js';
import * as K from './consts.js';
import { possibleCpus, roundUp8 } from './cpus.js';
import { BpfError, bpfStep } from './errors.js';
import { bpfFdKind } from './fdkind.js';
import type { MapSpec } from './spec.js';
import * as S from './syscalls.js';

export interface MapShape {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
}

const SHAPE_FIELDS = ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const;

/** Differences between what we expect and what a map is, in words (empty = compatible). */
export function mapIncompatibilities(want: MapShape, have: MapShape): string[] {
  return SHAPE_FIELDS.filter((f) => want[f] !== have[f]).map((f) => `${f} ${have[f]} (want ${want[f]})`);
}

const pinHint = (errno: number) =>
  errno === E.EEXIST ? 'a pin already exists at that path' : errno === E.EPERM ? 'the path is not on a bpffs mount' : undefined;

export class BpfMap {
  private closed = false;

  constructor(
    private readonly sys: Sys,
    readonly fd: number,
    readonly name: string,
    readonly shape: MapShape,
  ) {}

  /** Creates the map, writes spec.contents and freezes it if the spec says so. */
  static create(sys: Sys, spec: MapSpec): BpfMap {
    const step = `create map ${spec.name}`;
    const fd = bpfStep(step, () =>
      S.mapCreate(sys, {
        mapType: spec.type,
        keySize: spec.keySize,
        valueSize: spec.valueSize,
        maxEntries: spec.maxEntries,
        mapFlags: spec.flags,
        name: spec.name,
      }),
    );
    const m = new BpfMap(sys, fd, spec.name, spec);
    try {
      for (const c of spec.contents ?? []) m.update(c.key, c.value);
      if (spec.freeze) bpfStep(`freeze map ${spec.name}`, () => S.mapFreeze(sys, fd));
    } catch (e) {
      m.close();
      throw e;
    }
    return m;
  }

  /** OBJ_GET a pinned map; with `expect`, refuses a map of another shape (type/key/value/max/flags). */
  static openPinned(sys: Sys, path: string, expect?: MapShape): BpfMap {
    const fd = bpfStep(`open pinned map ${path}`, () => S.objGet(sys, path));
    try {
      const kind = bpfFdKind(fd);
      if (kind !== 'map' && kind !== 'unknown') throw new BpfError(`open pinned map ${path}`, `pin is a bpf ${kind}, not a map`);
      const info = bpfStep(`read info of map ${path}`, () => S.mapInfo(sys, fd));
      if (expect) {
        const diff = mapIncompatibilities(expect, info);
        if (diff.length > 0) {
          throw new BpfError(`open pinned map ${path}`, `incompatible: ${diff.join(', ')}`, {
            hint: 'the pinned map was created by another object version; remove it to recreate',
          });
        }
      }
      return new BpfMap(sys, fd, info.name, info);
    } catch (e) {
      sys.close(fd);
      throw e;
    }
  }

  get perCpu(): boolean {
    return K.isPerCpuMapType(this.shape.type);
  }

  /** Size of the value buffer the kernel reads/writes: per-CPU maps use one 8-aligned slot per CPU. */
  get valueBufferSize(): number {
    return this.perCpu ? roundUp8(this.shape.valueSize) * possibleCpus() : this.shape.valueSize;
  }

  private checkKey(key: Buffer, op: string): void {
    if (key.length !== this.shape.keySize) {
      throw new BpfError(`${op} map ${this.name}`, `key is ${key.length} bytes, map wants ${this.shape.keySize}`);
    }
  }

  lookup(key: Buffer): Buffer | undefined {
    this.checkKey(key, 'lookup in');
    const value = Buffer.alloc(this.valueBufferSize);
    const found = bpfStep(`lookup in map ${this.name}`, () => S.mapLookup(this.sys, this.fd, key, value));
    return found ? value : undefined;
  }

  /** Per-CPU maps: the value of each possible CPU. */
  lookupPerCpu(key: Buffer): Buffer[] | undefined {
    const raw = this.lookup(key);
    if (!raw || !this.perCpu) return raw ? [raw] : undefined;
    const slot = roundUp8(this.shape.valueSize);
    return Array.from({ length: raw.length / slot }, (_, i) => raw.subarray(i * slot, i * slot + this.shape.valueSize));
  }

  /** flags: BPF_ANY (default), BPF_NOEXIST, BPF_EXIST. Per-CPU maps: a single value is copied to every CPU. */
  update(key: Buffer, value: Buffer, flags: number = K.BPF_ANY): void {
    this.checkKey(key, 'update');
    let v = value;
    if (this.perCpu && value.length === this.shape.valueSize) {
      const slot = roundUp8(this.shape.valueSize);
      v = Buffer.alloc(this.valueBufferSize);
      for (let off = 0; off < v.length; off += slot) value.copy(v, off);
    }
    if (v.length !== this.valueBufferSize) {
      throw new BpfError(`update map ${this.name}`, `value is ${v.length} bytes, map wants ${this.valueBufferSize}`);
    }
    bpfStep(`update map ${this.name}`, () => S.mapUpdate(this.sys, this.fd, key, v, flags));
  }

  /** Returns false if the key was not there. */
  delete(key: Buffer): boolean {
    this.checkKey(key, 'delete from');
    return bpfStep(`delete from map ${this.name}`, () => S.mapDelete(this.sys, this.fd, key));
  }

  /** All keys (a snapshot walk with GET_NEXT_KEY; concurrent deletes may restart it from the top). */
  *keys(): Generator<Buffer> {
    let prev: Buffer | undefined;
    for (let n = 0; n <= this.shape.maxEntries + 1; n++) {
      const next = Buffer.alloc(this.shape.keySize);
      const more = bpfStep(`iterate map ${this.name}`, () => S.mapNextKey(this.sys, this.fd, prev, next));
      if (!more) return;
      yield next;
      prev = next;
    }
  }

  *entries(): Generator<[Buffer, Buffer]> {
    for (const k of this.keys()) {
      const v = this.lookup(k);
      if (v) yield [k, v];
    }
  }

  pin(path: string): void {
    bpfStep(`pin map ${this.name} at ${path}`, () => S.objPin(this.sys, this.fd, path), pinHint);
  }

  info(): MapInfo {
    return bpfStep(`read info of map ${this.name}`, () => S.mapInfo(this.sys, this.fd));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }
}
