// The tunnel's pinned maps as the agent keeps them (bpf-objects/podlink.h): pl_tunnel (remote pod CIDR →
// node underlay address), pl_tunnel_peers (the node addresses from-tunnel admits) and pl_tunnel_cfg
// (the device the programs redirect to). The agent is their only writer.
// May import: lib/bpf, lib/sys, ./layout, ./object, ./paths.
import * as fs from 'node:fs';
import { BpfMap } from '../bpf/index.js';
import type { Sys } from '../sys/index.js';
import * as L from './layout.js';
import { datapathObject, type DatapathObject } from './object.js';
import { pinPaths } from './paths.js';

export interface TunnelMaps {
  routes: BpfMap;
  peers: BpfMap;
  cfg: BpfMap;
  close(): void;
}

/** The pinned tunnel maps of this executable's object layout; undefined until the probe pinned them. */
export function openTunnelMaps(sys: Sys, bpfRoot: string, object: DatapathObject = datapathObject()): TunnelMaps | undefined {
  const open = (name: string) => {
    const spec = object.sharedMaps.find((m) => m.name === name);
    const pin = pinPaths(bpfRoot).mapPin(object.layoutHash, name);
    return spec && fs.existsSync(pin) ? BpfMap.openPinned(sys, pin, spec) : undefined;
  };
  const routes = open(L.MAPS.tunnel);
  const peers = routes && open(L.MAPS.tunnelPeers);
  const cfg = peers && open(L.MAPS.tunnelCfg);
  if (!routes || !peers || !cfg) {
    for (const m of [routes, peers, cfg]) m?.close();
    return undefined;
  }
  return { routes, peers, cfg, close: () => [routes, peers, cfg].forEach((m) => m.close()) };
}

/** pl_tunnel: pod CIDR → node address. */
export function readTunnelRoutes(m: TunnelMaps): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of m.routes.entries()) out.set(L.decodeCidrKey(k), L.decodeNodeAddr(v));
  return out;
}

export function setTunnelRoute(m: TunnelMaps, cidr: string, node: string): void {
  m.routes.update(L.encodeCidrKey(cidr), L.encodeNodeAddr(node));
}

export function deleteTunnelRoute(m: TunnelMaps, cidr: string): boolean {
  return m.routes.delete(L.encodeCidrKey(cidr));
}

/** pl_tunnel_peers: the node addresses from-tunnel accepts. */
export function readTunnelPeers(m: TunnelMaps): Set<string> {
  return new Set([...m.peers.entries()].map(([k]) => L.decodeNodeAddr(k)));
}

export function addTunnelPeer(m: TunnelMaps, addr: string): void {
  m.peers.update(L.encodeNodeAddr(addr), Buffer.alloc(4));
}

export function deleteTunnelPeer(m: TunnelMaps, addr: string): boolean {
  return m.peers.delete(L.encodeNodeAddr(addr));
}

const KEY0 = Buffer.alloc(4);

export function readTunnelConfig(m: TunnelMaps): L.TunnelConfig {
  const v = m.cfg.lookup(KEY0);
  // An array entry always exists: all zeros until the agent writes it.
  return v ? L.decodeTunnelConfig(v) : L.NO_TUNNEL_CONFIG;
}

export function writeTunnelConfig(m: TunnelMaps, c: L.TunnelConfig): void {
  m.cfg.update(KEY0, L.encodeTunnelConfig(c));
}
