// The agent's share of the network config: `routing` and `tunnelPort` from podlink's plugin object (the
// DaemonSet mounts the same netconf the install step writes into the conflist), flags over it.
import * as fs from 'node:fs';
import { DEFAULT_TUNNEL_PORT, type Routing } from '../lib/agent/index.js';
import { ROUTINGS } from '../lib/connector/index.js';
import { StepError } from './step-report.js';

export interface AgentNetwork {
  routing: Routing;
  tunnelPort: number;
}

/** podlink's plugin object: the file itself, or the entry of type podlink in a conflist's plugins. */
function podlinkConf(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StepError(
      'read the network config',
      `${file}: ${(e as Error).message}`,
      'pass the conflist or podlink netconf the CNI calls read',
    );
  }
  const o = doc as { plugins?: unknown; type?: unknown };
  if (Array.isArray(o?.plugins)) {
    const p = o.plugins.find((x: { type?: unknown }) => x?.type === 'podlink');
    if (!p)
      throw new StepError('read the network config', `${file}: no plugin of type podlink in plugins`, 'pass the conflist install wrote');
    return p as Record<string, unknown>;
  }
  if (o && typeof o === 'object') return o as Record<string, unknown>;
  throw new StepError('read the network config', `${file}: not a JSON object`, 'pass the conflist or podlink netconf the CNI calls read');
}

export function resolveAgentNetwork(o: { netconf?: string; routing?: string; tunnelPort?: string }): AgentNetwork {
  const conf = o.netconf ? podlinkConf(o.netconf) : {};
  const routing = (o.routing ?? conf.routing ?? 'auto') as Routing;
  if (!ROUTINGS.includes(routing))
    throw new StepError(
      'check the options',
      `routing ${JSON.stringify(routing)} is not one of ${ROUTINGS.join(', ')}`,
      'e.g. --routing auto',
    );
  const port = Number(o.tunnelPort ?? conf.tunnelPort ?? DEFAULT_TUNNEL_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StepError(
      'check the options',
      `tunnel port ${o.tunnelPort ?? String(conf.tunnelPort)} is not in 1-65535`,
      `e.g. --tunnel-port ${DEFAULT_TUNNEL_PORT}`,
    );
  return { routing, tunnelPort: port };
}
