// Summaries of a fuzz report: failures grouped by family and first problem, and the printed report.
import type { FuzzReport } from './run.js';
import type { FuzzFailure } from './worker.js';

/** Failures grouped by family and first problem (without case-specific values), for summaries. */
export function groupFailures(fs_: FuzzFailure[]): { key: string; count: number; example: FuzzFailure }[] {
  const groups = new Map<string, { key: string; count: number; example: FuzzFailure }>();
  for (const f of fs_) {
    const first = (f.problems[0] ?? f.leaks[0] ?? '').replace(/fz\d+-[0-9a-f]+/g, 'ID').replace(/\/[^ ]*\.work\/[^/ ]+\//g, '<bed>/').replace(/\d+(\.\d+)+/g, 'N').replace(/"[^"]{30,}"/g, '"…"').slice(0, 120);
    const key = `${f.family}: ${first}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { key, count: 1, example: f });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

export function formatReport(r: FuzzReport): string {
  const lines = [`fuzz: seed ${r.seed}, ${r.tried} cases (${r.kernelCases} through kernel ADD paths) in ${(r.ms / 1000).toFixed(1)} s: ${r.failures.length} failed, ${r.leakCases} left state behind`];
  for (const [fam, s] of Object.entries(r.byFamily).sort()) lines.push(`  ${fam.padEnd(24)} ${String(s.n).padStart(6)} cases ${s.failed ? `${s.failed} FAILED` : 'ok'}`);
  for (const g of groupFailures(r.failures)) {
    lines.push(`  ${g.count}× ${g.key}`);
    lines.push(`     e.g. case ${g.example.i} (${g.example.note}): ${g.example.replay}`);
  }
  return lines.join('\n');
}
