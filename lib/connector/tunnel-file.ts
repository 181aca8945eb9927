// tunnel.json, next to the mode file: the agent's tunnel decision for the CNI calls, which never wait for
// the agent. ADD reads it to give new pods the tunnel's MTU (docs/architecture.md#the-tunnel).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/index.js';

/** The network config's `routing`: how remote nodes' pod CIDRs are reached. */
export type Routing = 'native' | 'tunnel' | 'auto';
export const ROUTINGS: readonly Routing[] = ['native', 'tunnel', 'auto'];

/** VXLAN's bytes per packet by underlay family: outer IPv4 20 / IPv6 40, UDP 8, VXLAN 8, inner Ethernet 14. */
export const TUNNEL_OVERHEAD = { 4: 50, 6: 70 } as const;

export interface TunnelFile {
  version: 1;
  routing: Routing;
  /** The tunnel device's name, port and MTU; absent with routing native. */
  device?: { name: string; port: number; vni: number; mtu: number };
  /** Some remote node is reached only through the tunnel. */
  inUse: boolean;
  /** The MTU new pods get unless the config sets one: the tunnel device's when the tunnel is in use. */
  podMtu: number;
  underlayMtu: number;
  updatedAt: string;
}

export function tunnelFilePath(runDir: string): string {
  return path.join(runDir, 'tunnel.json');
}

export function writeTunnelFile(runDir: string, t: TunnelFile): void {
  writeFileAtomic(tunnelFilePath(runDir), `${JSON.stringify(t)}\n`, 0o644, false);
}

/** Undefined when no agent has written one, or it is unreadable (the caller falls back to its own rule). */
export function readTunnelFile(runDir: string): TunnelFile | undefined {
  const file = tunnelFilePath(runDir);
  // Every ADD asks; on a node without the agent a failed read would cost it an exception.
  if (!fs.existsSync(file)) return undefined;
  try {
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as TunnelFile;
    return t?.version === 1 && typeof t.podMtu === 'number' ? t : undefined;
  } catch {
    return undefined;
  }
}
