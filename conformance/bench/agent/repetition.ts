// One repetition: a fresh node netns and agent against the run's API server. Measures the time from
// the agent's spawn until the kernel holds every expected route (and pl_cidrs every CIDR), the peak
// RSS, then single-node changes one at a time, each from the server's write of the watch event to the
// kernel's route notification; the agent is stopped and the node netns removed at the end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KubeApiServer } from '../../support/kube-apiserver.js';
import { progress, type Cleanup, type Netns } from '../harness.js';
import { nsIp } from '../../support/netns.js';
import type { Sys } from '../../../lib/sys/index.js';
import { parseLog, parseProcStatCpuMs, parseProcStatus, parseSchedstat, startupMilestones } from './agent-log.js';
import { pollClusterCidrs } from './cidr-poll.js';
import { testNode, type Change, type FleetNode, type RouteExpectation } from './fleet.js';
import { DEFAULTS, type Options } from './options.js';
import { RouteMonitor } from './route-monitor.js';
import { agentArgs, buildNode, startAgent, stopAgent, type AgentProcess, type ApiNetns } from './testbed.js';
import { changeStats, type ChangeSample, type RepResult } from './verdict.js';

export const RTPROT_PODLINK = 201;

export interface RunContext {
  c: Cleanup & { children: Set<import('node:child_process').ChildProcess> };
  netns: Netns;
  sys: Sys;
  libDir: string;
  api: KubeApiServer;
  apiNs: ApiNetns;
  kubeconfig: string;
  tag: string;
  work: string;
  bpfBase: string;
  bin: string;
  o: Options;
  /** the API's nodes as they stand (name → node), kept in step with every change */
  fleet: Map<string, FleetNode>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function readProc(pid: number | undefined): ReturnType<typeof parseProcStatus> & { cpuMs?: number } {
  if (pid === undefined) return {};
  try {
    return { ...parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8')), cpuMs: parseProcStatCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) };
  } catch {
    return {};
  }
}

function schedstat(pid: number | undefined): { cpuMs: number; waitMs: number } | undefined {
  try {
    return pid === undefined ? undefined : parseSchedstat(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function kernelRouteCount(ns: string): number {
  let n = 0;
  for (const f of ['-4', '-6']) n += (JSON.parse(nsIp(ns, ['-j', f, 'route', 'show', 'proto', String(RTPROT_PODLINK)]) || '[]') as unknown[]).length;
  return n;
}

function expectedState(fleet: Map<string, FleetNode>): { routes: RouteExpectation[]; cidrs: string[] } {
  const routes: RouteExpectation[] = [];
  const cidrs: string[] = [];
  for (const n of fleet.values()) {
    cidrs.push(...n.podCIDRs);
    if (n.name !== 'self') n.podCIDRs.forEach((dst, f) => routes.push({ op: 'add', dst, gw: n.addresses[f] }));
  }
  return { routes, cidrs };
}

function applyChange(x: RunContext, ch: Change): void {
  if (ch.kind === 'modify') x.api.modifyNode(testNode(ch.node));
  else if (ch.kind === 'add') x.api.addNode(testNode(ch.node));
  else x.api.deleteNode(ch.node.name);
  if (ch.kind === 'delete') x.fleet.delete(ch.node.name);
  else x.fleet.set(ch.node.name, ch.node);
}

function agentReconciles(modeFile: string): RepResult['reconciles'] {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(path.dirname(modeFile), 'agent.json'), 'utf8')) as { reconciles?: { count: number; lastMs?: number } };
    return s.reconciles;
  } catch {
    return undefined;
  }
}

export async function runRepetition(x: RunContext, rep: number, changes: Change[]): Promise<RepResult> {
  const errors: string[] = [];
  const bed = buildNode({ netns: x.netns, api: x.apiNs, tag: x.tag, rep, work: x.work, bpfBase: x.bpfBase, bin: x.bin });
  const monitor = await RouteMonitor.start(x.c, { netnsPath: `/run/netns/${bed.ns}`, libDir: x.libDir, protocol: RTPROT_PODLINK });
  let agent: AgentProcess | undefined;
  try {
    const want = expectedState(x.fleet);
    const routesDone = monitor.until(want.routes, DEFAULTS.syncTimeoutS * 1000);
    agent = startAgent(x.c, bed, x.bin, agentArgs(bed, x.kubeconfig, x.o.logLevel));
    const a = agent;
    let stopping = false;
    a.child.once('exit', (code, sig) => {
      if (!stopping) errors.push(`the agent exited (${code ?? sig}) during the repetition`);
    });
    const cidrsDone = pollClusterCidrs(x.sys, bed.bpfRoot, want.cidrs, { everyMs: 2, timeoutMs: DEFAULTS.syncTimeoutS * 1000 });
    const tRoutes = await routesDone;
    const atSync = readProc(a.pid());
    const schedAtSync = schedstat(a.pid());
    const cidrs = await cidrsDone;
    if (cidrs.error) errors.push(`pl_cidrs: ${cidrs.error}`);
    const syncMs = tRoutes === undefined ? DEFAULTS.syncTimeoutS * 1000 : tRoutes - a.startedHr;
    progress(`rep ${rep}: ${want.routes.length} routes after ${tRoutes === undefined ? 'TIMEOUT' : `${Math.round(syncMs)} ms`}, ` +
      `pl_cidrs ${cidrs.learned}/${cidrs.expected} after ${cidrs.t === undefined ? '–' : `${Math.round(cidrs.t - a.startedHr)} ms`}, VmHWM ${atSync.hwmMiB?.toFixed(0)} MiB`);
    const kernelRoutes = kernelRouteCount(bed.ns);
    if (kernelRoutes !== want.routes.length) errors.push(`ip route lists ${kernelRoutes} protocol-${RTPROT_PODLINK} routes after the sync, expected ${want.routes.length}`);
    if (tRoutes !== undefined) await x.api.waitForWatches(1, 10_000);
    const changesWall = Date.now(); // the log's start-up milestones end here
    const samples: ChangeSample[] = [];
    const rssTrace: number[] = [];
    if (tRoutes === undefined) errors.push('no single-node changes: the initial sync did not complete');
    for (const ch of tRoutes === undefined ? [] : changes) {
      if (samples.length % 10 === 0) rssTrace.push(Math.round(readProc(a.pid()).rssMiB ?? NaN));
      await sleep(DEFAULTS.gapMs / 2 + Math.random() * DEFAULTS.gapMs); // idle agent; no two changes in one pass
      const done = monitor.until(ch.expect, DEFAULTS.changeTimeoutMs);
      const s0 = schedstat(a.pid());
      applyChange(x, ch);
      const tWrite = nowMs();
      const t = await done;
      const s1 = schedstat(a.pid());
      samples.push({
        kind: ch.kind, node: ch.node.name, ms: t === undefined ? DEFAULTS.changeTimeoutMs : Math.max(0, t - tWrite), timedOut: t === undefined,
        cpuMs: s0 && s1 ? s1.cpuMs - s0.cpuMs : NaN, waitMs: s0 && s1 ? s1.waitMs - s0.waitMs : NaN,
      });
    }
    const after = readProc(a.pid());
    const stats = changeStats(samples);
    progress(`rep ${rep}: ${samples.length} changes p50 ${stats.p50.toFixed(1)} ms, p90 ${stats.p90.toFixed(1)} ms, max ${stats.max.toFixed(1)} ms` +
      `${stats.timeouts ? `, ${stats.timeouts} TIMED OUT` : ''}; VmHWM ${after.hwmMiB?.toFixed(0)} MiB`);
    const reconciles = agentReconciles(bed.modeFile);
    stopping = true;
    await stopAgent(a);
    const log = parseLog(fs.existsSync(bed.log) ? fs.readFileSync(bed.log, 'utf8') : '');
    const milestones = startupMilestones(log.lines, a.startedWall, changesWall - a.startedWall);
    if (monitor.overflows) errors.push(`the route monitor's socket overflowed ${monitor.overflows} times (ENOBUFS): events may be missing`);
    if (monitor.error) errors.push(`route monitor: ${monitor.error}`);
    return {
      rep, expectedRoutes: want.routes.length, expectedCidrs: want.cidrs.length, syncMs, syncTimedOut: tRoutes === undefined,
      cidrsMs: cidrs.t === undefined ? NaN : cidrs.t - a.startedHr, kernelRoutes, learnedCidrs: cidrs.learned, milestones,
      cpuMsAtSync: atSync.cpuMs, mainThreadAtSync: schedAtSync, hwmAfterSyncMiB: atSync.hwmMiB, rssAfterSyncMiB: atSync.rssMiB,
      changes: samples, changeStats: stats, cpuMsAfterChanges: after.cpuMs, hwmAfterChangesMiB: after.hwmMiB, rssAfterChangesMiB: after.rssMiB, anonAfterChangesMiB: after.anonMiB, fileAfterChangesMiB: after.fileMiB,
      rssTrace, reconciles, monitorOverflows: monitor.overflows, errors: [...errors, ...milestones.errors.map((e) => `agent log: ${e}`)],
    };
  } finally {
    if (agent) await stopAgent(agent);
    monitor.stop();
    x.netns.delete([bed.ns]);
    fs.rmSync(bed.bpfRoot, { recursive: true, force: true });
  }
}
