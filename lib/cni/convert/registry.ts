// lib/cni/convert/registry: maps each supported version to its wire format and chains the small
// pure converters of ./legacy, ./v03 and ./modern to go from any version to any other.
// Formats, oldest first: legacy (0.1.0, 0.2.0) → v03 (0.3.0, 0.3.1, 0.4.0) → v10 (1.0.0) → v11 (1.1.0).
// May import: ./legacy, ./v03, ./modern, ../versions, ../result-types.
import type { Result } from '../result-types.js';
import type { CniVersion } from '../versions.js';
import { decodeLegacy, encodeLegacy, legacyToV03, v03ToLegacy, type LegacyResult } from './legacy.js';
import { decodeModern, encodeModern, v10ToV11, v11ToV10 } from './modern.js';
import { decodeV03, encodeV03, v03ToV10, v10ToV03, type V03Result } from './v03.js';

export type Format = 'legacy' | 'v03' | 'v10' | 'v11';
export type Wire = LegacyResult | V03Result | Result;

export const FORMAT_OF: Readonly<Record<CniVersion, Format>> = {
  '0.1.0': 'legacy',
  '0.2.0': 'legacy',
  '0.3.0': 'v03',
  '0.3.1': 'v03',
  '0.4.0': 'v03',
  '1.0.0': 'v10',
  '1.1.0': 'v11',
};

const ORDER: readonly Format[] = ['legacy', 'v03', 'v10', 'v11'];

interface Codec {
  decode(v: unknown): Wire;
  encode(w: Wire): Record<string, unknown>;
}

const CODECS: Readonly<Record<Format, Codec>> = {
  legacy: { decode: decodeLegacy, encode: (w) => encodeLegacy(w as LegacyResult) },
  v03: { decode: decodeV03, encode: (w) => encodeV03(w as V03Result) },
  v10: { decode: (v) => decodeModern(v, false), encode: (w) => encodeModern(w as Result, false) },
  v11: { decode: (v) => decodeModern(v, true), encode: (w) => encodeModern(w as Result, true) },
};

/** One step to the next newer format, keyed by the source format. */
const UP: Readonly<Partial<Record<Format, (w: Wire) => Wire>>> = {
  legacy: (w) => legacyToV03(w as LegacyResult),
  v03: (w) => v03ToV10(w as V03Result),
  v10: (w) => v10ToV11(w as Result),
};

/** One step to the next older format, keyed by the source format. */
const DOWN: Readonly<Partial<Record<Format, (w: Wire) => Wire>>> = {
  v11: (w) => v11ToV10(w as Result),
  v10: (w) => v10ToV03(w as Result),
  v03: (w) => v03ToLegacy(w as V03Result),
};

/** Validate an untrusted result object in `version`'s shape (throws ShapeError). */
export function decodeWire(v: unknown, version: CniVersion): Wire {
  return CODECS[FORMAT_OF[version]].decode(v);
}

/** Convert a decoded wire object from one version's format to another's, one step at a time. */
export function convertWire(w: Wire, from: CniVersion, to: CniVersion): Wire {
  let at = ORDER.indexOf(FORMAT_OF[from]);
  const target = ORDER.indexOf(FORMAT_OF[to]);
  while (at !== target) {
    const step = at < target ? UP[ORDER[at]!] : DOWN[ORDER[at]!];
    w = step!(w);
    at += at < target ? 1 : -1;
  }
  return w;
}

/** The JSON-ready object (without cniVersion) in the reference key order. */
export function encodeWire(w: Wire, version: CniVersion): Record<string, unknown> {
  return CODECS[FORMAT_OF[version]].encode(w);
}
