// Peak RSS and CPU time of one ADD (podlink, ptp, and the /bin/true harness floor) and of `podlink --version`
// (the executable's own start-up), from wait4's rusage.
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
  /** user + system CPU seconds of the same exec chains */
  floorCpu: number[];
  startCpu: number[];
  podlinkCpu: number[];
  ptpCpu: number[];
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
  const res: RssResult = { method, floorKb: [], startKb: [], podlinkKb: [], ptpKb: [], floorCpu: [], startCpu: [], podlinkCpu: [], ptpCpu: [] };
  const pods = b.pods('m', 2 * runs);
  const f = path.join(b.work, 'rss.out');
  for (let i = 0; i < runs; i++) {
    const floor = await peakRss(b, b.baseline('/bin/true', [], 'ADD', 'rss', pods[i]!), f);
    res.floorKb.push(floor.kb);
    res.floorCpu.push(floor.cpu);
    const start = await peakRss(b, b.baseline(b.bin, ['--version'], 'ADD', 'rss', pods[i]!), f);
    res.startKb.push(start.kb);
    res.startCpu.push(start.cpu);
    const order = i % 2 ? (['ptp', 'podlink'] as const) : (['podlink', 'ptp'] as const);
    for (const who of order) {
      const id = `rss-${who}-${i}`;
      const pod = who === 'podlink' ? pods[i]! : pods[runs + i]!;
      const inv = who === 'podlink' ? b.podlinkCall(b.main, 'ADD', id, pod) : b.ptpCall('ADD', id, pod);
      const m = await peakRss(b, inv, f);
      if (!m.ok) b.failures.push({ phase: 'rss', who, op: 'ADD', id, code: null, signal: null, ms: NaN, out: m.out.slice(0, 400) });
      else {
        (who === 'podlink' ? res.podlinkKb : res.ptpKb).push(m.kb);
        (who === 'podlink' ? res.podlinkCpu : res.ptpCpu).push(m.cpu);
      }
      await b.call('rss', who, 'DEL', id, who === 'podlink' ? b.podlinkCall(b.main, 'DEL', id, pod) : b.ptpCall('DEL', id, pod));
    }
  }
  b.leftovers('rss', b.node, { ipam: [ipamDirOf(b.main.conf), ipamDirOf(b.ptpConf)] });
  b.netns.delete(pods);
  return res;
}
