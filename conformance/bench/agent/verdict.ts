// The three targets of issue #15 (section 8) and their verdicts: one value per repetition, its spread,
// and PASS / MISS / NOISY as the other suites judge (stats.ts: up to 5 repetitions, PASS needs every
// repetition within the target). A timed-out measurement enters as its timeout, so it counts as a miss.
import { quantile, round, spreadOf, verdictAtMost, type Spread, type Verdict } from '../stats.js';
import type { StartupMilestones } from './agent-log.js';
import type { ChangeKind } from './fleet.js';

export const TARGETS = { syncMs: 3000, changeP50Ms: 100, rssMiB: 150 } as const;

export interface ChangeSample {
  kind: ChangeKind;
  node: string;
  /** server write → kernel notification; the timeout when it never came */
  ms: number;
  timedOut: boolean;
  /** the agent's main thread meanwhile (write → the bench saw the notification): on a CPU, and runnable but waiting for one */
  cpuMs: number;
  waitMs: number;
}

export interface ChangeStats {
  n: number;
  p50: number;
  p90: number;
  max: number;
  timeouts: number;
  cpuP50: number;
  waitP50: number;
  byKind: Record<ChangeKind, { n: number; p50: number }>;
}

export function changeStats(samples: readonly ChangeSample[]): ChangeStats {
  const ms = samples.map((s) => s.ms);
  const kind = (k: ChangeKind) => {
    const v = samples.filter((s) => s.kind === k).map((s) => s.ms);
    return { n: v.length, p50: quantile(v, 0.5) };
  };
  return {
    n: samples.length,
    p50: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    max: ms.length ? Math.max(...ms) : NaN,
    timeouts: samples.filter((s) => s.timedOut).length,
    cpuP50: quantile(samples.map((s) => s.cpuMs).filter(Number.isFinite), 0.5),
    waitP50: quantile(samples.map((s) => s.waitMs).filter(Number.isFinite), 0.5),
    byKind: { modify: kind('modify'), add: kind('add'), delete: kind('delete') },
  };
}

export interface RepResult {
  rep: number;
  expectedRoutes: number;
  expectedCidrs: number;
  /** agent spawn → the kernel holds every expected route (the notification that completed them) */
  syncMs: number;
  syncTimedOut: boolean;
  /** agent spawn → pl_cidrs holds every expected CIDR (poll tick) */
  cidrsMs: number;
  /** protocol-201 routes `ip route` lists after the sync, and learned pl_cidrs entries */
  kernelRoutes: number;
  learnedCidrs: number;
  milestones: StartupMilestones;
  cpuMsAtSync?: number;
  /** the agent's main thread from its start to the sync: on a CPU, and waiting for one */
  mainThreadAtSync?: { cpuMs: number; waitMs: number };
  hwmAfterSyncMiB?: number;
  rssAfterSyncMiB?: number;
  changes: ChangeSample[];
  changeStats: ChangeStats;
  cpuMsAfterChanges?: number;
  hwmAfterChangesMiB?: number;
  rssAfterChangesMiB?: number;
  /** VmRSS after the changes: anonymous (V8 and malloc heaps) and file-backed (the executable's pages) */
  anonAfterChangesMiB?: number;
  fileAfterChangesMiB?: number;
  /** VmRSS (MiB) before every 10th change: growth vs a plateau */
  rssTrace: number[];
  reconciles?: { count: number; lastMs?: number };
  monitorOverflows: number;
  errors: string[];
}

export interface Line {
  key: string;
  name: string;
  unit: string;
  /** NaN: informational */
  target: number;
  perRep: number[];
  spread: Spread;
  verdict: Verdict;
}

function line(key: string, name: string, unit: string, target: number, perRep: (number | undefined)[]): Line {
  const values = perRep.map((x) => (x === undefined ? NaN : round(x, 1)));
  const spread = spreadOf(values);
  return { key, name, unit, target, perRep: values, spread, verdict: Number.isFinite(target) ? verdictAtMost(spread, target) : 'N/A' };
}

/** The judged lines, then the informational ones that say where the time and memory go. */
export function lines(reps: readonly RepResult[]): { judged: Line[]; info: Line[] } {
  const m = (f: (r: RepResult) => number | undefined) => reps.map(f);
  const routes = reps[0]?.expectedRoutes ?? 0;
  return {
    judged: [
      line('syncMs', `all ${routes} routes programmed, from the agent's start`, 'ms', TARGETS.syncMs, m((r) => r.syncMs)),
      line('changeP50Ms', 'single node change → route in the kernel, p50', 'ms', TARGETS.changeP50Ms, m((r) => r.changeStats.p50)),
      line('hwmMiB', 'peak RSS (VmHWM) after the changes', 'MiB', TARGETS.rssMiB, m((r) => r.hwmAfterChangesMiB)),
    ],
    info: [
      line('firstLine', 'start → first log line (process up, options parsed)', 'ms', NaN, m((r) => r.milestones.firstLine)),
      line('listMs', 'the list itself (agent log "kube: listed nodes" ms)', 'ms', NaN, m((r) => r.milestones.listMs)),
      line('listed', 'start → list done (log)', 'ms', NaN, m((r) => r.milestones.listed)),
      line('firstRouteAdd', 'start → first "route add" logged', 'ms', NaN, m((r) => r.milestones.firstRouteAdd)),
      line('lastRouteAdd', 'start → last "route add" logged', 'ms', NaN, m((r) => r.milestones.lastRouteAdd)),
      line('cidrsMs', 'start → pl_cidrs holds every CIDR', 'ms', NaN, m((r) => r.cidrsMs)),
      line('cpuMsAtSync', 'agent CPU time (user + sys, all threads) at the sync', 'ms', NaN, m((r) => r.cpuMsAtSync)),
      line('mainCpuAtSync', 'main thread on a CPU, start → sync', 'ms', NaN, m((r) => r.mainThreadAtSync?.cpuMs)),
      line('mainWaitAtSync', 'main thread waiting for a CPU, start → sync', 'ms', NaN, m((r) => r.mainThreadAtSync?.waitMs)),
      line('changeCpuP50', 'single node change: main thread on a CPU meanwhile, p50', 'ms', NaN, m((r) => r.changeStats.cpuP50)),
      line('changeWaitP50', 'single node change: main thread waiting for a CPU meanwhile, p50', 'ms', NaN, m((r) => r.changeStats.waitP50)),
      line('changeP90Ms', 'single node change, p90', 'ms', NaN, m((r) => r.changeStats.p90)),
      line('changeMaxMs', 'single node change, max', 'ms', NaN, m((r) => r.changeStats.max)),
      line('changeModifyP50', 'p50 of address changes', 'ms', NaN, m((r) => r.changeStats.byKind.modify.p50)),
      line('changeAddP50', 'p50 of node adds', 'ms', NaN, m((r) => r.changeStats.byKind.add.p50)),
      line('changeDeleteP50', 'p50 of node deletes', 'ms', NaN, m((r) => r.changeStats.byKind.delete.p50)),
      line('hwmAfterSync', 'peak RSS (VmHWM) after the initial sync', 'MiB', NaN, m((r) => r.hwmAfterSyncMiB)),
      line('rssAfterChanges', 'RSS (VmRSS) after the changes', 'MiB', NaN, m((r) => r.rssAfterChangesMiB)),
      line('anonAfterChanges', '… of it anonymous (V8 and malloc heaps)', 'MiB', NaN, m((r) => r.anonAfterChangesMiB)),
      line('fileAfterChanges', '… of it file-backed (the executable\'s pages)', 'MiB', NaN, m((r) => r.fileAfterChangesMiB)),
      line('cpuPerChange', 'agent CPU time per change', 'ms', NaN, m((r) => (r.cpuMsAfterChanges !== undefined && r.cpuMsAtSync !== undefined && r.changes.length
        ? (r.cpuMsAfterChanges - r.cpuMsAtSync) / r.changes.length : undefined))),
    ],
  };
}
