// lib/cni/about: the VERSION answer, for the dispatcher and the executable's fast path alike.
// May import: ./versions.
import { isSupportedVersion, LATEST_VERSION, SUPPORTED_VERSIONS } from './versions.js';

export interface VersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}

/**
 * The VERSION answer. stdin is optional: a supported `cniVersion` in it is echoed, anything else
 * (unreadable, empty, garbage, unknown version) gets the newest version.
 */
export async function answerVersion(readStdin: () => Buffer | undefined | Promise<Buffer | undefined>): Promise<VersionInfo> {
  let v: unknown;
  try {
    const stdin = await readStdin();
    v = stdin && stdin.length ? (JSON.parse(stdin.toString()) as { cniVersion?: unknown })?.cniVersion : undefined;
  } catch {
    v = undefined;
  }
  return { cniVersion: isSupportedVersion(v) ? v : LATEST_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}
