// Wires the CNI dispatcher's verbs to the plans. For --dry-run the plan is printed instead of run.
import type { HandlerContext, Handlers } from '../cni/dispatcher.js';
import type { Result } from '../cni/result.js';
import { nativeSys, type Sys } from '../sys/index.js';
import type { PodDatapath } from '../datapath/index.js';
import { addPlan } from './add.js';
import { addBase, surveyAdd } from './add-facts.js';
import { addResult } from './add-result.js';
import { attachment } from './attachment.js';
import { checkPlan, surveyCheck } from './check.js';
import { delPlan, surveyDel } from './del.js';
import { requireAttachmentList, runGc } from './gc.js';
import { planText, type PlanJson } from './plan.js';
import type { ProbeDeps } from './probe.js';
import { runStatus } from './status.js';
import type { Request } from './types.js';

export interface PluginDeps {
  sys?: () => Sys;
  /** The datapath for this call's config (hostRouting decides whether BPF is attached). */
  datapath: (sys: () => Sys, hostRouting: string) => PodDatapath;
  probeDeps: (sys: () => Sys) => ProbeDeps;
  /** Where a --dry-run plan is printed. */
  printPlan: (text: string) => void;
  planFormat?: 'text' | 'json';
  getenvAll: () => Record<string, string | undefined>;
}

export function toRequest(ctx: HandlerContext, deps: PluginDeps): Request {
  const c = ctx.conf;
  return {
    sys: deps.sys ?? (() => nativeSys()),
    dryRun: ctx.dryRun,
    log: ctx.log,
    env: { containerId: ctx.env.containerId, netns: ctx.env.netns, ifname: ctx.env.ifname, cniPath: ctx.env.path, vars: deps.getenvAll() },
    conf: {
      cniVersion: c.cniVersion,
      name: c.name,
      mode: c.mode,
      mtu: c.mtu,
      modeFile: c.modeFile,
      stateDir: c.stateDir,
      bpfRoot: c.bpfRoot,
      antiSpoof: c.antiSpoof,
      hostRouting: c.hostRouting,
      routing: c.routing,
      clusterCIDRs: c.clusterCIDRs,
      gsoMaxSize: c.gsoMaxSize,
      groMaxSize: c.groMaxSize,
      headroom: c.headroom,
      tailroom: c.tailroom,
      ipamType: c.ipam?.type,
      dns: c.dns,
      prevResult: c.prevResult,
      validAttachments: c.validAttachments,
      raw: c.raw,
      rawText: c.rawText,
    },
  };
}

/** --dry-run: the plan as this node would run it, worded from what the survey read. */
function show(plan: PlanJson, deps: PluginDeps): void {
  deps.printPlan(deps.planFormat === 'json' ? `${JSON.stringify(plan)}\n` : planText(plan));
}

export function makeHandlers(deps: PluginDeps): Handlers {
  const sysOf = deps.sys ?? (() => nativeSys());
  // Every handler closes its datapath (and the netlink socket the tc fallback may have opened).
  const withDp = async <T>(ctx: HandlerContext, fn: (dp: PodDatapath) => T | Promise<T>): Promise<T> => {
    const dp = deps.datapath(sysOf, ctx.conf.hostRouting);
    try {
      return await fn(dp);
    } finally {
      dp.close();
    }
  };
  return {
    add: (ctx): Promise<Result> =>
      withDp(ctx, async (dp) => {
        const base = addBase(toRequest(ctx, deps), dp, () => deps.probeDeps(sysOf));
        if (ctx.dryRun) {
          show(addPlan.describe(surveyAdd(base)), deps);
          return { interfaces: [], ips: [], routes: [], dns: {} };
        }
        const onUndoError = (what: string, e: unknown) => ctx.log.warn(`undo failed: ${what}: ${(e as Error).message}`);
        return addResult(await addPlan.execute(base, { onUndoError, timings: ctx.steps }));
      }),
    del: (ctx) =>
      withDp(ctx, async (dp) => {
        const base = attachment(toRequest(ctx, deps), dp);
        if (ctx.dryRun) return show(delPlan.describe(surveyDel(base)), deps);
        await delPlan.execute(base, { timings: ctx.steps });
      }),
    check: (ctx) =>
      withDp(ctx, async (dp) => {
        const base = attachment(toRequest(ctx, deps), dp);
        if (ctx.dryRun) return show(checkPlan.describe(surveyCheck(base)), deps);
        await checkPlan.execute(base, { timings: ctx.steps });
      }),
    async status(ctx) {
      if (ctx.dryRun) return deps.printPlan('podlink STATUS plan: read the mode file, check bpffs and pinned programs, exec IPAM STATUS\n');
      await withDp(ctx, (dp) => runStatus(toRequest(ctx, deps), dp));
    },
    async gc(ctx) {
      if (ctx.dryRun) {
        requireAttachmentList(toRequest(ctx, deps));
        return deps.printPlan('podlink GC plan: remove recorded attachments absent from cni.dev/valid-attachments, then exec IPAM GC\n');
      }
      await withDp(ctx, (dp) => runGc(toRequest(ctx, deps), dp));
    },
  };
}
