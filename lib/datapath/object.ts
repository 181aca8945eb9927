// The podlink BPF object: its bytes (embedded by the bundler, or read from bpf-objects/ in
// development), its CollectionSpec, and the two hashes pins are versioned by:
//   objectHash  – the whole object: programs are pinned under progs/<objectHash>/
//   layoutHash  – only the shared maps' shapes: maps survive code-only upgrades (maps/<layoutHash>/)
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCollectionSpec, type CollectionSpec, type MapSpec } from '../bpf/index.js';

declare const __PODLINK_BPF_OBJECT_B64__: string | undefined;

export interface DatapathObject {
  bytes: Buffer;
  spec: CollectionSpec;
  objectHash: string;
  layoutHash: string;
  /** Maps pinned and shared by every program load (everything but .rodata/.data/.bss). */
  sharedMaps: MapSpec[];
}

export function datapathObjectBytes(): Buffer {
  if (typeof __PODLINK_BPF_OBJECT_B64__ === 'string') return Buffer.from(__PODLINK_BPF_OBJECT_B64__, 'base64');
  const file = process.env.PODLINK_BPF_OBJECT ?? fileURLToPath(new URL('../../bpf-objects/podlink.bpf.o', import.meta.url));
  return fs.readFileSync(file);
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex').slice(0, 16);

export function layoutHashOf(maps: MapSpec[]): string {
  const shapes = maps
    .map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags].join(':'))
    .sort();
  return sha(shapes.join('\n'));
}

export function describeObject(bytes: Buffer): DatapathObject {
  const spec = loadCollectionSpec(bytes);
  const sharedMaps = spec.maps.filter((m) => m.kind !== 'data');
  return { bytes, spec, objectHash: sha(bytes), layoutHash: layoutHashOf(sharedMaps), sharedMaps };
}

let cached: DatapathObject | undefined;

/** The object this build ships (parsed once per process). */
export function datapathObject(): DatapathObject {
  cached ??= describeObject(datapathObjectBytes());
  return cached;
}
