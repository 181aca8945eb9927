// Scaling: podlink ADD/DEL of pod #10 (9 alive) against pod #N (N−1 alive) on two separate node netns,
// interleaved. Runs last: it leaves ~1000 netns for the kernel to reap.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pool, progress } from '../harness.js';
import type { Sample } from './samples.js';
import type { Bench, PodlinkNode } from './testbed.js';
import { range, readCalls, settle } from './util.js';

export interface ScaleRound {
  add10: Sample[];
  addN: Sample[];
  del10: Sample[];
  delN: Sample[];
}

export interface ScaleResult {
  pods: number;
  fillSeconds: number;
  fillConcurrency: number;
  /** ADD wall ms of the fill, in start order (pod #1 … #N−1 of the large node). */
  fillMs: number[];
  fillInProcessMs: number[];
  rounds: ScaleRound[];
  inProcess: Map<string, number>;
  /** `${side}/${command}/${containerID}` → podlink's step times (log). */
  steps: Map<string, Record<string, number>>;
  nodeLinksDuringProbes: number;
}

export async function scaling(b: Bench, pods: number, rounds: number, probes: number): Promise<ScaleResult> {
  const nodeS = b.newNode('n10');
  const nodeL = b.newNode(`n${pods}`);
  const small = b.podlinkNode('n10', nodeS, path.join(b.work, 'scale-10'), `/sys/fs/bpf/podlink-bench-${process.pid}-n10`, '10.204.0.0/16', 'fd00:204::/64');
  const large = b.podlinkNode(`n${pods}`, nodeL, path.join(b.work, `scale-${pods}`), `/sys/fs/bpf/podlink-bench-${process.pid}-n${pods}`, '10.205.0.0/16', 'fd00:205::/64');
  progress(`scaling: creating ${pods - 1 + 9 + 2 * rounds * probes} pod netns`);
  // Fill pods only ever see podlink, which adds IPv6 with nodad: no need for the per-netns DAD sysctl
  // (it costs an `ip netns exec` each). The probe pods get it, like every measured pod.
  const fillL = b.pods('fl', pods - 1, { noDad: false });
  const fillS = b.pods('fs', 9, { noDad: false });
  const probeS = b.pods('ps', rounds * probes);
  const probeL = b.pods('pl', rounds * probes);
  const conc = Math.max(4, 2 * os.cpus().length); // CPU-bound; a few in flight overlap the I/O waits
  progress(`scaling: ADD ${pods - 1} pods to the large node (concurrency ${conc}) and 9 to the small one`);
  const fillMs = new Array<number>(pods - 1).fill(NaN);
  const t = performance.now();
  await pool(range(pods - 1), conc, async (i) => {
    const r = await b.call('scaling fill', 'podlink', 'ADD', `fill-${i}`, b.podlinkCall(large, 'ADD', `fill-${i}`, fillL[i]!));
    if (r.ok) fillMs[i] = r.ms;
    if (i % 200 === 199) progress(`scaling: ${i + 1} pods alive`);
  });
  const fillSeconds = (performance.now() - t) / 1000;
  for (let i = 0; i < 9; i++) await b.call('scaling fill', 'podlink', 'ADD', `fill-${i}`, b.podlinkCall(small, 'ADD', `fill-${i}`, fillS[i]!));
  const nodeLinks = b.podLinks(nodeL).length;
  if (nodeLinks !== pods - 1) b.anomalies.push(`scaling: expected ${pods - 1} host links in the large node, found ${nodeLinks}`);
  await settle();
  const out: ScaleRound[] = [];
  for (let r = 0; r < rounds; r++) {
    progress(`scaling round ${r + 1}/${rounds}: ${probes} × ADD/DEL of pod #10 and pod #${pods}, interleaved`);
    const round: ScaleRound = { add10: [], addN: [], del10: [], delN: [] };
    for (let k = 0; k < probes; k++) {
      const j = r * probes + k;
      const id = `probe-${r}-${k}`;
      const sides = [
        { n: small, pod: probeS[j]!, add: round.add10, del: round.del10 },
        { n: large, pod: probeL[j]!, add: round.addN, del: round.delN },
      ];
      const order = k % 2 ? [sides[1]!, sides[0]!] : sides;
      const prev = new Map<PodlinkNode, unknown>();
      for (const s of order) {
        const res = await b.call(`scaling round ${r + 1}`, `podlink ${s.n.label}`, 'ADD', id, b.podlinkCall(s.n, 'ADD', id, s.pod));
        if (res.ok) {
          s.add.push({ id, ms: res.ms });
          prev.set(s.n, res.result);
        }
      }
      for (const s of order) {
        const res = await b.call(`scaling round ${r + 1}`, `podlink ${s.n.label}`, 'DEL', id, b.podlinkCall(s.n, 'DEL', id, s.pod, prev.get(s.n)));
        if (res.ok) s.del.push({ id, ms: res.ms });
      }
    }
    out.push(round);
  }
  const inProcess = new Map<string, number>();
  const steps = new Map<string, Record<string, number>>();
  for (const [side, n] of [['n10', small], ['nN', large]] as const) {
    for (const [k, c] of readCalls(n.logFile)) {
      inProcess.set(`${side}/${k}`, c.durationMs);
      steps.set(`${side}/${k}`, c.steps);
    }
  }
  const fillInProcessMs = range(pods - 1).map((i) => inProcess.get(`nN/ADD/fill-${i}`) ?? NaN);
  progress('scaling: removing the scaling nodes');
  b.netns.delete([...fillL, ...fillS, ...probeS, ...probeL, nodeS, nodeL]);
  for (const n of [small, large]) {
    fs.rmSync(n.bpfRoot, { recursive: true, force: true });
    fs.rmSync(n.dir, { recursive: true, force: true });
  }
  return { pods, fillSeconds, fillConcurrency: conc, fillMs, fillInProcessMs, rounds: out, inProcess, steps, nodeLinksDuringProbes: nodeLinks };
}
