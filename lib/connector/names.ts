// Host-side device names and MACs, derived from (containerID, ifname): never random. DEL derives the
// name again; the MACs are derived only by ADD (they are in the endpoint record).
import { sha256 } from '../util/sha256.js';

export interface AttachmentNames {
  /** "pl" + 12 hex chars: 14 bytes, under IFNAMSIZ-1 (15). */
  hostIfName: string;
  hostMac: Buffer;
  podMac: Buffer;
}

const digestOf = (containerId: string, ifname: string) => sha256(`${containerId}:${ifname}`);
const ifNameOf = (d: Buffer) => `pl${d.subarray(0, 6).toString('hex')}`;

/** A locally administered unicast MAC from 6 bytes of the digest. */
function macOf(d: Buffer, at: number): Buffer {
  const b = Buffer.from(d.subarray(at, at + 6));
  b[0] = (b[0]! & 0xfe) | 0x02;
  return b;
}

/** "pl" + the first 12 hex chars of sha256(containerID ":" ifname). */
export function hostIfName(containerId: string, ifname: string): string {
  return ifNameOf(digestOf(containerId, ifname));
}

/**
 * The host ifname and both MACs from one digest (bytes 0-5, 6-11 and 12-17): the same for every retry of
 * an ADD. One hash instead of three: in a CNI call V8 interprets it (lib/util/sha256.ts).
 */
export function attachmentNames(containerId: string, ifname: string): AttachmentNames {
  const d = digestOf(containerId, ifname);
  return { hostIfName: ifNameOf(d), hostMac: macOf(d, 6), podMac: macOf(d, 12) };
}
