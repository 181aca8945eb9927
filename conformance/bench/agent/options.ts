// Command-line options of `bench agent`: their help lines and parsing.
import * as path from 'node:path';
import { ROOT } from '../harness.js';
import { parseOptions, UsageError } from '../suite.js';
import { MAX_INDEX } from './fleet.js';

export const DEFAULTS = { repeat: 3, nodes: 5000, changes: 60, imagesPerNode: 10, syncTimeoutS: 60, changeTimeoutMs: 5000, gapMs: 100 };

export interface Options {
  repeat: number;
  nodes: number;
  changes: number;
  imagesPerNode: number;
  podlink: string;
  json: boolean;
  /** the agent's --log-level (default: info, as the DaemonSet runs it) */
  logLevel: string;
}

export const USAGE = [
  `  --repeat N     repetitions, each a fresh node netns and agent against the same API server (default ${DEFAULTS.repeat})`,
  `  --nodes N      other nodes in the test API server, besides the measured one (default ${DEFAULTS.nodes}: ${2 * DEFAULTS.nodes} dual-stack routes)`,
  `  --changes N    single-node changes per repetition after the initial sync, cycling modify / add / delete (default ${DEFAULTS.changes})`,
  `  --images N     container images listed per Node object, to give it a real node's weight (default ${DEFAULTS.imagesPerNode})`,
  '  --log-level L  the agent\'s --log-level: debug, info (default, as the DaemonSet runs it), warn, error',
  '  --podlink PATH the executable to measure (default $PODLINK_BIN or dist/podlink)',
  '  --no-json      do not write conformance/bench/results/<date>-agent.json',
];

export function options(argv: string[]): Options {
  const o = parseOptions(argv, { repeat: 'int', nodes: 'int', changes: 'int', images: 'int', 'log-level': 'string', podlink: 'string', 'no-json': 'flag' });
  const nodes = (o.nodes as number | undefined) ?? DEFAULTS.nodes;
  const repeat = (o.repeat as number | undefined) ?? DEFAULTS.repeat;
  const changes = (o.changes as number | undefined) ?? DEFAULTS.changes;
  if (nodes + 1 + Math.ceil((changes * repeat) / 3) >= MAX_INDEX) throw new UsageError(`--nodes ${nodes} with ${changes * repeat} changes exceeds the address plan (${MAX_INDEX})`);
  const logLevel = (o['log-level'] as string | undefined) ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new UsageError(`--log-level ${logLevel}: debug, info, warn or error`);
  return {
    repeat,
    nodes,
    changes,
    imagesPerNode: (o.images as number | undefined) ?? DEFAULTS.imagesPerNode,
    podlink: path.resolve((o.podlink as string | undefined) ?? process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink')),
    json: o['no-json'] !== true,
    logLevel,
  };
}
