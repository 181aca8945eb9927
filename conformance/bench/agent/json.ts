// The JSON results file (conformance/bench/results/<date>-agent.json): every repetition, every change sample.
import { round, WIDE_SPREAD } from '../stats.js';
import { NET } from './fleet.js';
import type { AgentRun } from './markdown.js';
import { DEFAULTS } from './options.js';
import type { Line } from './verdict.js';

const lineJson = (l: Line) => ({
  key: l.key, name: l.name, unit: l.unit, target: Number.isFinite(l.target) ? l.target : null, verdict: l.verdict, perRep: l.perRep,
  min: round(l.spread.min, 2), median: round(l.spread.median, 2), max: round(l.spread.max, 2), spread: round(l.spread.spread, 3), wide: l.spread.spread > WIDE_SPREAD,
});

export function resultsJson(r: AgentRun): unknown {
  return {
    suite: 'agent',
    schema: 1,
    startedAt: r.startedAt.toISOString(),
    wallSeconds: round(r.wallSeconds, 1),
    phases: r.phases,
    host: { ...r.host, loadavgStart: r.host.loadavg, loadavgEnd: r.loadEnd },
    podlink: { source: r.o.podlink, version: r.version, sha256: r.binSha, staleSources: r.stale },
    options: r.o,
    method: {
      fleet: `${r.o.nodes} other nodes + this one, dual stack, addresses on the node's underlay (10.80.0.0/${NET.underlay4}, fd00:80::/${NET.underlay6}), ${r.o.imagesPerNode} images per Node`,
      sync: 'agent spawn (nsenter --net execs podlink) → the route notification (RTNLGRP_IPV4/IPV6_ROUTE, worker thread in the node netns) after which every expected protocol-201 route holds',
      cidrs: 'agent spawn → the 2 ms poll tick at which single-key lookups found every expected pl_cidrs entry; confirmed by a full read',
      change: `server write of the watch event (after KubeApiServer.modifyNode/addNode/deleteNode returns) → the route notification completing the change (both families); timeout ${DEFAULTS.changeTimeoutMs} ms`,
      rss: 'VmHWM / VmRSS of /proc/<agent pid>/status right after the sync and after the changes',
    },
    judged: r.lines.judged.map(lineJson),
    informational: r.lines.info.map(lineJson),
    reps: r.reps.map((x) => ({ ...x, changes: x.changes.map((s) => ({ ...s, ms: round(s.ms, 2) })) })),
    failure: r.failure,
    cleanup: { errors: r.cleanupErrors, leftovers: r.leftovers },
  };
}
