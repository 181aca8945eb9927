// Running a seed: cases are handed out to parallel workers, and their outcomes tallied into a report.
import { generateCase } from './generate.js';
import { FuzzWorker, type FuzzFailure } from './worker.js';

export interface FuzzReport {
  seed: number;
  tried: number;
  kernelCases: number;
  failures: FuzzFailure[];
  /** Cases that left something behind or wrote outside podlink's dirs. */
  leakCases: number;
  byFamily: Record<string, { n: number; failed: number }>;
  ms: number;
}

export interface FuzzOptions {
  seed: number;
  cases: number;
  workers?: number;
  /** Run only this case (replay). */
  only?: number;
  kernelShare?: number;
  log?: (s: string) => void;
  /** Called for each finished case (progress). */
  onCase?: (done: number) => void;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const indices = o.only !== undefined ? [o.only] : Array.from({ length: o.cases }, (_, i) => i);
  const nWorkers = Math.min(o.workers ?? 4, indices.length);
  const workers: FuzzWorker[] = [];
  const report: FuzzReport = { seed: o.seed, tried: 0, kernelCases: 0, failures: [], leakCases: 0, byFamily: {}, ms: 0 };
  try {
    for (let k = 0; k < nWorkers; k++) workers.push(new FuzzWorker(k));
    await Promise.all(workers.map((w) => w.init()));
    let next = 0;
    await Promise.all(
      workers.map(async (w) => {
        while (next < indices.length) {
          const i = indices[next++]!;
          const cs = generateCase(o.seed, i, w.ctx, { kernelShare: o.kernelShare });
          if (o.only !== undefined) o.log?.(`case ${i}: ${cs.family} ${cs.command ?? '(unset)'} ${cs.note}\n  env: ${JSON.stringify({ CNI_CONTAINERID: cs.containerId, CNI_NETNS: cs.netns, CNI_IFNAME: cs.ifname, CNI_ARGS: cs.args, CNI_PATH: cs.cniPath, ...cs.env })}\n  stdin (${cs.stdin.length} chars): ${JSON.stringify(cs.stdin.slice(0, 500))}\n  expect: ${JSON.stringify(cs.expect, (_, v) => (v instanceof RegExp ? String(v) : v))}`);
          const res = await w.run(cs, o.seed);
          report.tried++;
          if (res.kernel) report.kernelCases++;
          const fam = (report.byFamily[cs.family] ??= { n: 0, failed: 0 });
          fam.n++;
          if (res.failure) {
            fam.failed++;
            report.failures.push(res.failure);
            if (res.failure.leaks.length) report.leakCases++;
            o.log?.(`FAIL case ${i} [${cs.family}] ${cs.note}: ${[...res.failure.problems, ...res.failure.leaks].join('; ').slice(0, 500)}`);
          }
          o.onCase?.(report.tried);
        }
      }),
    );
  } finally {
    for (const w of workers) w.cleanup();
  }
  report.failures.sort((a, b) => a.i - b.i);
  report.ms = Date.now() - started;
  return report;
}
