// The stdout report of `bench agent`: header, the three judged lines (target, measured, verdict), the
// spread per line, where the time and memory go, and the checks.
import { fmt, table, type RunHeader } from '../report.js';
import type { Options } from './options.js';
import { DEFAULTS } from './options.js';
import type { Line, RepResult } from './verdict.js';

export interface AgentRun extends RunHeader {
  o: Options;
  /** source files newer than the executable */
  stale: string[];
  reps: RepResult[];
  lines: { judged: Line[]; info: Line[] };
  failure?: string;
  cleanupErrors: string[];
  leftovers: string[];
}

const digits = (l: Line) => (l.unit === 'MiB' ? 0 : l.unit === 'ms' && l.spread.median < 10 ? 2 : 0);
const mmm = (l: Line) => (Number.isFinite(l.spread.median) ? [l.spread.min, l.spread.median, l.spread.max].map((v) => fmt(v, digits(l))).join(' / ') : '–');

/** One line per judged target: "name: target ≤ X unit, measured median (min–max) over R, VERDICT". */
export function verdictLines(judged: readonly Line[]): string[] {
  return judged.map((l) => `${l.verdict.padEnd(5)} ${l.name}: target ≤ ${l.target} ${l.unit}, measured ${fmt(l.spread.median, digits(l))} ${l.unit} ` +
    `(min / median / max ${mmm(l)} over ${l.perRep.length})`);
}

export function markdown(r: AgentRun): string[] {
  const h = r.host;
  const n = r.reps[0]?.expectedRoutes ?? 2 * r.o.nodes;
  const out = [
    `# podlink agent benchmark — ${r.startedAt.toISOString()}`,
    '',
    `${r.version}, sha256 ${r.binSha.slice(0, 12)}; kernel ${h.kernel}, ${h.cpus} × ${h.cpuModel}; load average ${h.loadavg.join(' ')} at start, ${r.loadEnd.join(' ')} at end; ` +
      `wall ${fmt(r.wallSeconds, 0)} s (${Object.entries(r.phases).map(([k, v]) => `${k} ${v} s`).join(', ')}).`,
    '',
    `${r.o.nodes} other nodes + this one in the test API server (${r.o.imagesPerNode} images per Node object), dual stack: ${n} routes and ${n + 2} pl_cidrs entries; ` +
      `\`podlink agent --kubeconfig … --textfile-dir … --log-level ${r.o.logLevel}\` in a fresh node netns per repetition (${r.o.repeat}); ` +
      `${r.o.changes} single-node changes per repetition (modify / add / delete in turn, ${DEFAULTS.gapMs / 2}–${1.5 * DEFAULTS.gapMs} ms apart).`,
    '',
    '```',
    ...verdictLines(r.lines.judged),
    '```',
    '',
    table(['measurement', 'target', 'min / median / max', 'per repetition', 'verdict'],
      r.lines.judged.map((l) => [l.name, `≤ ${l.target} ${l.unit}`, `${mmm(l)} ${l.unit}`, l.perRep.map((v) => fmt(v, digits(l))).join(', '), l.verdict]), ['l', 'r', 'r', 'r', 'l']),
    '',
    'PASS: every repetition meets the target (up to 5 repetitions the median\'s interval is min–max); MISS: none does; NOISY: some do. A timed-out sync or change enters as its timeout.',
    '',
    '## Where the time and memory go',
    '',
    table(['measurement', 'min / median / max', 'per repetition'], r.lines.info.map((l) => [`${l.name} (${l.unit})`, mmm(l), l.perRep.map((v) => fmt(v, digits(l))).join(', ')]), ['l', 'r', 'r']),
    '',
    '## Checks',
    '',
  ];
  for (const rep of r.reps) {
    const s = rep.changeStats;
    out.push(`- repetition ${rep.rep}: ip route lists ${rep.kernelRoutes}/${rep.expectedRoutes} agent routes after the sync, pl_cidrs ${rep.learnedCidrs}/${rep.expectedCidrs} learned entries; ` +
      `${s.n} changes, ${s.timeouts} timed out; VmRSS every 10 changes ${rep.rssTrace.join(' ')} MiB; agent reconciles ${rep.reconciles?.count ?? '?'} (last ${fmt(rep.reconciles?.lastMs, 1)} ms)` +
      `${rep.errors.length ? `; ⚠ ${rep.errors.slice(0, 5).join('; ')}${rep.errors.length > 5 ? ` (+${rep.errors.length - 5})` : ''}` : ''}`);
  }
  if (r.stale.length) out.push(`- ⚠ sources newer than the executable (rebuild: node build.mjs): ${r.stale.slice(0, 5).join(', ')}${r.stale.length > 5 ? ' …' : ''}`);
  if (r.host.loadavg[0]! > r.host.cpus * 0.5) out.push(`- ⚠ the machine was busy at the start (load ${r.host.loadavg[0]} on ${r.host.cpus} CPUs): times include waiting for a CPU`);
  if (r.failure) out.push(`- ⚠ the run FAILED: ${r.failure.split('\n')[0]}`);
  out.push(`- cleanup: ${r.cleanupErrors.length || r.leftovers.length ? `errors ${r.cleanupErrors.join('; ') || 'none'}, left behind ${r.leftovers.join(', ') || 'nothing'}` : 'everything removed'}`);
  out.push('');
  return out;
}
