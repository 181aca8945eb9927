// `npm run bench -- control`: podlink's control plane against Debian's reference `ptp` + `host-local`,
// against the cost of starting Node itself (`node -e 0`) and beside the kernel's floor (floor.c).
//
// Everything runs inside a "node" netns this suite creates (podlink, ptp, host-local and the baselines
// all through the same `nsenter --net=` wrapper, so the wrapper's cost cancels), one pre-created netns
// per pod, with the environment kubelet gives a plugin: PATH=/usr/sbin:/usr/bin:/sbin:/bin and CNI_*.
// Contenders are interleaved call by call (A B C A B C …, the starting contender rotating), and every
// latency/throughput measurement is repeated (--rounds, ≥ 3) so that each ratio has a spread.
//
// Phases: warm-up → cold start → latency rounds → peak RSS → ptp as shipped (DAD) → throughput →
// scaling (last: it leaves ~1000 netns for the kernel to reap).
//
// This file is the suite entry bench.ts loads; the work lives in control/:
//   run.ts            the run from start to end: preflight, phases in order, cleanup, reports
//   config.ts         constants (CNI path/version, ops, contenders, defaults)
//   options.ts        command-line options and their help
//   preflight.ts      root and required executables
//   provenance.ts     embedded/baseline Node version, stale sources, package versions
//   testbed.ts        the Bench context: node netns, plugin configs, CNI calls, bookkeeping, verifyClean
//   warmup.ts, cold-start.ts, latency.ts, rss.ts, ptp-dad.ts, throughput.ts, scaling.ts   the phases
//   record.ts         what a run hands to the reports
//   floor.c, floor.ts  the kernel floor: the syscalls podlink's ADD/DEL need, a contender of its own
//   rusage.c          peak RSS and µs CPU time of one exec (wait4)
//   ratios.ts, analysis.ts, floor-analysis.ts   ratios and verdicts, reductions, warnings
//   markdown.ts, floor-markdown.ts, json.ts     the stdout report and the results file
//   samples.ts, util.ts      shared helpers
import type { Suite } from './suite.js';
import { USAGE } from './control/options.js';
import { run } from './control/run.js';

export const suite: Suite = {
  name: 'control',
  summary: 'podlink CNI ADD/CHECK/DEL latency, throughput, scaling, cold start, peak RSS and CPU against Debian ptp + host-local, node -e 0 and the kernel floor',
  usage: USAGE,
  run,
};
