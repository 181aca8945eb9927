// lib/cni/about: the text shown when the executable runs without CNI_COMMAND, and the VERSION
// answer. Pure. May import: ./versions.
import { isSupportedVersion, LATEST_VERSION, SUPPORTED_VERSIONS } from './versions.js';

/** For stderr when run with no CNI_COMMAND (the CLI prints it; optional per the spec). */
export function aboutText(pluginVersion?: string): string {
  const name = pluginVersion ? `podlink CNI plugin ${pluginVersion}` : 'podlink CNI plugin';
  return `${name}\nCNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`;
}

export interface VersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}

/**
 * The VERSION answer. stdin is optional: a supported `cniVersion` in it is echoed, anything else
 * (empty, garbage, unknown version) gets the newest version.
 */
export function versionInfo(stdin: Buffer | string | undefined): VersionInfo {
  let v: unknown;
  try {
    v = stdin && stdin.length ? (JSON.parse(stdin.toString()) as { cniVersion?: unknown })?.cniVersion : undefined;
  } catch {
    v = undefined;
  }
  return { cniVersion: isSupportedVersion(v) ? v : LATEST_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}
