// Warm-up: a few ADD/DEL of every contender; records the first ADD on a fresh node and what podlink pinned.
import * as fs from 'node:fs';
import type { Bench } from './testbed.js';
import { isBpffs } from '../../../lib/bpf/index.js';
import { BPFFS } from '../../support/bpffs.js';
import { countFiles, readDurations } from './util.js';

export interface Warmup {
  firstAddMs: number;
  firstAddInProcessMs?: number;
  /** Files under bpfRoot while one pod is attached (0: podlink attached no BPF). */
  bpfPins: number;
  /** bpffs at /sys/fs/bpf during the warm-up (the bench mounts it on a machine without it). */
  bpffsMounted: boolean;
  /** podlink's mode file after the first ADD (features it probed). */
  modeFile?: unknown;
}

export async function warmup(b: Bench): Promise<Warmup> {
  const pods = b.pods('w', 6);
  let firstAddMs = NaN;
  let bpfPins = 0;
  for (let i = 0; i < 3; i++) {
    const a = await b.call('warm-up', 'podlink', 'ADD', `w-pl-${i}`, b.podlinkCall(b.main, 'ADD', `w-pl-${i}`, pods[i]!));
    if (i === 0) {
      firstAddMs = a.ms;
      bpfPins = countFiles(b.main.bpfRoot);
    }
    const p = await b.call('warm-up', 'ptp', 'ADD', `w-pt-${i}`, b.ptpCall('ADD', `w-pt-${i}`, pods[i + 3]!));
    await b.call('warm-up', 'host-local', 'ADD', `w-hl-${i}`, b.hostLocalCall('ADD', `w-hl-${i}`, pods[i]!));
    await b.call('warm-up', 'node -e 0', 'ADD', 'w', b.baseline(b.nodeBin, ['-e', '0'], 'ADD', 'w', pods[i]!));
    await b.call('warm-up', 'podlink', 'DEL', `w-pl-${i}`, b.podlinkCall(b.main, 'DEL', `w-pl-${i}`, pods[i]!, a.result));
    await b.call('warm-up', 'ptp', 'DEL', `w-pt-${i}`, b.ptpCall('DEL', `w-pt-${i}`, pods[i + 3]!, p.result));
    await b.call('warm-up', 'host-local', 'DEL', `w-hl-${i}`, b.hostLocalCall('DEL', `w-hl-${i}`, pods[i]!));
  }
  b.netns.delete(pods);
  if (b.failures.length) throw new Error(`warm-up failed: ${b.failures.map((f) => `${f.who} ${f.op}: ${f.out}`).join('; ')}`);
  let modeFile: unknown;
  try {
    modeFile = JSON.parse(fs.readFileSync(b.main.conf.modeFile as string, 'utf8'));
  } catch {
    modeFile = undefined;
  }
  const bpffsMounted = isBpffs(BPFFS);
  if (!bpfPins) {
    const why = bpffsMounted ? 'this build attaches no BPF datapath' : 'bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf), and/or this build attaches no BPF datapath';
    b.warnings.push(`podlink pinned nothing under its bpfRoot during ADD: ${why}; BPF attach cost is NOT in these numbers`);
  }
  return { firstAddMs, firstAddInProcessMs: readDurations(b.main.logFile).get('ADD/w-pl-0'), bpfPins, bpffsMounted, modeFile };
}
