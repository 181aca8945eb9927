// One reconcile of the tunnel (docs/architecture.md#the-tunnel): the device, the from-tunnel program on
// it, and the maps the programs read (pl_tunnel_cfg, pl_tunnel, pl_tunnel_peers), brought to the
// desired state. With routing native the device goes and the maps empty.
import {
  addTunnelPeer,
  deleteTunnelPeer,
  deleteTunnelRoute,
  readTunnelConfig,
  readTunnelPeers,
  readTunnelRoutes,
  setTunnelRoute,
  writeTunnelConfig,
  type TunnelMaps,
} from '../datapath/index.js';
import type { Netlink } from '../netlink/index.js';
import type { DesiredState } from './node.js';
import { ensureTunnelDevice, removeTunnelDevice, TUNNEL_DEVICE, TUNNEL_VNI, tunnelDeviceUp } from './tunnel-device.js';

export interface TunnelDeps {
  nl: Netlink;
  /** The pinned tunnel maps; undefined while the datapath is not loaded. */
  maps: TunnelMaps | undefined;
  /** Attaches from-tunnel to the device's ingress (tcx link, or tc on kernels without tcx). */
  attach(ifindex: number): void;
  /** Removes the from-tunnel pin (the device is gone or going). */
  detach(): void;
}

export interface TunnelSync {
  /** The device's ifindex; undefined when there is none. */
  ifindex?: number;
  /** The device's MTU: the uplink's minus the encapsulation. */
  mtu?: number;
  /** The device was created, re-created or removed: routes through it must be read again. */
  deviceChanged: boolean;
  changes: string[];
}

export function syncTunnel(d: TunnelDeps, desired: DesiredState, o: { port: number; uplinkMtu: number }): TunnelSync {
  const changes: string[] = [];
  if (!desired.tunnel.device) {
    if (d.maps) clearMaps(d.maps, changes);
    d.detach();
    const removed = removeTunnelDevice(d.nl);
    if (removed) changes.push(`removed ${TUNNEL_DEVICE} (routing: native)`);
    return { deviceChanged: removed, changes };
  }
  const mtu = o.uplinkMtu - desired.tunnel.overhead;
  const dev = ensureTunnelDevice(d.nl, { port: o.port, mtu });
  if (dev.action) changes.push(dev.action);
  d.attach(dev.ifindex);
  if (d.maps) {
    const cfg = readTunnelConfig(d.maps);
    if (cfg.ifindex !== dev.ifindex || cfg.vni !== TUNNEL_VNI || cfg.mac !== dev.mac) {
      writeTunnelConfig(d.maps, { ifindex: dev.ifindex, vni: TUNNEL_VNI, mac: dev.mac });
      changes.push(`pl_tunnel_cfg: ${TUNNEL_DEVICE} ifindex ${dev.ifindex}`);
    }
    syncEntries(d.maps, desired, changes);
  }
  tunnelDeviceUp(d.nl, dev.ifindex);
  return { ifindex: dev.ifindex, mtu, deviceChanged: /^(created|recreated)/.test(dev.action ?? ''), changes };
}

function syncEntries(m: TunnelMaps, desired: DesiredState, changes: string[]): void {
  const want = new Map(desired.routes.filter((r) => r.tunnel).map((r) => [r.dst, r.tunnel!]));
  const have = readTunnelRoutes(m);
  for (const [cidr, node] of have) {
    if (!want.has(cidr)) {
      deleteTunnelRoute(m, cidr);
      changes.push(`pl_tunnel remove ${cidr} (was ${node})`);
    }
  }
  for (const [cidr, node] of want) {
    if (have.get(cidr) !== node) {
      setTunnelRoute(m, cidr, node);
      changes.push(`pl_tunnel ${cidr} → ${node}`);
    }
  }
  const peers = new Set(desired.peers);
  const known = readTunnelPeers(m);
  for (const a of known) if (!peers.has(a) && deleteTunnelPeer(m, a)) changes.push(`pl_tunnel_peers remove ${a}`);
  for (const a of peers) {
    if (!known.has(a)) {
      addTunnelPeer(m, a);
      changes.push(`pl_tunnel_peers add ${a}`);
    }
  }
}

function clearMaps(m: TunnelMaps, changes: string[]): void {
  if (readTunnelConfig(m).ifindex !== 0) {
    writeTunnelConfig(m, { ifindex: 0, vni: 0, mac: '00:00:00:00:00:00' });
    changes.push('pl_tunnel_cfg: no tunnel');
  }
  for (const cidr of readTunnelRoutes(m).keys()) if (deleteTunnelRoute(m, cidr)) changes.push(`pl_tunnel remove ${cidr}`);
  for (const a of readTunnelPeers(m)) if (deleteTunnelPeer(m, a)) changes.push(`pl_tunnel_peers remove ${a}`);
}
