// Host-side device names, derived again by DEL from (containerID, ifname): never random.
import { createHash } from 'node:crypto';

/** "pl" + 12 hex chars of sha256(containerID ":" ifname): 14 bytes, under IFNAMSIZ-1 (15). */
export function hostIfName(containerId: string, ifname: string): string {
  return `pl${createHash('sha256').update(`${containerId}:${ifname}`).digest('hex').slice(0, 12)}`;
}

/** A locally administered unicast MAC derived from a seed (stable across retries of the same ADD). */
export function derivedMac(seed: string): Buffer {
  const b = createHash('sha256').update(seed).digest().subarray(0, 6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return Buffer.from(b);
}
