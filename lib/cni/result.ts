// lib/cni/result: podlink's internal Result — the spec 1.1.0 shape without `cniVersion` — plus
// parseResult (any supported version in) and formatResult (any supported version out).
// Conversion itself lives in ./convert. May import: ./convert, ./errors, ./result-types, ./versions.
import { CniError, Code } from './errors.js';
import { isSupportedVersion, SUPPORTED_VERSIONS } from './versions.js';
import { convertWire, decodeWire, encodeWire } from './convert/registry.js';
import { ShapeError } from './convert/shape.js';
import type { Result } from './result-types.js';

export type { DNS, Interface, IPConfig, Result, Route } from './result-types.js';

/**
 * Parse a result (prevResult, an IPAM answer) given as JSON text, bytes or an already-parsed
 * object. Its own `cniVersion` decides the wire shape when it names a supported version;
 * otherwise `version` (the config's) does. Bad JSON or a bad shape → code 6 naming the field.
 */
export function parseResult(json: unknown, version: string): Result {
  let obj: unknown = json;
  if (typeof json === 'string' || Buffer.isBuffer(json)) {
    try {
      obj = JSON.parse(json.toString());
    } catch (e) {
      throw new CniError(Code.DecodeFailure, `error decoding result: ${(e as Error).message}`);
    }
  }
  const own = obj !== null && typeof obj === 'object' ? (obj as { cniVersion?: unknown }).cniVersion : undefined;
  let from = version;
  if (own !== undefined && own !== '') {
    if (!isSupportedVersion(own)) {
      throw new CniError(
        Code.IncompatibleVersion,
        'incompatible CNI versions',
        `result is ${JSON.stringify(own)}, plugin supports [${SUPPORTED_VERSIONS.join(' ')}]`,
      );
    }
    from = own;
  }
  if (!isSupportedVersion(from)) {
    throw new CniError(
      Code.IncompatibleVersion,
      'incompatible CNI versions',
      `result is ${JSON.stringify(from)}, plugin supports [${SUPPORTED_VERSIONS.join(' ')}]`,
    );
  }
  try {
    return convertWire(decodeWire(obj, from), from, '1.1.0') as Result;
  } catch (e) {
    if (e instanceof ShapeError) throw new CniError(Code.DecodeFailure, `invalid ${from} result: ${e.message}`);
    throw e;
  }
}

/** The wire object for `version`, with `cniVersion` first and set exactly to `version`. */
export function formatResult(result: Result, version: string): Record<string, unknown> {
  if (!isSupportedVersion(version)) {
    throw new CniError(
      Code.IncompatibleVersion,
      'incompatible CNI versions',
      `cannot write a result in ${JSON.stringify(version)}, plugin supports [${SUPPORTED_VERSIONS.join(' ')}]`,
    );
  }
  return { cniVersion: version, ...encodeWire(convertWire(result, '1.1.0', version), version) };
}

/** Re-express a result given in `from` (or its own cniVersion) in `to`. */
export function convertResult(json: unknown, from: string, to: string): Record<string, unknown> {
  return formatResult(parseResult(json, from), to);
}
