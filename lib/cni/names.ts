// lib/cni/names: validity rules for the identifiers CNI hands us (container ID, network name,
// interface name). Each check returns a reason string or undefined. Pure. May import: nothing.

/** CNI_CONTAINERID and the network `name` (SPEC §1, §2 "Parameters"). */
export const ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$/;

/**
 * Longest container ID accepted. Runtimes use 64 hex characters; 200 leaves room for
 * `<containerID>:<ifname>.cbor` (≤ 15-byte ifname) inside a 255-byte file name.
 */
export const MAX_CONTAINER_ID = 200;

/** IFNAMSIZ (16) minus the terminating NUL. */
export const MAX_IFNAME_BYTES = 15;

export function containerIdProblem(id: string): string | undefined {
  if (id.length > MAX_CONTAINER_ID) return `is longer than ${MAX_CONTAINER_ID} characters`;
  if (!ID_PATTERN.test(id)) return `must match ${ID_PATTERN.source}`;
  return undefined;
}

/** The kernel's rules for a link name, as the reference code enforces them. */
export function ifnameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (Buffer.byteLength(name) > MAX_IFNAME_BYTES) return `is longer than ${MAX_IFNAME_BYTES} bytes`;
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (/[/:\s\0]/u.test(name)) return 'must not contain "/", ":", whitespace or NUL';
  return undefined;
}
