// The Markdown report printed to stdout.
import { fmt, fmtSpread, fmtVerdict, table } from '../report.js';
import { median, spreadOf, summarize } from '../stats.js';
import type { Analysis } from './analysis.js';
import { floorSection } from './floor-markdown.js';
import { CNI_VERSION, CONCURRENCY, KEYS, OPS } from './config.js';
import { pkgVersion } from './provenance.js';
import type { Measurements, RunInfo } from './record.js';
import { ms, p50 } from './samples.js';

const cpuMs = (secs: number[]) => fmt(median(secs) * 1000, 1);

export function markdown(info: RunInfo, m: Measurements, a: Analysis): string[] {
  const { o, b, host, startedAt, wallSeconds, loadEnd, binSha, embedded, nodeBase, version, cleanupErrors, leftovers } = info;
  const { warm, rssRes, dad, scale } = m;
  const { fl, perRoundP50, perRoundP95, pooled, ratios, split, stepSplit, scaleSteps, tputCell, scaleInProc, scaleAddNet, fillHead, fillTail, fillHeadIn, fillTailIn, coldP, coldN } = a;
  const md: string[] = [];
  md.push(`# podlink control-plane benchmark — ${startedAt.toISOString()}`, '');
  md.push(`${version} (sha256 ${binSha.slice(0, 12)}, mode veth, cniVersion ${CNI_VERSION}) vs Debian containernetworking-plugins ${pkgVersion('containernetworking-plugins')} ptp + host-local; baseline \`${nodeBase.path} -e 0\` (${nodeBase.version}; podlink embeds Node ${embedded ?? '?'}).`);
  md.push(`Kernel ${host.kernel}, ${host.cpus} × ${host.cpuModel}, load average ${host.loadavg.join(' ')} → ${loadEnd.join(' ')}. Wall time ${fmt(wallSeconds, 0)} s.`);
  md.push(`${o.rounds} rounds; latency ${o.latencyPods} pods per plugin per round; throughput ${o.tputPods} pods per run; scaling ${o.pods} pods, ${o.probes} probes per round.`);
  md.push('All calls run through `nsenter --net=<node netns>` with only PATH and CNI_*; pod netns have IPv6 DAD off (see README). Cells: median of the per-round values (min–max); ⚠ = spread > 20 %.', '');

  md.push('## Ratios', '');
  const row = (r: (typeof ratios)[number]) => {
    const vals = [r.perRound.map((x) => fmt(x, 2)).join(', '), fmt(r.spread.min, 2), fmt(r.spread.median, 2), fmt(r.spread.max, 2)];
    return [`${r.name}: ${r.formula}`, Number.isFinite(r.target) ? `≤ ${r.target}` : 'info', ...vals, fmtVerdict(r.verdict), r.before ?? '–'];
  };
  md.push(table(['ratio', 'target', 'per round', 'min', 'median', 'max', 'verdict', 'last run before #18'], ratios.map(row)), '');
  md.push(...floorSection(fl, o.latencyPods, o.tputPods, a));

  md.push(`## Latency (ms, wall time of one exec; ${o.latencyPods} pods × ${o.rounds} rounds)`, '');
  const latRows: string[][] = [];
  for (const op of OPS)
    for (const k of KEYS) {
      const all = pooled(op, k);
      if (!all.n) continue; // the floor has no CHECK
      latRows.push([op, k, fmtSpread(spreadOf(perRoundP50(op, k))), fmtSpread(spreadOf(perRoundP95(op, k))), fmt(all.max), String(all.n)]);
    }
  md.push(table(['op', 'process', 'p50', 'p95', 'max', 'n'], latRows, ['l', 'l', 'r', 'r', 'r', 'r']), '');

  md.push('## Where podlink\'s time goes (p50 over all rounds, ms)', '');
  md.push(table(['op', 'podlink wall', 'in-process (log durationMs)', 'outside main (wall − durationMs, paired)', 'node -e 0', '/bin/true (wrapper floor)', 'host-local alone', 'ptp'],
    split.map((s) => [s.op, fmt(s.wallP50), fmt(s.inProcessP50), fmt(s.outsideP50), fmt(s.nodeP50), fmt(s.trueP50), fmt(s.hostLocalP50), fmt(s.ptpP50)])), '');
  md.push('### podlink\'s plan steps (p50, ms, from the `steps` of its log lines)', '');
  const at = (list: { name: string; p50: number }[], name: string) => list.find((x) => x.name === name)?.p50 ?? NaN;
  const addSteps = stepSplit.find((x) => x.op === 'ADD')?.steps ?? [];
  md.push(table(['ADD step', 'latency rounds', 'pod #10 (scaling)', `pod #${o.pods} (scaling)`], addSteps.map((x) => [x.name, fmt(x.p50), fmt(at(scaleSteps.n10, x.name)), fmt(at(scaleSteps.nN, x.name))])), '');
  md.push(table(['op', 'step', 'p50'], stepSplit.filter((x) => x.op !== 'ADD').flatMap((x) => x.steps.map((st) => [x.op, st.name, fmt(st.p50)]))), '');
  md.push(`First ADD on a fresh node (probes the kernel, loads and pins BPF): ${fmt(warm.firstAddMs)} ms wall, ${fmt(warm.firstAddInProcessMs)} ms in-process; ${warm.bpfPins} file(s) pinned under bpfRoot with one pod attached.`, '');

  md.push(`## Throughput (pods/s, ${o.tputPods} pods per run, median (min–max) over ${o.rounds} rounds)`, '');
  const cells = (c: number, f: 'addPodsPerSec' | 'delPodsPerSec') => (['podlink', 'ptp', 'floor'] as const).map((p) => fmtSpread(tputCell(c, p, f)));
  md.push(table(['concurrency', 'podlink ADD', 'ptp ADD', 'floor ADD', 'podlink DEL', 'ptp DEL', 'floor DEL'],
    CONCURRENCY.map((c) => [String(c), ...cells(c, 'addPodsPerSec'), ...cells(c, 'delPodsPerSec')])), '');

  md.push(`## Scaling (podlink; pod #10 with 9 alive vs pod #${o.pods} with ${o.pods - 1} alive, separate node netns, interleaved)`, '');
  md.push(table(['metric', 'pod #10', `pod #${o.pods}`, 'ratio (median of rounds)'], [
    ['ADD p50 wall (ms)', fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.add10))))), fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.addN))))), fmt(median(scale.rounds.map((s) => p50(ms(s.addN)) / p50(ms(s.add10)))), 2)],
    ["ADD p50 wall less host-local's growth (the ratio line)", '', fmtSpread(spreadOf(scaleAddNet)), fmt(ratios.find((r) => r.name.startsWith('ADD @'))!.spread.median, 2)],
    ['ADD p50 in-process (ms)', fmt(p50(scale.rounds.flatMap((s) => scaleInProc('n10', s.add10)))), fmt(p50(scale.rounds.flatMap((s) => scaleInProc('nN', s.addN)))), fmt(p50(scale.rounds.flatMap((s) => scaleInProc('nN', s.addN))) / p50(scale.rounds.flatMap((s) => scaleInProc('n10', s.add10))), 2)],
    ['DEL p50 wall (ms)', fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.del10))))), fmtSpread(spreadOf(scale.rounds.map((s) => p50(ms(s.delN))))), fmt(median(scale.rounds.map((s) => p50(ms(s.delN)) / p50(ms(s.del10)))), 2)],
    [`fill ADD p50, pods 1–50 vs last 50 (concurrency ${scale.fillConcurrency}; wall / in-process)`, `${fmt(p50(fillHead))} / ${fmt(p50(fillHeadIn))}`, `${fmt(p50(fillTail))} / ${fmt(p50(fillTailIn))}`, fmt(p50(fillTail) / p50(fillHead), 2)],
  ]), '');
  md.push(`Filling ${o.pods - 1} pods took ${fmt(scale.fillSeconds, 0)} s.`, '');

  md.push('## Cold start and memory', '');
  const kbToMiB = (xs: number[]) => summarize(xs.map((x) => x / 1024));
  const rl = kbToMiB(rssRes.podlinkKb);
  const rp = kbToMiB(rssRes.ptpKb);
  const rf = kbToMiB(rssRes.floorKb);
  md.push(table(['metric', 'podlink', 'baseline', 'note'], [
    [`cold start p50 (ms, direct exec, PATH only, ${o.coldRuns} × ${o.rounds})`, `${fmtSpread(coldP)} (\`--version\`)`, `${fmtSpread(coldN)} (\`node -e 0\`)`, ''],
    [`peak RSS of one ADD (MiB, ${rssRes.podlinkKb.length} runs: median / max)`, `${fmt(rl.p50)} / ${fmt(rl.max)}`, `ptp ${fmt(rp.p50)} / ${fmt(rp.max)}`, `harness floor (/bin/true) ${fmt(rf.p50)} MiB; ${rssRes.method}`],
    [`CPU time of one ADD (ms user+sys, incl. nsenter and IPAM; median)`, cpuMs(rssRes.podlinkCpu), `ptp ${cpuMs(rssRes.ptpCpu)}`, `floor (/bin/true) ${cpuMs(rssRes.floorCpu)} ms`],
    ...(b.compare && rssRes.compareCpu.length
      ? [[`the --compare executable's ADD (sha256 ${b.compare.sha256.slice(0, 12)}): peak RSS MiB / CPU ms (median)`, '', `${fmt(kbToMiB(rssRes.compareKb).p50)} / ${cpuMs(rssRes.compareCpu)}`, `${o.compare}, on a node of its own, written as podlink install writes it`]]
      : []),
    [`\`podlink --version\` through the same chain: peak RSS MiB / CPU ms (median)`, `${fmt(kbToMiB(rssRes.startKb).p50)} / ${cpuMs(rssRes.startCpu)}`, '', 'the executable\'s own start-up (Node and the entry), same file: what of the ADD lines is not the ADD\'s'],
    ...(dad.length ? [[`ptp ADD with IPv6 DAD on (ms, ${dad.length} runs, info)`, '', `${fmt(p50(dad))} p50`, 'what ptp costs as shipped: it waits for DAD; podlink adds IPv6 with nodad']] : []),
  ], ['l', 'r', 'r', 'l']), '');

  if (b.warnings.length || b.anomalies.length || leftovers.length || cleanupErrors.length) {
    md.push('## Warnings and anomalies', '');
    for (const w of [...b.warnings, ...b.anomalies, ...leftovers.map((l) => `left behind after cleanup: ${l}`), ...cleanupErrors.map((e) => `cleanup error: ${e}`)]) md.push(`- ${w}`);
    md.push('');
  }
  return md;
}
