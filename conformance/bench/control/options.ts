// Command-line options of `bench control`: their help lines and parsing (defaults in config.ts).
import * as path from 'node:path';
import { ROOT } from '../harness.js';
import { parseOptions, UsageError } from '../suite.js';
import { CONCURRENCY, DEFAULTS } from './config.js';

export interface Options {
  pods: number;
  latencyPods: number;
  rounds: number;
  tputPods: number;
  probes: number;
  coldRuns: number;
  quick: boolean;
  podlink: string;
  /** The `node` for the baselines: the one podlink's executable is built on. */
  node?: string;
  /** Another podlink executable (an earlier build) whose ADD the RSS and CPU phase measures beside podlink's. */
  compare?: string;
  json: boolean;
}

export const USAGE = [
  `  --pods N           pods alive for the scaling ratio (ADD p50 at #10 vs #N; default ${DEFAULTS.pods}, --quick ${DEFAULTS.quickPods})`,
  `  --latency-pods N   pods per latency round and plugin (default ${DEFAULTS.latencyPods})`,
  `  --rounds N         repetitions of every measured phase (default ${DEFAULTS.rounds}; ratios need ≥ 3)`,
  `  --tput-pods N      pods per throughput run (default ${DEFAULTS.tputPods}; run at concurrency ${CONCURRENCY.join(', ')})`,
  `  --probes N         ADDs per round at pod #10 and at pod #N (default ${DEFAULTS.probes})`,
  `  --cold-runs N      cold starts per round and contender (default ${DEFAULTS.coldRuns})`,
  '  --quick            --pods 200 and skip the informational ptp-with-DAD run',
  '  --podlink PATH     the executable to measure (default $PODLINK_BIN or dist/podlink)',
  '  --node PATH        node for the `node -e 0` baselines (default: the node whose version podlink embeds)',
  '  --compare PATH     another podlink executable, e.g. an earlier build: its ADD runs beside podlink\'s in the',
  '                     peak RSS and CPU phase, on a node of its own, and the report prints podlink ÷ it',
  '  --no-json          do not write conformance/bench/results/<date>-control.json',
];

export function options(argv: string[]): Options {
  const o = parseOptions(argv, { pods: 'int', 'latency-pods': 'int', rounds: 'int', 'tput-pods': 'int', probes: 'int', 'cold-runs': 'int', quick: 'flag', podlink: 'string', node: 'string', compare: 'string', 'no-json': 'flag' });
  const quick = o.quick === true;
  const pods = (o.pods as number | undefined) ?? (quick ? DEFAULTS.quickPods : DEFAULTS.pods);
  if (pods < 11) throw new UsageError('--pods must be at least 11 (pod #10 is the reference)');
  return {
    pods,
    latencyPods: (o['latency-pods'] as number | undefined) ?? DEFAULTS.latencyPods,
    rounds: (o.rounds as number | undefined) ?? DEFAULTS.rounds,
    tputPods: (o['tput-pods'] as number | undefined) ?? DEFAULTS.tputPods,
    probes: (o.probes as number | undefined) ?? DEFAULTS.probes,
    coldRuns: (o['cold-runs'] as number | undefined) ?? DEFAULTS.coldRuns,
    quick,
    podlink: path.resolve((o.podlink as string | undefined) ?? process.env.PODLINK_BIN ?? path.join(ROOT, 'dist/podlink')),
    node: o.node === undefined ? undefined : path.resolve(o.node as string),
    compare: o.compare === undefined ? undefined : path.resolve(o.compare as string),
    json: o['no-json'] !== true,
  };
}
