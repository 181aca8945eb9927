// Cold start: `podlink --version` and the CNI VERSION round trip (stdin config in, JSON out) against
// `node -e 0`, direct exec with PATH only, interleaved.
import type { Invocation } from '../harness.js';
import { rotation } from './samples.js';
import type { Bench } from './testbed.js';

export interface ColdRound {
  podlink: number[];
  /** CNI_COMMAND=VERSION with a config on stdin. */
  version: number[];
  node: number[];
}

export async function coldStart(b: Bench, rounds: number, runs: number): Promise<ColdRound[]> {
  const out: ColdRound[] = [];
  const contenders: { key: keyof ColdRound; inv: Invocation }[] = [
    { key: 'podlink', inv: { file: b.bin, args: ['--version'], env: b.env } },
    { key: 'version', inv: { file: b.bin, env: { ...b.env, CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"1.0.0"}' } },
    { key: 'node', inv: { file: b.nodeBin, args: ['-e', '0'], env: b.env } },
  ];
  for (let r = 0; r < rounds; r++) {
    const round: ColdRound = { podlink: [], version: [], node: [] };
    for (let i = 0; i < runs; i++) {
      for (const c of rotation(contenders, i)) {
        const res = await b.call('cold start', c.key, 'exec', `cold-${r}-${i}`, c.inv);
        if (res.ok) round[c.key].push(res.ms);
      }
    }
    out.push(round);
  }
  return out;
}
