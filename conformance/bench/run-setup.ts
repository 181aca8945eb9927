// What every suite's run does around its measurements: the start (cleanup registry, the machine's bpffs, netns set, work
// dir), the run's private copy of the executable under test (others may rebuild dist/podlink while a
// bench runs) with its sha256 and version, a clock of the phases, and the check that nothing is left.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeExecutableFile } from '../../cmd/atomic-copy.js';
import { machineBpffs } from '../support/bpffs.js';
import { WORK_DIR } from '../support/paths.js';
import { sh } from '../support/sh.js';
import { Cleanup, Netns, ownedDir, progress, ROOT } from './harness.js';
import { hostInfo, type HostInfo } from './report.js';

export interface RunStart {
  startedAt: Date;
  host: HostInfo;
  c: Cleanup;
  netns: Netns;
  /** prefix of every netns name the run makes: `<tag>-…` */
  tag: string;
  /** conformance/.work/bench-<name>-<pid>, removed at cleanup */
  work: string;
}

export function beginRun(o: { repeat: number }, name: string, tagPrefix: string): RunStart {
  if (o.repeat < 3) process.stderr.write(`bench: --repeat ${o.repeat} < 3: verdicts cannot say NOISY reliably\n`);
  const startedAt = new Date();
  const host = hostInfo();
  const c = new Cleanup();
  machineBpffs(c);
  const netns = new Netns(c);
  return {
    startedAt,
    host,
    c,
    netns,
    tag: `${tagPrefix}${process.pid}`,
    work: ownedDir(c, path.join(WORK_DIR, `bench-${name}-${process.pid}`)),
  };
}

/** What cleanup left behind: netns named `<tag>-…` and any of `paths` that still exists. */
export function leftoversOf(tag: string, paths: string[]): string[] {
  return [
    ...fs
      .readdirSync('/run/netns')
      .filter((n) => n.startsWith(`${tag}-`))
      .map((n) => `netns ${n}`),
    ...paths.filter((p) => fs.existsSync(p)),
  ];
}

export interface Snapshot {
  bin: string;
  sha256: string;
  version: string;
}

/** Copies `src` to <work>/bin/podlink as `podlink install` writes it, and announces it with the machine's state. */
export function snapshotExecutable(src: string, work: string, host: HostInfo): Snapshot {
  const image = fs.readFileSync(src);
  const sha256 = crypto.createHash('sha256').update(image).digest('hex');
  const bin = path.join(work, 'bin/podlink');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  writeExecutableFile(bin, image);
  const version = sh(bin, ['--version']).trim();
  progress(
    `${version} (sha256 ${sha256.slice(0, 12)}), kernel ${host.kernel}, ${host.cpus} CPUs, load ${host.loadavg.join(' ')}; work dir ${path.relative(ROOT, work)}`,
  );
  if (host.loadavg[0]! > host.cpus * 0.5)
    progress(`the machine is busy (load ${host.loadavg[0]} on ${host.cpus} CPUs): expect wide spreads`);
  return { bin, sha256, version };
}

/** phase(name) records the seconds since the previous call (or the clock's creation) under name. */
export function phaseClock(): { phases: Record<string, number>; phase: (name: string) => void } {
  const phases: Record<string, number> = {};
  let t = performance.now();
  return {
    phases,
    phase: (name) => {
      const now = performance.now();
      phases[name] = Math.round((now - t) / 100) / 10;
      t = now;
    },
  };
}
