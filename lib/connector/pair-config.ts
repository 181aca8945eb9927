// What a device pair is made from and what it is: shared by link-pair.ts and the veth/netkit drivers.
import type { Link } from '../netlink/index.js';
import type { OperationalMode } from './mode.js';

/** Queues of each kind on both veth ends (docs/kernel.md#veth-queues). */
export const VETH_QUEUES = 1;

export interface LinkPairConfig {
  mode: OperationalMode;
  hostIfName: string;
  podIfName: string;
  podNetnsFd: number;
  mtu: number;
  hostMac: Buffer;
  podMac: Buffer;
  gsoMaxSize?: number;
  groMaxSize?: number;
  headroom?: number;
  tailroom?: number;
  /** netkit: the kernel keeps IFLA_NETKIT_SCRUB (6.13+). */
  scrubSupported: boolean;
  /** netkit: peer policy; drop (fail-closed) until the from-pod program is attached. */
  peerPolicy: 'drop' | 'forward';
}

export interface LinkPair {
  host: Link;
  pod: Link;
}
