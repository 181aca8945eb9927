// The JSON results file (conformance/bench/results/<date>-control.json): every sample and how it was taken.
import * as path from 'node:path';
import { ROOT } from '../harness.js';
import { writeResults } from '../report.js';
import { round, spreadOf, summarize, WIDE_SPREAD, type Spread, type Summary } from '../stats.js';
import type { Analysis } from './analysis.js';
import { CNI_PATH, CNI_VERSION, KEYS, OPS } from './config.js';
import { pkgVersion } from './provenance.js';
import type { Measurements, RunInfo } from './record.js';
import { ms, p50 } from './samples.js';

/** Writes the results file; returns its path. */
export function writeJson(info: RunInfo, m: Measurements, a: Analysis): string {
  const { o, b, host, startedAt, finishedAt, wallSeconds, loadEnd, phases, stale, binSha, embedded, nodeBase, version, cleanupErrors, leftovers } = info;
  const { warm, cold, lat, rssRes, dad, tput, scale } = m;
  const { perRoundP50, perRoundP95, pooled, fl, ratios, split, stepSplit, scaleSteps, coldP, coldN } = a;
  const summ = (s: Summary) => ({ n: s.n, min: round(s.min), p50: round(s.p50), p95: round(s.p95), max: round(s.max), mean: round(s.mean) });
  const sp = (s: Spread) => ({ values: s.values.map((x) => round(x, 4)), min: round(s.min, 4), median: round(s.median, 4), max: round(s.max, 4), spread: round(s.spread, 4), wide: s.spread > WIDE_SPREAD });
  const data = {
    suite: 'control',
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: round(wallSeconds, 1),
    phases,
    host: { ...host, loadavgStart: host.loadavg, loadavgEnd: loadEnd, node: undefined, benchRunnerNode: host.node },
    podlink: { source: path.relative(ROOT, o.podlink), version, sha256: binSha, embeddedNode: embedded, staleSources: stale },
    baselineNode: nodeBase,
    reference: { ptp: path.join(CNI_PATH, 'ptp'), hostLocal: path.join(CNI_PATH, 'host-local'), package: `containernetworking-plugins ${pkgVersion('containernetworking-plugins')}` },
    options: o,
    method: {
      cniVersion: CNI_VERSION,
      podlinkMode: 'veth',
      wrapper: 'nsenter --net=/run/netns/<node netns>',
      environment: 'PATH=/usr/sbin:/usr/bin:/sbin:/bin and CNI_* only',
      podNetns: 'one pre-created netns per pod, net.ipv6.conf.default.accept_dad=0',
      interleaving: 'call by call, starting contender rotating',
      spreadWarningAbove: WIDE_SPREAD,
      rss: rssRes.method,
    },
    ratios: ratios.map((r) => ({ name: r.name, formula: r.formula, target: r.target, verdict: r.verdict, before: r.before, ...sp(r.spread) })),
    kernelFloor: {
      perRound: fl,
      samples: lat.map((l) => ({ ADD: l.ops.ADD.floor.map((x) => x.parts), DEL: l.ops.DEL.floor.map((x) => x.parts), plainDEL: l.ops.DEL['floor plain'].map((x) => x.parts) })),
    },
    latency: Object.fromEntries(OPS.map((op) => [op, Object.fromEntries(KEYS.map((k) => [k, { p50: sp(spreadOf(perRoundP50(op, k))), p95: sp(spreadOf(perRoundP95(op, k))), pooled: summ(pooled(op, k)), perRound: lat.map((l) => summ(summarize(ms(l.ops[op][k])))) }]))])),
    podlinkSteps: { latency: stepSplit, scalingAt10: scaleSteps.n10, scalingAtN: scaleSteps.nN },
    podlinkTimeSplit: split.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]))),
    firstAdd: { wallMs: round(warm.firstAddMs), inProcessMs: warm.firstAddInProcessMs },
    podlinkDatapath: { bpfPinsWithOnePod: warm.bpfPins, bpffsMounted: warm.bpffsMounted, modeFile: warm.modeFile },
    throughput: tput.map((t) => ({ ...t, addSeconds: round(t.addSeconds), addPodsPerSec: round(t.addPodsPerSec, 2), delSeconds: round(t.delSeconds), delPodsPerSec: round(t.delPodsPerSec, 2) })),
    scaling: {
      pods: scale.pods,
      fillSeconds: round(scale.fillSeconds, 1),
      fillConcurrency: scale.fillConcurrency,
      nodeLinksDuringProbes: scale.nodeLinksDuringProbes,
      add10: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.add10))))),
      addN: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.addN))))),
      del10: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.del10))))),
      delN: sp(spreadOf(scale.rounds.map((s) => p50(ms(s.delN))))),
      fillWallMs: scale.fillMs.map((x) => round(x, 2)),
      fillInProcessMs: scale.fillInProcessMs.map((x) => round(x, 2)),
      probes: scale.rounds.map((s) => ({ add10: ms(s.add10).map((x) => round(x, 2)), addN: ms(s.addN).map((x) => round(x, 2)), del10: ms(s.del10).map((x) => round(x, 2)), delN: ms(s.delN).map((x) => round(x, 2)) })),
    },
    coldStart: { podlink: sp(coldP), node: sp(coldN), samples: cold.map((c) => ({ podlink: c.podlink.map((x) => round(x, 2)), version: c.version.map((x) => round(x, 2)), node: c.node.map((x) => round(x, 2)) })) },
    peakRssKiB: { podlinkAdd: rssRes.podlinkKb, podlinkVersion: rssRes.startKb, ptpAdd: rssRes.ptpKb, compareAdd: rssRes.compareKb, harnessFloor: rssRes.floorKb, method: rssRes.method },
    cpuSeconds: { podlinkAdd: rssRes.podlinkCpu, podlinkVersion: rssRes.startCpu, ptpAdd: rssRes.ptpCpu, compareAdd: rssRes.compareCpu, harnessFloor: rssRes.floorCpu },
    compare: b.compare ? { path: o.compare, sha256: b.compare.sha256 } : undefined,
    ptpWithDadAddMs: dad.map((x) => round(x, 2)),
    samples: lat.map((l) => Object.fromEntries(OPS.map((op) => [op, Object.fromEntries(KEYS.map((k) => [k, ms(l.ops[op][k]).map((x) => round(x, 2))]))]))),
    warnings: b.warnings,
    anomalies: b.anomalies,
    failures: b.failures,
    cleanup: { errors: cleanupErrors, leftovers },
  };
  return writeResults('control', data, startedAt);
}
