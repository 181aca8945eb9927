// What a run hands to the analysis and the reports: facts about the run, and the measurements of each phase.
import type { HostInfo } from '../report.js';
import type { ColdRound } from './cold-start.js';
import type { LatencyRound } from './latency.js';
import type { Options } from './options.js';
import type { baselineNode } from './provenance.js';
import type { RssResult } from './rss.js';
import type { ScaleResult } from './scaling.js';
import type { Bench } from './testbed.js';
import type { TputRun } from './throughput.js';
import type { Warmup } from './warmup.js';

export interface RunInfo {
  o: Options;
  b: Bench;
  host: HostInfo;
  startedAt: Date;
  finishedAt: Date;
  wallSeconds: number;
  loadEnd: number[];
  phases: Record<string, number>;
  stale: string[];
  binSha: string;
  embedded: string | undefined;
  nodeBase: ReturnType<typeof baselineNode>;
  /** `podlink --version` */
  version: string;
  cleanupErrors: string[];
  leftovers: string[];
}

export interface Measurements {
  warm: Warmup;
  cold: ColdRound[];
  lat: LatencyRound[];
  rssRes: RssResult;
  dad: number[];
  tput: TputRun[];
  scale: ScaleResult;
  /** podlink's in-process durations from the main node's log, read before scaling */
  durations: Map<string, number>;
  /** podlink's step times per call from the same log */
  steps: Map<string, Record<string, number>>;
}
