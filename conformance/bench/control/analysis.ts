// Reduces the measurements to what the reports show: per-round p50/p95, the ratios and their verdicts,
// where podlink's time goes, throughput cells, scaling; and the warnings the numbers call for.
import { fmt } from '../report.js';
import { paired, quantile, spreadOf, summarize, WIDE_SPREAD, type Spread } from '../stats.js';
import { CONCURRENCY, OPS, type Key, type Op } from './config.js';
import { BEFORE, BURST_CONCURRENCY, burstRatios, floorPerRound } from './floor-analysis.js';
import { ratioLine, type RatioLine } from './ratios.js';
import type { Measurements, RunInfo } from './record.js';
import type { RssResult } from './rss.js';
import type { ScaleRound } from './scaling.js';
import type { TputPlugin } from './throughput.js';
import { ms, p50, type Sample } from './samples.js';

/**
 * What host-local's own slowdown with the node's pod count adds to podlink's ADD: the "wait for IPAM" step
 * (the part of the IPAM exec not hidden behind the attach) at pod #N less at pod #10, p50 of one round.
 * host-local's ADD reads every allocation file of the network (its disk store's GetByID), so it grows
 * with the pods alive; the scaling target is net of that.
 */
export function ipamGrowth(steps: Map<string, Record<string, number>>, round: ScaleRound): number {
  const waits = (side: string, samples: Sample[]) =>
    samples.map((x) => steps.get(`${side}/ADD/${x.id}`)?.['wait for IPAM']).filter((v): v is number => v !== undefined);
  const big = waits('nN', round.addN);
  const small = waits('n10', round.add10);
  return big.length && small.length ? Math.max(0, p50(big) - p50(small)) : 0;
}

/**
 * podlink's own link creates in one ADD: the sum of its "attach BPF …" plan steps (one step before the
 * hooks were split, two since), NaN when its log gave none. The kernel work the floor's attach stands for,
 * as it went inside podlink.
 */
export function attachStepsMs(steps: Record<string, number> | undefined): number {
  const parts = Object.entries(steps ?? {}).filter(([name]) => name.startsWith('attach BPF'));
  return parts.length ? parts.reduce((sum, [, v]) => sum + v, 0) : NaN;
}

/**
 * With `--compare`: podlink's peak RSS and CPU per ADD over the compared executable's, run by run (the two
 * ADDs of a run are a few hundred milliseconds apart, in rotating order). CPU is judged against #18's
 * "half"; peak RSS is information only: the bench writes both executables 64 KiB at a time, and part of
 * #18's memory cut was how the executable is written, which this comparison leaves out (bench README).
 */
export function compareLines(r: Pick<RssResult, 'podlinkKb' | 'podlinkCpu' | 'compareKb' | 'compareCpu'>): RatioLine[] {
  if (!r.compareCpu.length) return [];
  const per = (a: number[], b: number[]) => paired(a, b, (x, y) => x / y);
  return [
    ratioLine('peak RSS vs --compare', `peak RSS of one podlink ADD ÷ the --compare executable's, same run (${r.compareKb.length} runs)`, NaN, per(r.podlinkKb, r.compareKb)),
    ratioLine('CPU vs --compare', `CPU time of one podlink ADD ÷ the --compare executable's, same run (${r.compareCpu.length} runs)`, 0.5, per(r.podlinkCpu, r.compareCpu)),
  ];
}

export function analyze(info: RunInfo, m: Measurements) {
  const { o } = info;
  const { cold, lat, tput, scale, durations, steps } = m;
  const perRoundP50 = (op: Op, k: Key) => lat.map((l) => p50(ms(l.ops[op][k])));
  const perRoundP95 = (op: Op, k: Key) => lat.map((l) => quantile(ms(l.ops[op][k]), 0.95));
  const pooled = (op: Op, k: Key) => summarize(lat.flatMap((l) => ms(l.ops[op][k])));
  // podlink's own work per round: its p50 less node -e 0's, against ptp's p50 (floor parts: floor-analysis.ts)
  const fl = floorPerRound(m);
  const vsPtp = (op: Op, kernel: number[]) =>
    lat.map((l, r) => (p50(ms(l.ops[op].podlink)) - p50(ms(l.ops[op]['node -e 0'])) - kernel[r]!) / p50(ms(l.ops[op].ptp)));
  // Info beside the ADD line: podlink's own attach steps per round, and ADD's own share with them in place
  // of the floor's attach (what is left when its creates are charged as they went, not at the floor's p50).
  const ownAttach = lat.map((l) => p50(l.ops.ADD.podlink.map((x) => attachStepsMs(steps.get(`ADD/${x.id}`))).filter(Number.isFinite)));
  const addLessOwnAttach = vsPtp('ADD', ownAttach);
  const rssMiB = m.rssRes.podlinkKb.map((k) => k / 1024);
  const cpuMs = m.rssRes.podlinkCpu.map((x) => x * 1000);
  const vsCompare = compareLines(m.rssRes);
  const burst = (what: 'ADD' | 'DEL', f: 'addSeconds' | 'delSeconds') =>
    ratioLine(`burst ${what}`, `${o.tputPods} ${what}s at concurrency ${BURST_CONCURRENCY}: podlink wall ÷ (floor wall + ptp wall)`, 1.0, burstRatios(tput, f), BEFORE.burst);
  // Per round: podlink's ADD p50 at pod #N less host-local's growth (the scaling line's numerator).
  const scaleAddNet = scale.rounds.map((s) => p50(ms(s.addN)) - ipamGrowth(scale.steps, s));
  const ratios: RatioLine[] = [
    ratioLine('ADD vs ptp', '(podlink ADD p50 − node -e 0 p50 − floor attach p50) ÷ ptp ADD p50', 1.0, vsPtp('ADD', fl.attach), BEFORE.add),
    ratioLine('DEL vs ptp', '(podlink DEL p50 − node -e 0 p50 − floor DEL-extra p50) ÷ ptp DEL p50', 1.0, vsPtp('DEL', fl.delExtra), BEFORE.del),
    ratioLine('CHECK vs ptp', '(podlink CHECK p50 − node -e 0 p50) ÷ ptp CHECK p50', 1.0, vsPtp('CHECK', lat.map(() => 0)), BEFORE.check),
    ratioLine('peak RSS', `peak RSS of one podlink ADD, MiB (${rssMiB.length} runs)`, 50, rssMiB, BEFORE.rss),
    ratioLine('CPU per ADD', `CPU time (user+sys) of one podlink ADD, ms, IPAM included (${cpuMs.length} runs)`, 45, cpuMs, BEFORE.cpu),
    burst('ADD', 'addSeconds'),
    burst('DEL', 'delSeconds'),
    ratioLine(
      `ADD @${o.pods} vs @10`,
      `(podlink ADD p50 at pod #${o.pods} − host-local's growth) ÷ at pod #10 (${o.pods} resp. 10 pods alive; host-local's growth: its ` +
        `"wait for IPAM" step p50 at #${o.pods} less at #10)`,
      1.1,
      scale.rounds.map((s, r) => scaleAddNet[r]! / p50(ms(s.add10))),
      BEFORE.scaling,
    ),
    ratioLine('cold start', 'podlink --version p50 ÷ node -e 0 p50', 1.1, cold.map((c) => p50(c.podlink) / p50(c.node)), BEFORE.cold),
    ratioLine('CNI VERSION', 'CNI_COMMAND=VERSION podlink p50 (config on stdin, JSON out) ÷ node -e 0 p50', 1.15, cold.map((c) => p50(c.version) / p50(c.node)), BEFORE.version),
    ...vsCompare,
  ];

  // podlink's own durationMs (log) against the wall time of the same call
  const split = OPS.map((op) => {
    const walls: number[] = [];
    const inproc: number[] = [];
    for (const l of lat)
      for (const s of l.ops[op].podlink) {
        const d = durations.get(`${op}/${s.id}`);
        if (d !== undefined) {
          walls.push(s.ms);
          inproc.push(d);
        }
      }
    return {
      op,
      n: walls.length,
      wallP50: p50(walls),
      inProcessP50: p50(inproc),
      outsideP50: p50(paired(walls, inproc, (w, d) => w - d)),
      nodeP50: p50(lat.flatMap((l) => ms(l.ops[op]['node -e 0']))),
      trueP50: p50(lat.flatMap((l) => ms(l.ops[op]['/bin/true']))),
      hostLocalP50: p50(lat.flatMap((l) => ms(l.ops[op]['host-local']))),
      ptpP50: p50(lat.flatMap((l) => ms(l.ops[op].ptp))),
    };
  });

  // podlink's plan steps (log), p50 per step over the latency rounds, and at pod #10 vs pod #N.
  const stepP50 = (calls: (Record<string, number> | undefined)[]) => {
    const names = [...new Set(calls.flatMap((c) => Object.keys(c ?? {})))];
    return names.map((name) => ({ name, p50: p50(calls.map((c) => c?.[name] ?? NaN).filter(Number.isFinite)) }));
  };
  const stepSplit = OPS.map((op) => ({ op, steps: stepP50(lat.flatMap((l) => l.ops[op].podlink.map((x) => steps.get(`${op}/${x.id}`)))) }));
  const scaleSteps = {
    n10: stepP50(scale.rounds.flatMap((r) => r.add10.map((x) => scale.steps.get(`n10/ADD/${x.id}`)))),
    nN: stepP50(scale.rounds.flatMap((r) => r.addN.map((x) => scale.steps.get(`nN/ADD/${x.id}`)))),
  };

  const tputCell = (c: number, plugin: TputPlugin, f: 'addPodsPerSec' | 'delPodsPerSec') => spreadOf(tput.filter((t) => t.concurrency === c && t.plugin === plugin).map((t) => t[f]));
  const scaleInProc = (side: 'n10' | 'nN', s: Sample[]) => s.map((x) => scale.inProcess.get(`${side}/ADD/${x.id}`) ?? NaN).filter(Number.isFinite);
  const fillHead = scale.fillMs.slice(0, 50).filter(Number.isFinite);
  const fillTail = scale.fillMs.slice(-50).filter(Number.isFinite);
  const fillHeadIn = scale.fillInProcessMs.slice(0, 50).filter(Number.isFinite);
  const fillTailIn = scale.fillInProcessMs.slice(-50).filter(Number.isFinite);
  const coldP = spreadOf(cold.map((c) => p50(c.podlink)));
  const coldN = spreadOf(cold.map((c) => p50(c.node)));
  return { fl, ownAttach, addLessOwnAttach, perRoundP50, perRoundP95, pooled, ratios, split, stepSplit, scaleSteps, tputCell, scaleInProc, scaleAddNet, fillHead, fillTail, fillHeadIn, fillTailIn, coldP, coldN };
}

export type Analysis = ReturnType<typeof analyze>;

/** Adds to `b.warnings` what the analysis calls for: wide spreads, a busy machine, an overlong run, failed calls. */
export function addWarnings(info: RunInfo, a: Analysis): void {
  const { b, host, wallSeconds } = info;
  const { perRoundP50, ratios, tputCell } = a;
  const wide = (what: string, s: Spread) => {
    if (s.spread > WIDE_SPREAD) b.warnings.push(`wide spread: ${what} varies ${fmt(s.spread * 100, 0)} % across rounds (${s.values.map((x) => fmt(x, 2)).join(', ')})`);
  };
  for (const r of ratios) wide(`ratio "${r.name}"`, r.spread);
  for (const op of OPS) for (const k of ['podlink', 'ptp', 'node -e 0'] as Key[]) wide(`${op} p50 of ${k}`, spreadOf(perRoundP50(op, k)));
  for (const c of CONCURRENCY) for (const p of ['podlink', 'ptp'] as const) wide(`ADD throughput of ${p} at concurrency ${c}`, tputCell(c, p, 'addPodsPerSec'));
  if (Math.max(...host.loadavg.slice(0, 1)) > host.cpus * 0.5) b.warnings.push(`load average was ${host.loadavg[0]} on ${host.cpus} CPUs when the run started: other work competes with the bench`);
  if (wallSeconds > 600) b.warnings.push(`the run took ${fmt(wallSeconds, 0)} s, over the 10-minute budget`);
  if (b.failures.length) b.warnings.push(`${b.failures.length} plugin call(s) failed (see failures in the JSON): their samples are left out`);
}
