// lib/cni/versions: the CNI spec versions podlink speaks and how to compare them.
// May import: nothing.

/** Every version podlink reads configs/prevResults in and writes results in, oldest first. */
export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The newest version; used when nothing tells us which version the caller speaks. */
export const LATEST_VERSION: CniVersion = '1.1.0';

/** A config without `cniVersion` is a legacy config; the reference decoder treats it as 0.1.0. */
export const DEFAULT_CONFIG_VERSION: CniVersion = '0.1.0';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function isSupportedVersion(v: unknown): v is CniVersion {
  return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** Parse "MAJOR.MINOR.PATCH"; undefined for anything else (no pre-release tags in CNI). */
export function parseVersion(v: string): [number, number, number] | undefined {
  const m = SEMVER.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** -1, 0 or 1 like a sort comparator. Throws TypeError on a malformed version (a programming error). */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) throw new TypeError(`malformed CNI version: ${!pa ? a : b}`);
  for (let i = 0; i < 3; i++) {
    if (pa[i]! !== pb[i]!) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return 0;
}

/** True when `v` is `min` or newer. */
export function versionAtLeast(v: string, min: string): boolean {
  return compareVersions(v, min) >= 0;
}
