// What the running agent tells `podlink status` and the liveness probe: agent.json (nodes, source,
// routes; rewritten when something changes) and agent.alive (a heartbeat the main loop rewrites), both
// next to the mode file in the run directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import type { NodeWatchStatus } from '../kube/index.js';
import type { NodeVerdict, Routing } from './node.js';

/** A node source's state, as lib/kube reports it for the API (connected, synced, errors, times), for any source. */
export type SourceStatus = Omit<NodeWatchStatus, 'source' | 'server' | 'resourceVersion'> & {
  kind: 'kubernetes' | 'file';
  /** The API server URL or the nodes file path. */
  where: string;
};

export interface AgentStatus {
  version: 1;
  pid: number;
  nodeName: string;
  startedAt: string;
  updatedAt: string;
  source: SourceStatus;
  selfFound: boolean;
  nodes: NodeVerdict[];
  routes: { installed: number; failures: number; lastError?: string };
  clusterCIDRs: { learned: number; problem?: string };
  /** The routing mode and the tunnel device (docs/architecture.md#the-tunnel). */
  tunnel: { routing: Routing; inUse: boolean; device?: string; ifindex?: number; mtu?: number; port?: number; problem?: string };
  reconciles: { count: number; lastAt?: string; lastMs?: number };
}

export function agentStatusPath(runDir: string): string {
  return path.join(runDir, 'agent.json');
}

export function heartbeatPath(runDir: string): string {
  return path.join(runDir, 'agent.alive');
}

export function writeAgentStatus(runDir: string, s: AgentStatus): void {
  writeFileAtomic(agentStatusPath(runDir), `${JSON.stringify(s)}\n`, 0o644, false);
}

/** Undefined when no agent has written one; throws on a file that is not an agent status. */
export function readAgentStatus(runDir: string): AgentStatus | undefined {
  let text: string;
  try {
    text = fs.readFileSync(agentStatusPath(runDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const s = JSON.parse(text) as AgentStatus;
  if (s?.version !== 1 || !Array.isArray(s.nodes)) throw new Error(`${agentStatusPath(runDir)} is not an agent status file`);
  return s;
}

export function writeHeartbeat(runDir: string, now: Date): void {
  writeFileAtomic(heartbeatPath(runDir), `${now.toISOString()} ${process.pid}\n`, 0o644, false);
}

/** Seconds since the agent's main loop last beat; undefined when it never has. */
export function heartbeatAge(runDir: string, now: Date = new Date()): number | undefined {
  try {
    const [iso] = fs.readFileSync(heartbeatPath(runDir), 'utf8').split(' ');
    const t = Date.parse(iso ?? '');
    return Number.isNaN(t) ? undefined : (now.getTime() - t) / 1000;
  } catch {
    return undefined;
  }
}
