// Peak RSS and CPU time of one ADD (podlink, ptp, and the /bin/true harness floor) from wait4's rusage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argvOf, which, type Invocation } from '../harness.js';
import type { Bench } from './testbed.js';
import { ipamDirOf } from './util.js';

export interface RssResult {
  method: string;
  floorKb: number[];
  podlinkKb: number[];
  ptpKb: number[];
  /** user + system CPU seconds of the same exec chains */
  floorCpu: number[];
  podlinkCpu: number[];
  ptpCpu: number[];
}

const PY_RSS = [
  'import os, resource, sys',
  'pid = os.fork()',
  'if pid == 0:',
  '    os.execv(sys.argv[2], sys.argv[2:])',
  '_, st = os.waitpid(pid, 0)',
  'ru = resource.getrusage(resource.RUSAGE_CHILDREN)',
  'open(sys.argv[1], "w").write("%d %.3f %.3f" % (ru.ru_maxrss, ru.ru_utime, ru.ru_stime))',
  'c = os.waitstatus_to_exitcode(st)',
  'sys.exit(c if c >= 0 else 128 - c)',
].join('\n');

/** Peak RSS (KiB) and CPU seconds of one exec, from wait4's rusage: GNU time when installed, else python3. */
async function peakRss(b: Bench, inv: Invocation, outFile: string, gnuTime: string | undefined): Promise<{ kb: number; cpu: number; ok: boolean; out: string }> {
  const [file, args] = argvOf(inv);
  const wrapped: Invocation = gnuTime
    ? { file: gnuTime, args: ['-f', '%M %U %S', '-o', outFile, file, ...args], env: inv.env, stdin: inv.stdin }
    : { file: which('python3') ?? '/usr/bin/python3', args: ['-I', '-S', '-c', PY_RSS, outFile, file, ...args], env: inv.env, stdin: inv.stdin };
  const r = await b.run(wrapped);
  // GNU time prefixes "Command exited with non-zero status N" lines; the numbers are on the last line
  const [kb, user, sys] = fs.readFileSync(outFile, 'utf8').trim().split('\n').pop()!.trim().split(/\s+/).map(Number);
  return { kb: kb!, cpu: user! + sys!, ok: r.code === 0, out: r.stdout };
}

export async function rss(b: Bench, runs: number): Promise<RssResult> {
  const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const method = gnuTime ? 'GNU time %M (wait4 ru_maxrss of the exec chain nsenter → plugin, IPAM child included)' : 'python3 fork/execv + getrusage(RUSAGE_CHILDREN).ru_maxrss (floor = the forked python3)';
  const res: RssResult = { method, floorKb: [], podlinkKb: [], ptpKb: [], floorCpu: [], podlinkCpu: [], ptpCpu: [] };
  const pods = b.pods('m', 2 * runs);
  const f = path.join(b.work, 'rss.out');
  for (let i = 0; i < runs; i++) {
    const floor = await peakRss(b, b.baseline('/bin/true', [], 'ADD', 'rss', pods[i]!), f, gnuTime);
    res.floorKb.push(floor.kb);
    res.floorCpu.push(floor.cpu);
    const order = i % 2 ? (['ptp', 'podlink'] as const) : (['podlink', 'ptp'] as const);
    for (const who of order) {
      const id = `rss-${who}-${i}`;
      const pod = who === 'podlink' ? pods[i]! : pods[runs + i]!;
      const inv = who === 'podlink' ? b.podlinkCall(b.main, 'ADD', id, pod) : b.ptpCall('ADD', id, pod);
      const m = await peakRss(b, inv, f, gnuTime);
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
