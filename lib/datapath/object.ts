// The podlink BPF object: its bytes (embedded by the bundler, or read from bpf-objects/ in
// development), its CollectionSpec, and the two hashes pins are versioned by:
//   objectHash  – the whole object: programs are pinned under progs/<objectHash>/
//   layoutHash  – only the shared maps' shapes: maps survive code-only upgrades (maps/<layoutHash>/)
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../util/sha256.js';
import { requiredSection, type TailSection } from '../util/executable-tail.js';
import { loadCollectionSpec, type CollectionSpec, type MapSpec } from '../bpf/index.js';

/** Where build.mjs appended the object to the executable. */
declare const __PODLINK_BPF_OBJECT_TAIL__: TailSection | undefined;
/** objectMeta() of the embedded object, computed by build.mjs: ADD then never parses the ELF. */
declare const __PODLINK_BPF_OBJECT_META__: string | undefined;

export interface DatapathObject {
  /** The ELF bytes and their parse: only loading programs needs them (lazy when built from meta). */
  readonly bytes: Buffer;
  readonly spec: CollectionSpec;
  objectHash: string;
  layoutHash: string;
  /** Maps pinned and shared by every program load (everything but .rodata/.data/.bss). */
  sharedMaps: MapSpec[];
  /** The maps each program references, by program name. */
  programMaps: Record<string, string[]>;
}

/** What opening the pins needs, JSON-safe (shared maps carry no contents). */
export type ObjectMeta = Pick<DatapathObject, 'objectHash' | 'layoutHash' | 'sharedMaps' | 'programMaps'>;

export function datapathObjectBytes(): Buffer {
  if (typeof __PODLINK_BPF_OBJECT_TAIL__ === 'object') return requiredSection(__PODLINK_BPF_OBJECT_TAIL__, __filename, 'BPF object');
  const file = process.env.PODLINK_BPF_OBJECT ?? fileURLToPath(new URL('../../bpf-objects/podlink.bpf.o', import.meta.url));
  return fs.readFileSync(file);
}

const sha = (s: string | Buffer) => sha256Hex(s).slice(0, 16);

export function layoutHashOf(maps: MapSpec[]): string {
  const shapes = maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags].join(':')).sort();
  return sha(shapes.join('\n'));
}

export function describeObject(bytes: Buffer): DatapathObject {
  const spec = loadCollectionSpec(bytes);
  const sharedMaps = spec.maps.filter((m) => m.kind !== 'data');
  const programMaps = Object.fromEntries(spec.programs.map((p) => [p.name, [...new Set(p.references.map((r) => r.map))]]));
  return { bytes, spec, objectHash: sha(bytes), layoutHash: layoutHashOf(sharedMaps), sharedMaps, programMaps };
}

export function objectMeta(o: DatapathObject): ObjectMeta {
  return { objectHash: o.objectHash, layoutHash: o.layoutHash, sharedMaps: o.sharedMaps, programMaps: o.programMaps };
}

/** The object from its meta; the bytes are fetched and parsed only if something asks for them. */
export function objectFromMeta(meta: ObjectMeta, bytes: () => Buffer): DatapathObject {
  let full: DatapathObject | undefined;
  const load = () => (full ??= describeObject(bytes()));
  return {
    ...meta,
    get bytes() {
      return load().bytes;
    },
    get spec() {
      return load().spec;
    },
  };
}

let cached: DatapathObject | undefined;

/** The object this build ships (its meta precomputed by the build; else parsed once per process). */
export function datapathObject(): DatapathObject {
  if (!cached) {
    cached =
      typeof __PODLINK_BPF_OBJECT_META__ === 'string'
        ? objectFromMeta(JSON.parse(__PODLINK_BPF_OBJECT_META__) as ObjectMeta, datapathObjectBytes)
        : describeObject(datapathObjectBytes());
  }
  return cached;
}
