// lib/cni/convert/shape: small typed readers that validate untrusted JSON while decoding a result,
// throwing ShapeError with the JSON path of the offending field. Pure. May import: ../ip.
import { cidrFamily, ipFamily } from '../ip.js';

/** A result field has the wrong type or value. `path` is like "ips[0].address". */
export class ShapeError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(path ? `${path} ${problem}` : problem);
    this.name = 'ShapeError';
    this.path = path;
  }
}

export type Obj = Record<string, unknown>;

export function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

export function object(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ShapeError(path, `must be an object, got ${describe(v)}`);
  return v as Obj;
}

/** An optional list; absent or null reads as empty. */
export function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ShapeError(path, `must be a list, got ${describe(v)}`);
  return v;
}

export function optString(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ShapeError(join(path, key), `must be a string, got ${describe(v)}`);
  return v;
}

export function reqString(o: Obj, key: string, path: string): string {
  const v = optString(o, key, path);
  if (v === undefined || v === '') throw new ShapeError(join(path, key), 'is required');
  return v;
}

export function optInt(o: Obj, key: string, path: string, min = -(2 ** 31), max = 2 ** 32 - 1): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ShapeError(join(path, key), `must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

export function optStrings(o: Obj, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return list(v, join(path, key)).map((s, i) => {
    if (typeof s !== 'string') throw new ShapeError(join(join(path, key), i), `must be a string, got ${describe(s)}`);
    return s;
  });
}

/** A required CIDR ("10.0.0.5/24"); returns it unchanged plus its family. */
export function reqCidr(o: Obj, key: string, path: string): { value: string; family: 4 | 6 } {
  const value = reqString(o, key, path);
  const family = cidrFamily(value);
  if (family === 0) throw new ShapeError(join(path, key), `must be an address in CIDR notation, got ${JSON.stringify(value)}`);
  return { value, family };
}

/** An optional plain IP address (gateway); an empty string counts as absent. */
export function optIp(o: Obj, key: string, path: string): string | undefined {
  const value = optString(o, key, path);
  if (value === undefined || value === '') return undefined;
  if (ipFamily(value) === 0) throw new ShapeError(join(path, key), `must be an IP address, got ${JSON.stringify(value)}`);
  return value;
}

/** Copy only the defined entries of `o`, in its key order (keeps `undefined` out of the JSON). */
export function compact<T extends object>(o: T): T {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
