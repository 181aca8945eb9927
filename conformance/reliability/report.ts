// `npm run reliability`: the long runs behind the reliability tests, with one summary table.
//   fuzz   10 000 seeded cases (fuzz.ts)
//   storm  64-way ADD/DEL burst on a fresh node, 200 pods interleaved at random, GC (storm.ts)
//   soak   2 000 ADD/DEL cycles with growth tracking (soak.ts)
// Every row carries its seed; `--seed S` replays all three, and each tool replays alone:
//   node --import tsx conformance/reliability/fuzz.ts --seed S [--case i]
//   PODLINK_RELIABILITY_SEED=S npx tap conformance/reliability/concurrency.test.ts
//   node --import tsx conformance/reliability/soak.ts --seed S --cycles N
// Options: --seed S, --fuzz-cases N (10000), --soak-cycles N (2000), --max-minutes M (soak bound, 60),
//          --only fuzz,storm,soak
import * as fs from 'node:fs';
import { PODLINK } from '../integration/testbed.js';
import { formatReport, groupFailures, runFuzz } from './fuzz.js';
import { argValue, seedFrom } from './prng.js';
import { formatSoak, runSoak } from './soak.js';
import { runStorm } from './storm.js';

interface Row {
  suite: string;
  seed: number;
  tried: string;
  failures: number;
  leaks: number;
  seconds: number;
  replay: string;
}

function table(rows: Row[]): string {
  const head = ['suite', 'seed', 'tried', 'failures', 'leaks found', 'time', 'replay'];
  const cells = rows.map((r) => [r.suite, String(r.seed), r.tried, String(r.failures), String(r.leaks), `${r.seconds.toFixed(0)} s`, r.replay]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (process.geteuid?.() !== 0) {
    process.stderr.write('the reliability runs need root (network namespaces)\n');
    return 2;
  }
  if (!fs.existsSync(PODLINK)) {
    process.stderr.write(`${PODLINK} missing: node build.mjs\n`);
    return 2;
  }
  const seed = seedFrom(argv, 'PODLINK_RELIABILITY_SEED');
  const only = new Set((argValue(argv, '--only') ?? 'fuzz,storm,soak').split(','));
  const fuzzCases = Number(argValue(argv, '--fuzz-cases') ?? argValue(argv, '--cases') ?? 10_000);
  const soakCycles = Number(argValue(argv, '--soak-cycles') ?? 2_000);
  const maxMinutes = Number(argValue(argv, '--max-minutes') ?? 60);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  say(`reliability run, seed ${seed} (replay everything with --seed ${seed})`);
  const rows: Row[] = [];

  if (only.has('fuzz')) {
    say(`\n== fuzz: ${fuzzCases} cases`);
    const r = await runFuzz({ seed, cases: fuzzCases, workers: 4, log: say, onCase: (n) => n % 1000 === 0 && say(`  ${n} cases done`) });
    say(formatReport(r));
    rows.push({ suite: 'fuzz (env + stdin)', seed, tried: `${r.tried} cases (${r.kernelCases} kernel)`, failures: r.failures.length, leaks: r.leakCases, seconds: r.ms / 1000, replay: `fuzz.ts --seed ${seed} --case <i>` });
    for (const g of groupFailures(r.failures)) say(`  ${g.count}× ${g.key} — ${g.example.replay}`);
  }

  if (only.has('storm')) {
    say('\n== concurrency storm');
    const phases = await runStorm({ seed, log: say });
    for (const p of phases) {
      say(`${p.phase}: ${p.calls} calls in ${(p.ms / 1000).toFixed(1)} s, ${p.failures.length} failures, ${p.leaks.length} leaks; ${p.notes.join('; ')}`);
      for (const f of p.failures.slice(0, 10)) say(`  FAIL ${f.what}: ${f.detail}`);
      for (const l of p.leaks.slice(0, 10)) say(`  LEAK ${l}`);
      rows.push({ suite: `storm: ${p.phase}`, seed, tried: `${p.calls} calls`, failures: p.failures.length, leaks: p.leaks.length, seconds: p.ms / 1000, replay: `PODLINK_RELIABILITY_SEED=${seed} concurrency.test.ts` });
    }
  }

  if (only.has('soak')) {
    say(`\n== soak: ${soakCycles} cycles (at most ${maxMinutes} min)`);
    const r = await runSoak({ cycles: soakCycles, seed, maxMinutes, lanes: 2, sampleEvery: 50, fdEvery: 200, log: say });
    say(formatSoak(r));
    rows.push({
      suite: 'soak ADD/DEL',
      seed,
      tried: `${r.cycles} cycles${r.stoppedByTime ? ' (time bound)' : ''}`,
      failures: r.failures.length + r.fdProblems.length + r.fdGrowth.length,
      leaks: r.leaks.length,
      seconds: r.ms / 1000,
      replay: `soak.ts --seed ${seed} --cycles ${soakCycles}`,
    });
  }

  say(`\n${table(rows)}`);
  const bad = rows.some((r) => r.failures || r.leaks);
  say(bad ? '\nRESULT: problems found (see above; leaks expected 0)' : '\nRESULT: no failures, no leaks');
  return bad ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 2;
  },
);
