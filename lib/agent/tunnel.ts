// One reconcile of the tunnel (docs/architecture.md#the-tunnel): the device, the from-tunnel program on
// it, and the maps the programs read (pl_tunnel_cfg, pl_tunnel, pl_tunnel_peers), brought to the
// desired state. With routing native the device goes first (the kernel drops its program with it, so it
// is never up unfiltered), then the pin and the map entries.
import {
  addTunnelPeer,
  deleteTunnelPeer,
  deleteTunnelRoute,
  NO_TUNNEL_CONFIG,
  readTunnelConfig,
  readTunnelPeers,
  readTunnelRoutes,
  setTunnelRoute,
  writeTunnelConfig,
  type TunnelConfig,
  type TunnelMaps,
} from '../datapath/index.js';
import type { Netlink } from '../netlink/index.js';
import type { DesiredState } from './node.js';
import { ensureTunnelDevice, removeTunnelDevice, TUNNEL_DEVICE, TUNNEL_VNI, tunnelDeviceUp } from './tunnel-device.js';

export interface TunnelDeps {
  nl: Netlink;
  /** Opens the pinned tunnel maps; undefined while the datapath is not loaded. The caller closes them. */
  openMaps(): TunnelMaps | undefined;
  /** Attaches from-tunnel to the device's ingress (tcx link, or tc on kernels without tcx). */
  attach(ifindex: number): void;
  /** Removes the from-tunnel pin (the device is gone). */
  detach(): void;
}

/** What the maps and the hook hold, as last read or written; reset it to read the kernel again. */
export interface TunnelCache {
  routes?: Map<string, string>;
  peers?: Set<string>;
  cfg?: TunnelConfig;
  /** The ifindex from-tunnel was last attached to. */
  attachedTo?: number;
}

export interface TunnelSync {
  /** The device's ifindex; undefined when there is none. */
  ifindex?: number;
  /** The device's MTU: the uplink's minus the encapsulation. */
  mtu?: number;
  /** The device was created, re-created or removed: routes through it must be read again. */
  deviceChanged: boolean;
  /** The maps were not pinned yet: the programs know nothing of the tunnel until a later pass. */
  mapsMissing: boolean;
  changes: string[];
}

export interface TunnelOptions {
  port: number;
  uplinkMtu: number;
}

export function syncTunnel(d: TunnelDeps, desired: DesiredState, o: TunnelOptions, cache: TunnelCache): TunnelSync {
  const changes: string[] = [];
  if (!desired.tunnel.device) {
    const removed = removeTunnelDevice(d.nl);
    if (removed) changes.push(`removed ${TUNNEL_DEVICE} (routing: native)`);
    d.detach();
    cache.attachedTo = undefined;
    const maps = d.openMaps();
    try {
      if (maps) clearMaps(maps, changes, cache);
    } finally {
      maps?.close();
    }
    return { deviceChanged: removed, mapsMissing: !maps, changes };
  }
  const mtu = o.uplinkMtu - desired.tunnel.overhead;
  const dev = ensureTunnelDevice(d.nl, { port: o.port, mtu });
  if (dev.action) changes.push(dev.action);
  if (cache.attachedTo !== dev.ifindex) {
    d.attach(dev.ifindex); // may load and pin the datapath: open the maps only after it
    cache.attachedTo = dev.ifindex;
  }
  const maps = d.openMaps();
  try {
    if (maps) {
      const { 4: local4, 6: local6 } = desired.outerSources;
      const want: TunnelConfig = { ifindex: dev.ifindex, vni: TUNNEL_VNI, mac: dev.mac, local4, local6 };
      cache.cfg ??= readTunnelConfig(maps);
      if (!sameConfig(cache.cfg, want)) {
        writeTunnelConfig(maps, want);
        cache.cfg = want;
        changes.push(`pl_tunnel_cfg: ${TUNNEL_DEVICE} ifindex ${dev.ifindex}, outer sources ${local4 ?? '-'} ${local6 ?? '-'}`);
      }
      syncEntries(maps, desired, changes, cache);
    }
  } finally {
    maps?.close();
  }
  tunnelDeviceUp(d.nl, dev.ifindex);
  const deviceChanged = /^(created|recreated)/.test(dev.action ?? '');
  return { ifindex: dev.ifindex, mtu, deviceChanged, mapsMissing: !maps, changes };
}

const sameConfig = (a: TunnelConfig, b: TunnelConfig) =>
  a.ifindex === b.ifindex && a.vni === b.vni && a.mac === b.mac && a.local4 === b.local4 && a.local6 === b.local6;

function syncEntries(m: TunnelMaps, desired: DesiredState, changes: string[], cache: TunnelCache): void {
  const want = new Map(desired.routes.filter((r) => r.tunnel).map((r) => [r.dst, r.tunnel!]));
  const have = (cache.routes ??= readTunnelRoutes(m));
  for (const [cidr, node] of [...have]) {
    if (!want.has(cidr)) {
      deleteTunnelRoute(m, cidr);
      have.delete(cidr);
      changes.push(`pl_tunnel remove ${cidr} (was ${node})`);
    }
  }
  for (const [cidr, node] of want) {
    if (have.get(cidr) !== node) {
      setTunnelRoute(m, cidr, node);
      have.set(cidr, node);
      changes.push(`pl_tunnel ${cidr} → ${node}`);
    }
  }
  const peers = new Set(desired.peers);
  const known = (cache.peers ??= readTunnelPeers(m));
  for (const a of [...known]) {
    if (!peers.has(a)) {
      deleteTunnelPeer(m, a);
      known.delete(a);
      changes.push(`pl_tunnel_peers remove ${a}`);
    }
  }
  for (const a of peers) {
    if (!known.has(a)) {
      addTunnelPeer(m, a);
      known.add(a);
      changes.push(`pl_tunnel_peers add ${a}`);
    }
  }
}

function clearMaps(m: TunnelMaps, changes: string[], cache: TunnelCache): void {
  cache.cfg ??= readTunnelConfig(m);
  if (cache.cfg.ifindex !== 0) {
    writeTunnelConfig(m, NO_TUNNEL_CONFIG);
    cache.cfg = NO_TUNNEL_CONFIG;
    changes.push('pl_tunnel_cfg: no tunnel');
  }
  for (const cidr of (cache.routes ??= readTunnelRoutes(m)).keys())
    if (deleteTunnelRoute(m, cidr)) changes.push(`pl_tunnel remove ${cidr}`);
  for (const a of (cache.peers ??= readTunnelPeers(m))) if (deleteTunnelPeer(m, a)) changes.push(`pl_tunnel_peers remove ${a}`);
  cache.routes.clear();
  cache.peers.clear();
}
