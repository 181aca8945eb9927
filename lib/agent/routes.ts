// The agent's routes in the kernel, tagged with podlink's own rtm_protocol so the agent finds its own
// routes and never touches anyone else's: native ones (pod CIDR via node address) and tunnel ones
// (pod CIDR on the VXLAN device, with a lightweight-tunnel encap naming the node's underlay address, so
// traffic the stack routes, from the node, hostNetwork pods or after kube-proxy's DNAT, is tunnelled too).
import * as NL from '../netlink/constants.js';
import { ipFamily, NetlinkError, type Netlink, type Route, type RouteSpec } from '../netlink/index.js';
import { E } from '../sys/index.js';
import type { DesiredRoute } from './node.js';
import { TUNNEL_DEVICE, TUNNEL_VNI } from './tunnel-device.js';

/** rtm_protocol of the agent's routes (`ip route show proto 201`); unused by iproute2's rt_protos and the kernel. */
export const RTPROT_PODLINK = 201;

/** Where a route sends its traffic: a gateway (native) or a tunnel endpoint (the node's underlay address). */
export interface RouteVia {
  gw?: string;
  tunnel?: string;
  /** a tunnel route's outer source: this node's listed address of the underlay family */
  src?: string;
}

/** ip_tunnel's TUNNEL_CSUM: an IPv6 underlay gets an outer UDP checksum, an IPv4 one none (as the BPF path). */
const TUNNEL_CSUM = 0x1;

export interface RouteChange extends RouteVia {
  op: 'add' | 'change' | 'remove';
  family: 4 | 6;
  dst: string;
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

/** Our routes as the kernel holds them: dst → where it goes (main table, our protocol only). */
export function readPodlinkRoutes(nl: Netlink): Map<string, RouteVia> {
  const out = new Map<string, RouteVia>();
  for (const f of [4, 6] as const) {
    for (const r of nl.routes(f)) if (isOurs(r)) out.set(r.dst, r.encap ? { tunnel: r.encap.dst, src: r.encap.src } : { gw: r.gw });
  }
  return out;
}

const sameVia = (a: RouteVia | undefined, b: RouteVia) => a !== undefined && a.gw === b.gw && a.tunnel === b.tunnel && a.src === b.src;

/** The outer source a tunnel route to `remote` carries (encapTo's), given this node's addresses. */
const outerSource = (remote: string, local: TunnelRouteContext['local'] | undefined) => local?.[ipFamily(remote) === 4 ? 4 : 6];

function isOurs(r: Route): boolean {
  return r.protocol === RTPROT_PODLINK && r.table === NL.RT_TABLE_MAIN;
}

/**
 * What brings the routes `current` holds to `desired`: removals first, then adds and changes. Pure. With
 * `local` (this node's outer sources), a tunnel route whose source is another address is changed too.
 */
export function planRoutes(
  desired: readonly DesiredRoute[],
  current: ReadonlyMap<string, RouteVia>,
  local?: TunnelRouteContext['local'],
): RouteChange[] {
  const want = new Set(desired.map((r) => r.dst));
  const family = (dst: string) => (dst.includes(':') ? 6 : 4);
  const out: RouteChange[] = [];
  for (const [dst, via] of current) if (!want.has(dst)) out.push({ op: 'remove', family: family(dst), dst, ...via });
  for (const r of desired) {
    const have = current.get(r.dst);
    // Without `local` the outer source is not known yet, and any will do.
    const src = r.tunnel ? (local ? outerSource(r.tunnel, local) : have?.src) : undefined;
    if (!sameVia(have, { gw: r.gw, tunnel: r.tunnel, src }))
      out.push({ op: have ? 'change' : 'add', family: r.family, dst: r.dst, gw: r.gw, tunnel: r.tunnel, node: r.node });
  }
  return out;
}

/** The tunnel device and this node's outer source addresses, for tunnel routes. */
export interface TunnelRouteContext {
  ifindex: number;
  local: { 4?: string; 6?: string };
}

/**
 * Applies planned changes; `current` is updated in place to what the kernel now holds. Tunnel routes need
 * the tunnel device (`tunnel`); without one they fail and the next pass tries again.
 */
export function applyRoutes(
  nl: Netlink,
  plan: readonly RouteChange[],
  current: Map<string, RouteVia>,
  tunnel?: TunnelRouteContext,
): RouteSyncResult {
  const changes: RouteChange[] = [];
  const failures: RouteFailure[] = [];
  for (const c of plan) {
    try {
      if (c.op === 'remove') {
        nl.deleteRoute(removalSpec(c.dst, c));
        current.delete(c.dst);
      } else {
        install(nl, c, tunnel);
        current.set(c.dst, c.tunnel ? { tunnel: c.tunnel, src: outerSource(c.tunnel, tunnel?.local) } : { gw: c.gw });
      }
      changes.push(c);
    } catch (e) {
      failures.push({ dst: c.dst, error: (e as Error).message });
    }
  }
  return { changes, failures };
}

export function describeRouteChange(c: RouteChange): string {
  const via = c.tunnel ? ` dev ${TUNNEL_DEVICE} encap ip id ${TUNNEL_VNI} dst ${c.tunnel}` : c.gw ? ` via ${c.gw}` : '';
  return `route ${c.op} ${c.dst}${via} proto ${RTPROT_PODLINK}${c.node ? ` (node ${c.node})` : ''}`;
}

/** The outer header: to the node's address, from this node's listed one (the address its peers admit). */
const encapTo = (remote: string, local?: TunnelRouteContext['local']) => {
  const v4 = ipFamily(remote) === 4;
  const src = outerSource(remote, local);
  return { type: v4 ? 'ip' : 'ip6', id: TUNNEL_VNI, dst: remote, ...(src ? { src } : {}), ttl: 64, flags: v4 ? 0 : TUNNEL_CSUM } as const;
};

function routeSpec(r: RouteChange, tunnel: TunnelRouteContext | undefined): RouteSpec {
  if (!r.tunnel) return { dst: r.dst, gw: r.gw, protocol: RTPROT_PODLINK };
  if (!tunnel) throw new Error(`no ${TUNNEL_DEVICE} device yet for the tunnel route`);
  return { dst: r.dst, oif: tunnel.ifindex, scope: 'link', protocol: RTPROT_PODLINK, encap: encapTo(r.tunnel, tunnel.local) };
}

/** A delete names protocol and scope (IPv4 deletes match the scope: fib_table_delete; tunnel routes are link). */
function removalSpec(dst: string, via: RouteVia): RouteSpec {
  return via.tunnel
    ? { dst, scope: 'link', protocol: RTPROT_PODLINK, encap: encapTo(via.tunnel) }
    : { dst, gw: via.gw, protocol: RTPROT_PODLINK };
}

/** Adds a new route exclusively, so a route someone else made for the same destination is never replaced. */
function install(nl: Netlink, r: RouteChange, tunnel: TunnelRouteContext | undefined): void {
  const spec = routeSpec(r, tunnel);
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
  if (!dryRun) for (const [dst, via] of ours) nl.deleteRoute(removalSpec(dst, via));
  return [...ours.keys()];
}
