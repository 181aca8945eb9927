// Peak RSS and CPU time of one ADD (podlink, ptp, the `--compare` executable if given, and the /bin/true
// harness floor) and of `podlink --version` (the executable's own start-up), from wait4's rusage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argvOf, type Invocation } from '../harness.js';
import type { Bench } from './testbed.js';
import { ipamDirOf } from './util.js';

export interface RssResult {
  method: string;
  floorKb: number[];
  /** `podlink --version` through the same exec chain: the executable's own start-up (Node + entry), same file and page cache */
  startKb: number[];
  podlinkKb: number[];
  ptpKb: number[];
  /** the `--compare` executable's ADD (empty without it), run i paired with podlink's run i */
  compareKb: number[];
  /** user + system CPU seconds of the same exec chains */
  floorCpu: number[];
  startCpu: number[];
  podlinkCpu: number[];
  ptpCpu: number[];
  compareCpu: number[];
}

type Who = 'podlink' | 'ptp' | 'compare';

/** Run i's order: the contenders rotated by i, so that each comes first, second (and third) equally often. */
export function rotated<T>(list: readonly T[], i: number): T[] {
  const k = i % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** Peak RSS (KiB) and CPU seconds of one exec and its reaped descendants, from wait4's rusage (rusage.c). */
async function peakRss(b: Bench, inv: Invocation, outFile: string): Promise<{ kb: number; cpu: number; ok: boolean; out: string }> {
  const [file, args] = argvOf(inv);
  const r = await b.run({ file: b.rusage, args: [outFile, file, ...args], env: inv.env, stdin: inv.stdin });
  const [kb, userUs, sysUs] = fs.readFileSync(outFile, 'utf8').trim().split(/\s+/).map(Number);
  return { kb: kb!, cpu: (userUs! + sysUs!) / 1e6, ok: r.code === 0, out: r.stdout };
}

export async function rss(b: Bench, runs: number): Promise<RssResult> {
  const method = 'rusage.c: fork, execv, wait4 (ru_maxrss and µs user+sys of the exec chain nsenter → plugin, IPAM child included)';
  const res: RssResult = {
    method,
    floorKb: [],
    startKb: [],
    podlinkKb: [],
    ptpKb: [],
    compareKb: [],
    floorCpu: [],
    startCpu: [],
    podlinkCpu: [],
    ptpCpu: [],
    compareCpu: [],
  };
  const who: Who[] = b.compare ? ['podlink', 'ptp', 'compare'] : ['podlink', 'ptp'];
  const pods = b.pods('m', who.length * runs);
  const podOf = (w: Who, i: number) => pods[who.indexOf(w) * runs + i]!;
  const call = (w: Who, op: string, id: string, pod: string, prev?: unknown) =>
    w === 'podlink' ? b.podlinkCall(b.main, op, id, pod, prev) : w === 'ptp' ? b.ptpCall(op, id, pod, prev) : b.compareCall(op, id, pod, prev);
  if (b.compare) await warmCompare(b);
  const f = path.join(b.work, 'rss.out');
  for (let i = 0; i < runs; i++) {
    const floor = await peakRss(b, b.baseline('/bin/true', [], 'ADD', 'rss', pods[i]!), f);
    res.floorKb.push(floor.kb);
    res.floorCpu.push(floor.cpu);
    const start = await peakRss(b, b.baseline(b.bin, ['--version'], 'ADD', 'rss', pods[i]!), f);
    res.startKb.push(start.kb);
    res.startCpu.push(start.cpu);
    for (const w of rotated(who, i)) {
      const id = `rss-${w}-${i}`;
      const m = await peakRss(b, call(w, 'ADD', id, podOf(w, i)), f);
      if (!m.ok) b.failures.push({ phase: 'rss', who: w, op: 'ADD', id, code: null, signal: null, ms: NaN, out: m.out.slice(0, 400) });
      else {
        res[`${w}Kb`].push(m.kb);
        res[`${w}Cpu`].push(m.cpu);
      }
      await b.call('rss', w, 'DEL', id, call(w, 'DEL', id, podOf(w, i)));
    }
  }
  b.leftovers('rss', b.node, { ipam: [ipamDirOf(b.main.conf), ipamDirOf(b.ptpConf)] });
  if (b.compare) b.leftovers('rss (--compare)', b.compare.node.node, { ipam: [ipamDirOf(b.compare.node.conf)] });
  b.netns.delete(pods);
  return res;
}

/**
 * The compared executable's first ADD sets its node up (probe, BPF load) and, in a build that keeps one,
 * the next call of each command writes its node code cache: two ADD/DEL cycles before anything is measured,
 * as the warm-up phase gives podlink.
 */
async function warmCompare(b: Bench): Promise<void> {
  const pods = b.pods('mw', 2);
  for (const [i, pod] of pods.entries()) {
    const id = `rss-compare-warm-${i}`;
    const a = await b.call('rss warm-up', 'compare', 'ADD', id, b.compareCall('ADD', id, pod));
    await b.call('rss warm-up', 'compare', 'DEL', id, b.compareCall('DEL', id, pod, a.result));
  }
  b.netns.delete(pods);
  const failed = b.failures.filter((x) => x.who === 'compare');
  const why = (x: (typeof failed)[number]) => (x.code === 0 ? 'exit 0 without a JSON result' : `exit ${x.code ?? x.signal}`) + (x.out ? `: ${x.out}` : '');
  if (failed.length) throw new Error(`the --compare executable failed its warm-up (is it a podlink?): ${failed.map((x) => `${x.op} ${why(x)}`).join('; ')}`);
}
