// Host-side device names, derived again by DEL from (containerID, ifname): never random.
import { sha256, sha256Hex } from '../util/sha256.js';

/** "pl" + 12 hex chars of sha256(containerID ":" ifname): 14 bytes, under IFNAMSIZ-1 (15). */
export function hostIfName(containerId: string, ifname: string): string {
  return `pl${sha256Hex(`${containerId}:${ifname}`).slice(0, 12)}`;
}

/** A locally administered unicast MAC derived from a seed (stable across retries of the same ADD). */
export function derivedMac(seed: string): Buffer {
  const b = sha256(seed).subarray(0, 6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return Buffer.from(b);
}
