// The node's VXLAN device (docs/architecture.md#the-tunnel): one external (collect-metadata) device,
// kept by the agent while routing is not native. The programs name VNI and remote per packet, so the
// device holds no FDB and learns nothing. IFF_NOARP: the stack's neighbour for any destination on it is
// the device's own MAC (no ARP into a device that cannot carry it). A decapsulated frame therefore
// carries the sender's MAC as destination, and from-tunnel makes it PACKET_HOST. The MACs must differ
// per node: vxlan_rcv drops a frame whose source MAC is the receiving device's own (a loop guard).
import * as NL from '../netlink/constants.js';
import { type Link, type Netlink } from '../netlink/index.js';

export const TUNNEL_DEVICE = 'podlink_vxlan';
/** One VNI for the cluster: podlink runs one network per node. */
export const TUNNEL_VNI = 1;
/** The Linux kernel's (and Cilium's, flannel's) VXLAN port; IANA's 4789 is the alternative. */
export const DEFAULT_TUNNEL_PORT = 8472;

export interface TunnelDeviceSpec {
  port: number;
  mtu: number;
}

/** What differs between the device the kernel holds and the spec (up or down aside); empty when it matches. */
export function tunnelDeviceDrift(l: Link, s: TunnelDeviceSpec): string[] {
  const out: string[] = [];
  if (l.kind !== 'vxlan') out.push(`kind ${l.kind ?? 'none'}, not vxlan`);
  else {
    if (!l.vxlan?.external) out.push('not external (collect-metadata)');
    if (l.vxlan?.port !== s.port) out.push(`port ${l.vxlan?.port}, not ${s.port}`);
  }
  if (l.mtu !== s.mtu) out.push(`mtu ${l.mtu}, not ${s.mtu}`);
  if (!(l.flags & NL.IFF_NOARP)) out.push('ARP on');
  return out;
}

export interface TunnelDeviceResult {
  ifindex: number;
  mac: string;
  /** What was done, for the log: created, recreated (why), adjusted (what), or nothing. */
  action?: string;
}

/**
 * Brings the device to the spec: creates it, fixes MTU/flags in place, and re-creates it when kind, port
 * or mode differ (the kernel cannot change those on a live vxlan device).
 */
export function ensureTunnelDevice(nl: Netlink, s: TunnelDeviceSpec): TunnelDeviceResult {
  const have = nl.linkByName(TUNNEL_DEVICE);
  if (have) {
    const drift = tunnelDeviceDrift(have, s);
    if (!drift.length) return { ifindex: have.index, mac: have.mac ?? '' };
    if (drift.every((d) => /^(mtu|ARP)/.test(d))) {
      nl.setLink(have.index, TUNNEL_DEVICE, { mtu: s.mtu, noarp: true });
      return { ifindex: have.index, mac: have.mac ?? '', action: `adjusted ${TUNNEL_DEVICE}: ${drift.join(', ')}` };
    }
    nl.deleteLink(have.index, TUNNEL_DEVICE);
    return { ...create(nl, s), action: `recreated ${TUNNEL_DEVICE}: ${drift.join(', ')}` };
  }
  return { ...create(nl, s), action: `created ${TUNNEL_DEVICE} (vxlan external, port ${s.port}, mtu ${s.mtu})` };
}

function create(nl: Netlink, s: TunnelDeviceSpec): { ifindex: number; mac: string } {
  nl.createLink({ name: TUNNEL_DEVICE, mtu: s.mtu, noarp: true, info: { kind: 'vxlan', external: true, port: s.port, learning: false } });
  const l = nl.linkByName(TUNNEL_DEVICE);
  if (!l) throw new Error(`${TUNNEL_DEVICE} vanished right after it was created`);
  return { ifindex: l.index, mac: l.mac ?? '' };
}

/** Brings it up once from-tunnel is attached (created down, so no packet arrives before the source check runs). */
export function tunnelDeviceUp(nl: Netlink, ifindex: number): void {
  const l = nl.linkByIndex(ifindex);
  if (l && !(l.flags & NL.IFF_UP)) nl.setLink(ifindex, TUNNEL_DEVICE, { up: true });
}

/** Removes the device (routing: native, or uninstall); false when there was none. */
export function removeTunnelDevice(nl: Netlink): boolean {
  const l = nl.linkByName(TUNNEL_DEVICE);
  return l ? nl.deleteLink(l.index, TUNNEL_DEVICE) : false;
}
