// Minimal BTF reader: just enough of .BTF to read BTF-style map definitions from DATASEC ".maps".
// Nothing is uploaded to the kernel. Layout: include/uapi/linux/btf.h (docs/kernel.md#elf-objects). Pure.
import { Reader } from '../codec/index.js';
import { BpfError } from './errors.js';

export const BTF_KIND_INT = 1;
export const BTF_KIND_PTR = 2;
export const BTF_KIND_ARRAY = 3;
export const BTF_KIND_STRUCT = 4;
export const BTF_KIND_UNION = 5;
export const BTF_KIND_ENUM = 6;
export const BTF_KIND_FWD = 7;
export const BTF_KIND_TYPEDEF = 8;
export const BTF_KIND_VOLATILE = 9;
export const BTF_KIND_CONST = 10;
export const BTF_KIND_RESTRICT = 11;
export const BTF_KIND_FUNC = 12;
export const BTF_KIND_FUNC_PROTO = 13;
export const BTF_KIND_VAR = 14;
export const BTF_KIND_DATASEC = 15;
export const BTF_KIND_FLOAT = 16;
export const BTF_KIND_DECL_TAG = 17;
export const BTF_KIND_TYPE_TAG = 18;
export const BTF_KIND_ENUM64 = 19;

export interface BtfMember {
  name: string;
  type: number;
  /** STRUCT/UNION: bit offset; DATASEC: byte offset. */
  offset: number;
  /** DATASEC only. */
  size?: number;
}

export interface BtfType {
  id: number;
  kind: number;
  name: string;
  /** size for INT/STRUCT/UNION/ENUM/ENUM64/DATASEC/FLOAT, referenced type id otherwise. */
  sizeOrType: number;
  members: BtfMember[];
  /** ARRAY only. */
  array?: { type: number; nelems: number };
}

export interface Btf {
  types: BtfType[]; // index = type id; 0 is void
  byId(id: number): BtfType;
  /** Follows TYPEDEF/VOLATILE/CONST/RESTRICT/TYPE_TAG to the underlying type. */
  skipQualifiers(id: number): BtfType;
  sizeOf(id: number): number;
  datasec(name: string): BtfType | undefined;
}

function fail(detail: string): never {
  throw new BpfError('parse BTF', detail);
}

const QUALIFIERS = new Set([BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE, BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_TYPE_TAG]);
const SIZED = new Set([BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_DATASEC, BTF_KIND_FLOAT]);

export function parseBtf(buf: Buffer): Btf {
  if (buf.length < 24) fail('truncated header');
  if (buf.readUInt16LE(0) !== 0xeb9f) fail('bad magic (big-endian BTF is not supported)');
  const hdrLen = buf.readUInt32LE(4);
  const typeOff = buf.readUInt32LE(8);
  const typeLen = buf.readUInt32LE(12);
  const strOff = buf.readUInt32LE(16);
  const strLen = buf.readUInt32LE(20);
  const strings = buf.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (strings.length !== strLen) fail('string section out of bounds');
  const str = (off: number) => {
    if (off >= strings.length) fail(`string offset ${off} out of bounds`);
    const end = strings.indexOf(0, off);
    return strings.subarray(off, end < 0 ? strings.length : end).toString('utf8');
  };

  const types: BtfType[] = [{ id: 0, kind: 0, name: 'void', sizeOrType: 0, members: [] }];
  const r = new Reader(buf, hdrLen + typeOff, hdrLen + typeOff + typeLen);
  while (r.remaining > 0) {
    const id = types.length;
    const name = str(r.u32());
    const info = r.u32();
    const sizeOrType = r.u32();
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const t: BtfType = { id, kind, name, sizeOrType, members: [] };
    switch (kind) {
      case BTF_KIND_INT:
      case BTF_KIND_VAR:
      case BTF_KIND_DECL_TAG:
        r.skip(4);
        break;
      case BTF_KIND_ARRAY: {
        const type = r.u32();
        r.u32(); // index_type
        t.array = { type, nelems: r.u32() };
        break;
      }
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        for (let i = 0; i < vlen; i++) t.members.push({ name: str(r.u32()), type: r.u32(), offset: r.u32() });
        break;
      case BTF_KIND_DATASEC:
        for (let i = 0; i < vlen; i++) {
          const type = r.u32();
          const offset = r.u32();
          t.members.push({ name: '', type, offset, size: r.u32() });
        }
        break;
      case BTF_KIND_ENUM:
      case BTF_KIND_FUNC_PROTO:
        r.skip(8 * vlen);
        break;
      case BTF_KIND_ENUM64:
        r.skip(12 * vlen);
        break;
      case BTF_KIND_PTR:
      case BTF_KIND_FWD:
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_FUNC:
      case BTF_KIND_FLOAT:
      case BTF_KIND_TYPE_TAG:
        break;
      default:
        fail(`unknown BTF kind ${kind} (type ${id})`);
    }
    types.push(t);
  }

  const byId = (id: number): BtfType => types[id] ?? fail(`type id ${id} out of range`);
  const skipQualifiers = (id: number): BtfType => {
    let t = byId(id);
    for (let depth = 0; QUALIFIERS.has(t.kind); depth++) {
      if (depth > 32) fail(`qualifier loop at type ${id}`);
      t = byId(t.sizeOrType);
    }
    return t;
  };
  const sizeOf = (id: number): number => {
    const t = skipQualifiers(id);
    if (SIZED.has(t.kind)) return t.sizeOrType;
    if (t.kind === BTF_KIND_PTR) return 8;
    if (t.kind === BTF_KIND_ARRAY && t.array) return t.array.nelems * sizeOf(t.array.type);
    return fail(`type ${id} (kind ${t.kind}) has no size`);
  };
  return {
    types,
    byId,
    skipQualifiers,
    sizeOf,
    datasec: (name: string) => types.find((t) => t.kind === BTF_KIND_DATASEC && t.name === name),
  };
}

export interface BtfMapDef {
  name: string;
  type?: number;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  flags?: number;
  pinning?: number;
}

/**
 * Map definitions from DATASEC ".maps": each VAR is a struct whose members encode the settings as
 * pointers: `__uint(x, N)` = `int (*x)[N]` (pointer to array of N), `__type(x, T)` = `T *x`.
 */
export function btfMapDefinitions(btf: Btf): BtfMapDef[] {
  const sec = btf.datasec('.maps');
  if (!sec) return [];
  return sec.members.map((m) => {
    const v = btf.byId(m.type);
    if (v.kind !== BTF_KIND_VAR) fail(`.maps entry ${m.type} is not a VAR`);
    const def = btf.skipQualifiers(v.sizeOrType);
    if (def.kind !== BTF_KIND_STRUCT) fail(`map ${v.name}: definition is not a struct`);
    const out: BtfMapDef = { name: v.name };
    for (const f of def.members) {
      const ptr = btf.skipQualifiers(f.type);
      if (ptr.kind !== BTF_KIND_PTR) fail(`map ${v.name}: member ${f.name} is not a pointer`);
      const uint = () => {
        const arr = btf.skipQualifiers(ptr.sizeOrType);
        if (arr.kind !== BTF_KIND_ARRAY || !arr.array) fail(`map ${v.name}: ${f.name} is not __uint()`);
        return arr.array.nelems;
      };
      switch (f.name) {
        case 'type':
          out.type = uint();
          break;
        case 'max_entries':
          out.maxEntries = uint();
          break;
        case 'map_flags':
          out.flags = uint();
          break;
        case 'key_size':
          out.keySize = uint();
          break;
        case 'value_size':
          out.valueSize = uint();
          break;
        case 'pinning':
          out.pinning = uint();
          break;
        case 'key':
          out.keySize = btf.sizeOf(ptr.sizeOrType);
          break;
        case 'value':
          out.valueSize = btf.sizeOf(ptr.sizeOrType);
          break;
        default:
          fail(`map ${v.name}: unsupported map definition field ${f.name}`);
      }
    }
    return out;
  });
}
