// The agent's part of `podlink status`: its liveness, the node source (API line) and the Nodes table.
import { heartbeatAge, readAgentStatus, type AgentStatus } from '../lib/agent/index.js';

/** A heartbeat older than this means the agent's loop is wedged or gone (the liveness probe's check). */
export const DEFAULT_ALIVE_SECONDS = 30;

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

export function sourceLine(s: AgentStatus['source'], now: Date): string {
  const what = s.kind === 'kubernetes' ? `API:         kubernetes ${s.where}` : `Nodes file:  ${s.where}`;
  const state = s.connected
    ? `${s.synced ? 'synced' : 'syncing'}, last event ${ago(s.lastEventAt, now)}, last full sync ${ago(s.lastSyncAt, now)}`
    : `${s.kind === 'kubernetes' ? 'disconnected' : 'unreadable'} since ${s.disconnectedSince ?? 'start'}` +
      (s.synced ? ' (routes kept as they are)' : '');
  const errors = s.syncErrors ? `; ${s.syncErrors} sync errors${s.lastError ? `, last: ${s.lastError}` : ''}` : '';
  return `${what}: ${state}${errors}`;
}

export interface AgentView {
  status?: AgentStatus;
  error?: string;
  heartbeatSeconds?: number;
}

export function readAgentView(runDir: string, now: Date): AgentView {
  try {
    return { status: readAgentStatus(runDir), heartbeatSeconds: heartbeatAge(runDir, now) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function agentLines(v: AgentView, now: Date, table: (rows: string[][]) => string): string[] {
  if (v.error) return [`Agent:       unreadable status (${v.error})`];
  const s = v.status;
  if (!s) return ['Agent:       not running (no agent.json; pods on this node reach only this node until it runs)'];
  const beat = v.heartbeatSeconds;
  const alive = beat !== undefined && beat <= DEFAULT_ALIVE_SECONDS;
  const heartbeat = beat === undefined ? 'never' : `${Math.round(beat)}s ago`;
  const out = [`Agent:       ${alive ? 'running' : 'not responding'} (pid ${s.pid}, node ${s.nodeName}, heartbeat ${heartbeat})`];
  out.push(sourceLine(s.source, now));
  const count = (p: string) => s.nodes.filter((n) => n.path === p).length;
  const failed = s.routes.failures ? `, ${s.routes.failures} failed writes (last: ${s.routes.lastError})` : '';
  out.push(
    `Routes:      ${s.routes.installed} installed${failed}; BPF cluster CIDRs learned: ${s.clusterCIDRs.problem ?? s.clusterCIDRs.learned}`,
  );
  out.push(
    `Nodes:       ${s.nodes.length} (native ${count('native')}, tunnel ${count('tunnel')}, unreachable ${count('unreachable')}, ` +
      `rejected ${count('rejected')}, self ${count('self')})`,
  );
  if (!s.selfFound && s.source.synced) out.push(`             this node (${s.nodeName}) is not in the node list: check --node-name`);
  if (s.nodes.length) {
    const rows = [['NAME', 'POD CIDRS', 'ADDRESS', 'LAST CHANGE', 'PATH']];
    for (const n of s.nodes) {
      rows.push([
        n.name,
        n.podCIDRs.join(',') || '-',
        n.addresses.join(',') || '-',
        n.lastChange ?? '-',
        n.reason ? `${n.path}: ${n.reason}` : n.path,
      ]);
    }
    out.push(table(rows));
  }
  return out;
}

export function agentJson(v: AgentView): unknown {
  if (v.error) return { error: v.error };
  if (!v.status) return null;
  return { ...v.status, heartbeatSeconds: v.heartbeatSeconds ?? null };
}
