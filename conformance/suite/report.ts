// Writes conformance/report.md from the case records the suite left in
// conformance/.work/suite-results/<kernel>/*.jsonl (this machine's kernel and any VM kernel whose run
// wrote there), one row per checklist item and kernel, and prints ONE summary line for the kernels
// asked for (default: all). Exit 0 when none of those kernels has a failed case, 1 otherwise.
//
//   node --import tsx conformance/suite/report.ts [--out FILE] [--kernel K]... [--seconds N] [--note TEXT] [--label TEXT]
//
// A kernel's notes.txt next to its records (one note a line: the tools used, a VM tier's subset) is
// shown with that kernel's run; --label replaces "conformance" at the start of the summary line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKLIST } from './lib/checklist.js';
import type { CaseRecord } from './lib/suite.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = process.env.PODLINK_SUITE_RESULTS ?? path.join(ROOT, 'conformance/.work/suite-results');

interface Args {
  out: string;
  kernels: string[];
  seconds?: number;
  notes: string[];
  label: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: path.join(ROOT, 'conformance/report.md'), kernels: [], notes: [], label: 'conformance' };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--out': a.out = path.resolve(v!); i++; break;
      case '--kernel': a.kernels.push(v!); i++; break;
      case '--seconds': a.seconds = Number(v); i++; break;
      case '--note': a.notes.push(v!); i++; break;
      case '--label': a.label = v!; i++; break;
      default: throw new Error(`report.ts: unknown argument ${argv[i]}`);
    }
  }
  return a;
}

function load(): Map<string, CaseRecord[]> {
  const byKernel = new Map<string, CaseRecord[]>();
  let kernels: string[] = [];
  try {
    kernels = fs.readdirSync(RESULTS).filter((k) => fs.statSync(path.join(RESULTS, k)).isDirectory()).sort();
  } catch {
    return byKernel;
  }
  for (const k of kernels) {
    const recs: CaseRecord[] = [];
    for (const f of fs.readdirSync(path.join(RESULTS, k)).filter((x) => x.endsWith('.jsonl')).sort()) {
      for (const line of fs.readFileSync(path.join(RESULTS, k, f), 'utf8').split('\n')) {
        if (line.trim()) recs.push(JSON.parse(line) as CaseRecord);
      }
    }
    if (recs.length) byKernel.set(k, recs);
  }
  return byKernel;
}

function kernelNotes(k: string): string[] {
  try {
    return fs.readFileSync(path.join(RESULTS, k, 'notes.txt'), 'utf8').split('\n').filter((l) => l.trim());
  } catch {
    return [];
  }
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function counts(recs: CaseRecord[]): { pass: number; fail: number; skip: number; reasons: Map<string, number> } {
  const reasons = new Map<string, number>();
  let pass = 0;
  let fail = 0;
  let skip = 0;
  for (const r of recs) {
    if (r.status === 'pass') pass++;
    else if (r.status === 'fail') fail++;
    else {
      skip++;
      const why = r.reason ?? 'skipped';
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
    }
  }
  return { pass, fail, skip, reasons };
}

function reasonText(reasons: Map<string, number>): string {
  const list = [...reasons.entries()].sort((a, b) => b[1] - a[1]);
  if (list.length === 1) return list[0]![0];
  return list.map(([why, n]) => `${n} ${why}`).join('; ');
}

function itemRow(id: string, kernel: string, recs: CaseRecord[]): { status: string; evidence: string } {
  const item = CHECKLIST.find((i) => i.id === id)!;
  const mine = recs.filter((r) => r.items.includes(id));
  const c = counts(mine);
  const seeAlso = item.seeAlso ? ` See also ${item.seeAlso}.` : '';
  if (c.fail) {
    const failed = mine.filter((r) => r.status === 'fail').map((r) => r.name);
    return { status: '**fail**', evidence: `${c.fail} of ${mine.length} cases failed: ${failed.slice(0, 4).join('; ')}${failed.length > 4 ? '; …' : ''}` };
  }
  if (c.pass) return { status: 'pass', evidence: `${c.pass} case${c.pass > 1 ? 's' : ''} passed${c.skip ? `, ${c.skip} skipped (${reasonText(c.reasons)})` : ''}.${seeAlso}` };
  if (item.na) return { status: 'n/a', evidence: `${item.na}.${seeAlso}` };
  if (c.skip) return { status: 'n/a', evidence: `all ${c.skip} cases skipped on ${kernel}: ${reasonText(c.reasons)}.${seeAlso}` };
  return { status: 'n/a', evidence: `no case in this suite.${seeAlso}` };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const data = load();
  const kernels = [...data.keys()];
  const summaryKernels = args.kernels.length ? args.kernels : kernels;
  const now = new Date().toISOString();
  const lines: string[] = [];
  lines.push('# podlink conformance report', '');
  lines.push(`Generated ${now} by \`conformance/suite/run.sh\` from the case records in \`conformance/.work/suite-results/\`.`);
  lines.push(`Checklist: CNI-CHECKLIST.md (${CHECKLIST.length} items), catalogued in \`conformance/suite/lib/checklist.ts\`. Status per item and kernel: **fail** if any case for the item failed, pass if at least one passed, n/a otherwise (with the reason).`, '');
  for (const n of args.notes) lines.push(`> ${n}`, '');
  for (const k of kernels) for (const n of kernelNotes(k)) lines.push(`> ${k}: ${n}`, '');

  lines.push('## Runs', '', '| kernel | passed | failed | skipped | recorded |', '|---|---|---|---|---|');
  for (const k of kernels) {
    const recs = data.get(k)!;
    const c = counts(recs);
    const at = recs.map((r) => r.at).sort();
    lines.push(`| ${k} | ${c.pass} | ${c.fail} | ${c.skip}${c.skip ? ` (${md(reasonText(c.reasons))})` : ''} | ${at[0]} … ${at[at.length - 1]} |`);
  }
  if (!kernels.length) lines.push('| (none) | | | | no case records found |');
  lines.push('');

  lines.push('## Checklist items', '', '| item | checklist | kernel | status | evidence |', '|---|---|---|---|---|');
  for (const item of CHECKLIST) {
    for (const k of kernels.length ? kernels : ['(no run)']) {
      const { status, evidence } = itemRow(item.id, k, data.get(k) ?? []);
      lines.push(`| ${item.id} | ${md(item.title)} | ${k} | ${status} | ${md(evidence)} |`);
    }
  }
  lines.push('');

  for (const k of kernels) {
    const recs = data.get(k)!;
    const failed = recs.filter((r) => r.status === 'fail');
    lines.push(`## Failed cases on ${k}`, '');
    if (!failed.length) lines.push('None.', '');
    for (const r of failed) {
      lines.push(`- \`${r.file}\`: ${md(r.name)}`);
      for (const f of r.failures ?? []) lines.push(`  - ${md(f).slice(0, 600)}`);
    }
    if (failed.length) lines.push('');
    const self = recs.filter((r) => r.items.length === 0);
    if (self.length) {
      const c = counts(self);
      lines.push(`## Self-test on ${k}`, '', `Fakes in \`conformance/suite/testdata/\` run through the core checks must fail them: ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped.`, '');
      for (const r of self) lines.push(`- ${r.status}: ${md(r.name)}`);
      lines.push('');
    }
  }
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${lines.join('\n')}\n`);

  const recs = summaryKernels.flatMap((k) => data.get(k) ?? []);
  const c = counts(recs);
  const on = summaryKernels.length > 1 ? ` on ${summaryKernels.length} kernels` : '';
  const secs = args.seconds !== undefined ? ` in ${Math.round(args.seconds)}s` : '';
  const skip = `${c.skip} skipped${c.skip ? ` (${reasonText(c.reasons)})` : ''}`;
  const missing = recs.length === 0 ? ' — no case records (did the suite run?)' : '';
  process.stdout.write(`${args.label}: ${c.pass} passed, ${c.fail} failed, ${skip}${on}${secs}${missing}\n`);
  return c.fail || recs.length === 0 ? 1 : 0;
}

process.exitCode = main();
