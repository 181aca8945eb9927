// The agent's native routes in the kernel: pod CIDR via node address, tagged with podlink's own
// rtm_protocol so the agent finds its own routes and never touches anyone else's.
import { NetlinkError, NL, type Netlink, type Route } from '../netlink/index.js';
import { E } from '../sys/index.js';
import type { DesiredRoute } from './node.js';

/** rtm_protocol of the agent's routes (`ip route show proto 201`); unused by iproute2's rt_protos and the kernel. */
export const RTPROT_PODLINK = 201;

export interface RouteChange {
  op: 'add' | 'change' | 'remove';
  family: 4 | 6;
  dst: string;
  gw?: string;
  node?: string;
}

export interface RouteFailure {
  dst: string;
  error: string;
}

export interface RouteSyncResult {
  changes: RouteChange[];
  failures: RouteFailure[];
}

/** Our routes as the kernel holds them: dst → gateway (main table, our protocol only). */
export function readPodlinkRoutes(nl: Netlink): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const f of [4, 6] as const) {
    for (const r of nl.routes(f)) if (isOurs(r)) out.set(r.dst, r.gw);
  }
  return out;
}

function isOurs(r: Route): boolean {
  return r.protocol === RTPROT_PODLINK && r.table === NL.RT_TABLE_MAIN;
}

/** What brings the routes `current` holds to `desired`: removals first, then adds and changes. Pure. */
export function planRoutes(desired: readonly DesiredRoute[], current: ReadonlyMap<string, string | undefined>): RouteChange[] {
  const want = new Set(desired.map((r) => r.dst));
  const family = (dst: string) => (dst.includes(':') ? 6 : 4);
  const out: RouteChange[] = [];
  for (const [dst, gw] of current) if (!want.has(dst)) out.push({ op: 'remove', family: family(dst), dst, gw });
  for (const r of desired) {
    const had = current.has(r.dst);
    if (!had || current.get(r.dst) !== r.gw) out.push({ op: had ? 'change' : 'add', family: r.family, dst: r.dst, gw: r.gw, node: r.node });
  }
  return out;
}

/** Applies planned changes; `current` is updated in place to what the kernel now holds. */
export function applyRoutes(nl: Netlink, plan: readonly RouteChange[], current: Map<string, string | undefined>): RouteSyncResult {
  const changes: RouteChange[] = [];
  const failures: RouteFailure[] = [];
  for (const c of plan) {
    try {
      if (c.op === 'remove') {
        nl.deleteRoute({ dst: c.dst, gw: c.gw, protocol: RTPROT_PODLINK });
        current.delete(c.dst);
      } else {
        install(nl, c);
        current.set(c.dst, c.gw);
      }
      changes.push(c);
    } catch (e) {
      failures.push({ dst: c.dst, error: (e as Error).message });
    }
  }
  return { changes, failures };
}

export function describeRouteChange(c: RouteChange): string {
  return `route ${c.op} ${c.dst}${c.gw ? ` via ${c.gw}` : ''} proto ${RTPROT_PODLINK}${c.node ? ` (node ${c.node})` : ''}`;
}

/** Adds a new route exclusively, so a route someone else made for the same destination is never replaced. */
function install(nl: Netlink, r: RouteChange): void {
  const spec = { dst: r.dst, gw: r.gw, protocol: RTPROT_PODLINK };
  if (r.op === 'change') return nl.replaceRoute(spec);
  try {
    nl.addRoute(spec);
  } catch (e) {
    if (!(e instanceof NetlinkError) || e.errno !== E.EEXIST) throw e;
    const owner = nl.routes(r.family).find((x) => x.dst === r.dst && x.table === NL.RT_TABLE_MAIN);
    if (owner && !isOurs(owner)) {
      throw new Error(`route ${r.dst} exists with protocol ${owner.protocol}: podlink leaves routes it did not make alone`);
    }
    nl.replaceRoute(spec);
  }
}

/** Every podlink route (uninstall): returns the destinations, removed unless `dryRun`. */
export function removePodlinkRoutes(nl: Netlink, dryRun = false): string[] {
  const ours = readPodlinkRoutes(nl);
  if (!dryRun) for (const [dst, gw] of ours) nl.deleteRoute({ dst, gw, protocol: RTPROT_PODLINK });
  return [...ours.keys()];
}
