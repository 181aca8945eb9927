// The agent's Prometheus families, from its status (the same numbers `podlink status` shows). Pure.
import type { Family } from '../metrics/index.js';
import type { NodePath } from './node.js';
import type { AgentStatus } from './status-file.js';

const PATHS: readonly NodePath[] = ['self', 'native', 'tunnel', 'unreachable', 'rejected'];

export function agentFamilies(s: AgentStatus, now: Date = new Date()): Family[] {
  const byPath = new Map<NodePath, number>(PATHS.map((p) => [p, 0]));
  for (const n of s.nodes) byPath.set(n.path, (byPath.get(n.path) ?? 0) + 1);
  const lastSync = s.source.lastSyncAt ? Date.parse(s.source.lastSyncAt) : NaN;
  return [
    {
      type: 'gauge',
      name: 'podlink_agent_nodes',
      help: 'Nodes the agent knows, by path (self, native, unreachable, rejected).',
      samples: PATHS.map((p) => ({ labels: { path: p }, value: byPath.get(p)! })),
    },
    {
      type: 'gauge',
      name: 'podlink_agent_source_connected',
      help: 'The node source (API watch or nodes file) is connected and synced (1) or not (0).',
      samples: [{ labels: { source: s.source.kind }, value: s.source.connected && s.source.synced ? 1 : 0 }],
    },
    {
      type: 'counter',
      name: 'podlink_agent_api_sync_errors_total',
      help: 'Failed list/watch attempts and malformed events or entries from the node source.',
      samples: [{ labels: { source: s.source.kind }, value: s.source.syncErrors }],
    },
    {
      type: 'gauge',
      name: 'podlink_agent_seconds_since_last_sync',
      help: 'Seconds since the node source last completed a full list (or file read).',
      samples: Number.isNaN(lastSync) ? [] : [{ value: Math.max(0, (now.getTime() - lastSync) / 1000) }],
    },
    {
      type: 'gauge',
      name: 'podlink_agent_routes',
      help: 'Native routes the agent holds in the kernel (protocol 201).',
      samples: [{ value: s.routes.installed }],
    },
    {
      type: 'counter',
      name: 'podlink_agent_route_failures_total',
      help: 'Route or BPF cluster-CIDR writes that failed (each is retried).',
      samples: [{ value: s.routes.failures }],
    },
  ];
}
