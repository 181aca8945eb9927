// One reconcile pass as a plan: from the nodes and what the kernel holds to the route and cluster-CIDR
// changes that converge them. The agent applies it; `podlink agent --dry-run` prints it. Pure.
import { CIDR_LEARNED } from '../datapath/index.js';
import { canonicalAddress } from './cidr.js';
import { computeDesired, type Incumbents, type LocalFacts } from './desired.js';
import type { DesiredState, SourceNode } from './node.js';
import { describeRouteChange, planRoutes, type RouteChange, type RouteVia } from './routes.js';
import { TUNNEL_DEVICE, TUNNEL_VNI } from './tunnel-device.js';

export interface CidrPlan {
  add: string[];
  remove: string[];
}

export interface AgentPlan {
  desired: DesiredState;
  routes: RouteChange[];
  /** undefined when the BPF maps are not pinned yet. */
  cidrs?: CidrPlan;
}

export interface KernelView {
  /** Our routes: dst → where they go. */
  routes: ReadonlyMap<string, RouteVia>;
  /** pl_cidrs: CIDR → origin; undefined when the datapath is not loaded. */
  cidrs?: ReadonlyMap<string, number>;
}

/** Learned entries no longer wanted go; wanted ones that no entry holds come (a configured one stays as it is). */
export function planCidrs(desired: readonly string[], current: ReadonlyMap<string, number>): CidrPlan {
  const want = new Set(desired);
  return {
    add: [...want].filter((c) => !current.has(c)),
    remove: [...current].filter(([c, origin]) => origin === CIDR_LEARNED && !want.has(c)).map(([c]) => c),
  };
}

/** At start, before any verdict: each routed CIDR belongs to the node whose address its route uses. */
export function incumbentsFromRoutes(nodes: Iterable<SourceNode>, routes: ReadonlyMap<string, RouteVia>): Incumbents {
  const byAddress = new Map<string, string>();
  for (const n of nodes) for (const a of n.addresses) byAddress.set(canonicalAddress(a), n.name);
  const out = new Map<string, string>();
  for (const [dst, via] of routes) {
    const at = via.gw ?? via.tunnel;
    const owner = at && byAddress.get(at);
    if (owner) out.set(dst, owner);
  }
  return out;
}

export function planAgent(nodes: Iterable<SourceNode>, local: LocalFacts, incumbents: Incumbents, kernel: KernelView): AgentPlan {
  const desired = computeDesired(nodes, local, incumbents);
  return {
    desired,
    routes: planRoutes(desired.routes, kernel.routes, desired.outerSources),
    cidrs: kernel.cidrs && planCidrs(desired.clusterCIDRs, kernel.cidrs),
  };
}

/** The plan in words, one change or verdict per line. */
export function describeAgentPlan(p: AgentPlan): string[] {
  const out = p.routes.map(describeRouteChange);
  if (!p.cidrs) out.push('pl_cidrs: BPF datapath not loaded yet (podlink probe --write); the agent would retry on each resync');
  else out.push(...p.cidrs.remove.map((c) => `pl_cidrs remove ${c} (learned)`), ...p.cidrs.add.map((c) => `pl_cidrs add ${c} (learned)`));
  if (!out.length) out.push('nothing to change: the kernel already holds the desired routes and cluster CIDRs');
  const t = p.desired.tunnel;
  out.push(
    t.device
      ? `tunnel ${TUNNEL_DEVICE} (vxlan external, VNI ${TUNNEL_VNI}, ${t.overhead} bytes of overhead): ` +
          `${t.inUse ? 'in use' : 'kept idle, every node is native'}; pl_tunnel_peers admits ${p.desired.peers.length} node addresses`
      : `no tunnel device (routing: native); ${TUNNEL_DEVICE} and the tunnel maps are removed if present`,
  );
  for (const v of p.desired.verdicts) out.push(`node ${v.name}: ${v.path}${v.reason ? `: ${v.reason}` : ''}`);
  return out;
}
