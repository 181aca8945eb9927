// The tunnel's part of `podlink status`: the routing mode, the device, what its ingress dropped from
// senders that are no known node, and the pods whose MTU is larger than the tunnel's (made before a
// node needed the tunnel: they keep theirs and rely on PMTU discovery; docs/architecture.md#the-tunnel).
import type { AgentStatus } from '../lib/agent/index.js';
import { readCounters } from '../lib/datapath/index.js';
import { nativeSys } from '../lib/sys/index.js';

export interface TunnelView {
  routing: string;
  inUse: boolean;
  device?: { name: string; ifindex: number; mtu: number; port: number };
  /** Packets from-tunnel dropped because their outer source is no known node (or the VNI is not ours). */
  droppedUnknownSource?: string;
  /** Endpoints (container ids) whose MTU exceeds the tunnel device's. */
  podsAboveTunnelMtu: { containerId: string; mtu: number }[];
  problem?: string;
}

export function tunnelView(
  s: AgentStatus | undefined,
  bpfRoot: string,
  endpoints: { containerId: string; mtu?: number }[],
): TunnelView | undefined {
  const t = s?.tunnel;
  if (!t) return undefined;
  const v: TunnelView = { routing: t.routing, inUse: t.inUse, podsAboveTunnelMtu: [], ...(t.problem ? { problem: t.problem } : {}) };
  if (t.device && t.ifindex && t.mtu && t.port) {
    v.device = { name: t.device, ifindex: t.ifindex, mtu: t.mtu, port: t.port };
    try {
      v.droppedUnknownSource = String(readCounters(nativeSys(), bpfRoot, t.ifindex).dropTunnelSource.packets);
    } catch {
      // datapath not loaded: no counter to show
    }
    if (t.inUse)
      for (const e of endpoints) if (e.mtu && e.mtu > t.mtu) v.podsAboveTunnelMtu.push({ containerId: e.containerId, mtu: e.mtu });
  }
  return v;
}

export function tunnelLines(v: TunnelView | undefined): string[] {
  if (!v) return [];
  const d = v.device;
  const use = v.inUse ? 'in use' : 'idle: every node is native';
  const dev = d ? `; tunnel ${d.name} (ifindex ${d.ifindex}, UDP ${d.port}, MTU ${d.mtu}) ${use}` : '';
  const out = [`Routing:     ${v.routing}${dev}${v.problem ? `; problem: ${v.problem}` : ''}`];
  if (d) out.push(`Tunnel:      ${v.droppedUnknownSource ?? '-'} packets dropped from senders that are no known node`);
  if (v.podsAboveTunnelMtu.length) {
    const list = v.podsAboveTunnelMtu.map((p) => `${p.containerId.slice(0, 12)} (${p.mtu})`).join(', ');
    const n = v.podsAboveTunnelMtu.length;
    out.push(`             ${n} pods keep an MTU above the tunnel's and rely on PMTU discovery until re-created: ${list}`);
  }
  return out;
}
