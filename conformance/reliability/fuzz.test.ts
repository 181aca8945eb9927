// Reliability: 2 000 seeded fuzz cases of podlink's CNI environment and config (see fuzz.ts for what is
// generated and checked). PODLINK_FUZZ_SEED=N replays a run; `fuzz.ts --seed N --case i` replays one case.
// PODLINK_FUZZ_CASES overrides the count.
import t from 'tap';
import * as fs from 'node:fs';
import { isRoot, PODLINK } from '../integration/testbed.js';
import type { AsyncPluginRun } from './async-run.js';
import { formatReport, groupFailures, judge, runFuzz, type FuzzCase } from './fuzz.js';
import { seedFrom } from './prng.js';

// The judge itself must be able to say no, or a green run proves nothing.
t.test('the judge rejects malformed answers', async (t) => {
  const cs = (expect: FuzzCase['expect'], stdin = '{"cniVersion":"1.0.0"}'): FuzzCase => ({ i: 0, family: 'self-test', kernel: false, command: 'ADD', env: {}, stdin, expect, note: '' });
  const run = (code: number, stdout: string, stderr = ''): AsyncPluginRun => ({ code, signal: null, timedOut: false, stdout, stderr, json: undefined, env: {}, ms: 1, overflow: false, pid: 1 });
  const err = cs({ kind: 'error', codes: [7] });
  t.same(judge(err, run(1, '{"cniVersion":"1.0.0","code":7,"msg":"bad"}\n')), [], 'a correct error passes');
  t.match(judge(err, run(1, '{"cniVersion":"1.0.0","code":4,"msg":"bad"}\n')), [/code 4, expected 7/]);
  t.match(judge(err, run(1, '{"cniVersion":"1.0.0","code":7,"msg":"a"}\n{"code":7,"msg":"b"}\n')), [/not exactly one JSON document/]);
  t.match(judge(err, run(1, '{"cniVersion":"1.1.0","code":7,"msg":"bad"}\n')), [/error cniVersion "1.1.0", expected 1.0.0/]);
  t.match(judge(err, run(1, '{"cniVersion":"1.0.0","code":7,"msg":"bad","stack":"x"}\n')), [/unexpected key "stack"/]);
  t.match(judge(err, run(1, '{"cniVersion":"1.0.0","code":7,"msg":"bad"}\n', 'podlink: TypeError: x\n    at f (/snapshot/podlink.cjs:1:2)\n')), [/JS stack trace on stderr/]);
  t.match(judge(err, run(0, '')), [/exit 0, expected an error/]);
  t.match(judge(cs({ kind: 'empty' }), run(0, '{}\n')), [/stdout not empty/]);
  t.match(judge(cs({ kind: 'result' }), run(0, 'null')), [/without a JSON result/]);
  t.match(judge(err, { ...run(137, ''), signal: 'SIGKILL' }), [/killed by SIGKILL/]);
});

if (!isRoot || !fs.existsSync(PODLINK)) {
  t.comment(!isRoot ? 'privileged fuzzing needs root' : `${PODLINK} missing (node build.mjs)`);
} else {
  t.setTimeout(1_800_000);
  const seed = seedFrom([], 'PODLINK_FUZZ_SEED');
  const cases = Number(process.env.PODLINK_FUZZ_CASES ?? 2000);
  t.test(`${cases} fuzz cases (seed ${seed})`, { timeout: 1_800_000 }, async (t) => {
    t.comment(`seed ${seed}: replay with PODLINK_FUZZ_SEED=${seed}, or one case with node --import tsx conformance/reliability/fuzz.ts --seed ${seed} --case N`);
    const r = await runFuzz({ seed, cases, workers: 4, onCase: (n) => n % 500 === 0 && t.comment(`${n} cases done`) });
    t.comment(formatReport(r));
    t.equal(r.tried, cases, 'every case ran');
    t.ok(r.kernelCases > cases * 0.05, `some cases went through ADD paths that reach the kernel (${r.kernelCases})`);
    for (const g of groupFailures(r.failures)) {
      const f = g.example;
      t.fail(`${g.count}× ${g.key}`, { case: f.i, note: f.note, problems: f.problems, leaks: f.leaks, replay: f.replay });
    }
    t.equal(r.leakCases, 0, 'no case left state behind or wrote outside podlink\'s dirs');
    t.equal(r.failures.length, 0, 'every case answered correctly');
  });
}
