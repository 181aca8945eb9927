// Seeded fuzzing of podlink's CNI entry: the environment and the config on stdin. Case i of seed S is
// always the same case (its own PRNG stream), so `--seed S --case i` replays one failure exactly.
//
// Every case states what a correct plugin does with it, and the runner checks, for every case:
//  - the exit status and stdout: exit != 0 with exactly one well-formed CNI error object (keys cniVersion,
//    code, msg, details only; integer code from the expected set; cniVersion the config's own when it
//    has a supported one), or exit 0 with empty stdout (a tolerated DEL, STATUS, GC), or a result/VERSION;
//  - no JS stack trace on stdout or stderr, no signal, no timeout;
//  - zero state afterwards: node links, addresses, routes, neighbours, links in the pod netns, pins,
//    every file in the stateDir and the IPAM dirs (host-local's and the fake IPAM's), and the mode file;
//  - nothing written outside podlink's own dirs: the testbed dir tree, `/`, and podlink's default
//    paths (/var/lib/podlink, /run/podlink outside lib/) are listed before and after.
// Most cases fail before podlink touches the kernel (bad env or config); a smaller share goes through ADD
// paths that open the netns, claim a record, run IPAM and build links (kernel cases).
//
//   node --import tsx conformance/reliability/fuzz.ts [--cases 10000] [--seed S] [--case i] [--workers 4]
//
// The parts live in fuzz/: case.ts (what a case is), bad-values.ts and inputs.ts (what cases are made of),
// generate.ts and kernel-cases.ts (the case families), judge.ts (is an answer correct), worker.ts and
// run.ts (running cases on testbeds), summary.ts (the report). This file is their entry and the CLI.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { argValue, seedFrom } from './prng.js';
import { runFuzz } from './fuzz/run.js';
import { formatReport } from './fuzz/summary.js';

export { type Expect, type FuzzCase, type FuzzCtx } from './fuzz/case.js';
export { generateCase } from './fuzz/generate.js';
export { errorVersions, judge } from './fuzz/judge.js';
export type { FuzzFailure } from './fuzz/worker.js';
export { runFuzz, type FuzzOptions, type FuzzReport } from './fuzz/run.js';
export { formatReport, groupFailures } from './fuzz/summary.js';

// ------------------------------------------------------------------------------------------ CLI

async function main(argv: string[]): Promise<number> {
  const seed = seedFrom(argv, 'PODLINK_FUZZ_SEED');
  const only = argValue(argv, '--case');
  const cases = Number(argValue(argv, '--cases') ?? 2000);
  const workers = Number(argValue(argv, '--workers') ?? 4);
  process.stdout.write(`fuzz seed ${seed}\n`);
  const r = await runFuzz({
    seed,
    cases,
    workers,
    only: only === undefined ? undefined : Number(only),
    log: (s) => process.stdout.write(`${s}\n`),
    onCase: (n) => {
      if (n % 500 === 0) process.stdout.write(`  ${n} cases done\n`);
    },
  });
  process.stdout.write(`${formatReport(r)}\n`);
  if (only !== undefined) for (const f of r.failures) process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
  return r.failures.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.geteuid?.() !== 0) {
    process.stderr.write('fuzz needs root (network namespaces)\n');
    process.exit(2);
  }
  main(process.argv.slice(2)).then((code) => (process.exitCode = code), (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 2;
  });
}
