// From the nodes a source reports to the routes and BPF cluster CIDRs this node should hold, with a
// verdict per node. Pure: the same input always gives the same answer, so a restart, a missed event
// or a relist converges to one kernel state (docs/architecture.md#the-agent).
import { TUNNEL_OVERHEAD } from '../connector/index.js';
import type { Family } from '../netlink/index.js';
import { addressFamily, addressValue, canonicalAddress, contains, overlaps, parsePrefix, type Prefix } from './cidr.js';
import type { DesiredRoute, DesiredState, NodeVerdict, Routing, SourceNode } from './node.js';

export const UNREACHABLE_REASON = 'not on a directly connected subnet (routing: native; tunnel or auto would reach it)';
export const NO_UNDERLAY_REASON = 'no address in a family this node has: the tunnel has no underlay to it';

export interface LocalFacts {
  selfName: string;
  /** The network config's routing mode (default auto). */
  routing?: Routing;
  /** This node's own networks (global addresses with their prefix), e.g. 192.168.1.10/24. */
  connected: { prefix: Prefix; address: string }[];
  /** Service CIDRs: no pod CIDR may overlap them. */
  serviceCIDRs: Prefix[];
}

/** Who held each pod CIDR before (from the last verdicts, or the kernel's routes at start): it keeps it. */
export type Incumbents = ReadonlyMap<string, string>;

interface Candidate {
  node: SourceNode;
  prefixes: Prefix[];
  address: Partial<Record<Family, string>>;
  /** Every address the node lists (canonical): the tunnel admits any of them as an outer source. */
  all: string[];
  /** The same addresses as numbers, for the subnet checks. */
  value: Partial<Record<Family, bigint>>;
}

function reject(n: SourceNode, reason: string, address: string[] = []): NodeVerdict {
  return { name: n.name, podCIDRs: [...n.podCIDRs], addresses: address, path: 'rejected', reason };
}

function addressesOf(c: Candidate): string[] {
  return [c.address[4], c.address[6]].filter((a): a is string => a !== undefined);
}

/**
 * A source hands over the same object for a node until that node changes, so a node is parsed once per
 * change, not once per pass: with 5 000 nodes, parsing every pass cost about 100 ms of CPU per event.
 */
const parseCache = new WeakMap<SourceNode, Candidate | NodeVerdict>();

function parseNodeOnce(n: SourceNode): Candidate | NodeVerdict {
  let r = parseCache.get(n);
  if (!r) parseCache.set(n, (r = parseNode(n)));
  return r;
}

/** Syntax and family checks of one node; a Candidate when its data is usable. */
function parseNode(n: SourceNode): Candidate | NodeVerdict {
  if (!Array.isArray(n.podCIDRs) || n.podCIDRs.length === 0) return reject(n, 'no pod CIDRs (spec.podCIDRs is empty)');
  const prefixes: Prefix[] = [];
  for (const text of n.podCIDRs) {
    const p = parsePrefix(text);
    if ('error' in p) return reject(n, `malformed pod CIDR: ${p.error}`);
    prefixes.push(p);
  }
  const address: Partial<Record<Family, string>> = {};
  const all: string[] = [];
  for (const a of Array.isArray(n.addresses) ? n.addresses : []) {
    const f = addressFamily(a);
    if (f === undefined) return reject(n, `malformed address ${JSON.stringify(a)}`);
    const canonical = canonicalAddress(a); // as the kernel's route dumps print it
    address[f] ??= canonical;
    if (!all.includes(canonical)) all.push(canonical);
  }
  const value: Partial<Record<Family, bigint>> = {};
  for (const f of [4, 6] as const) if (address[f]) value[f] = addressValue(address[f]);
  const c: Candidate = { node: n, prefixes, address, all, value };
  if (!address[4] && !address[6]) return reject(n, 'no InternalIP or ExternalIP address');
  return c;
}

/** Checks of a remote node against this node: its CIDRs and addresses must not collide with ours. */
function localConflict(c: Candidate, self: Candidate | undefined, local: LocalFacts): string | undefined {
  for (const p of c.prefixes) {
    const mine = self?.prefixes.find((q) => overlaps(p, q));
    if (mine) return `pod CIDR ${p.cidr} overlaps this node's pod CIDR ${mine.cidr}`;
    const svc = local.serviceCIDRs.find((q) => overlaps(p, q));
    if (svc) return `pod CIDR ${p.cidr} overlaps the service CIDR ${svc.cidr}`;
    const net = local.connected.find((q) => overlaps(p, q.prefix));
    if (net) return `pod CIDR ${p.cidr} overlaps this node's network ${net.prefix.cidr}`;
  }
  for (const a of addressesOf(c)) {
    if (local.connected.some((q) => q.address === a)) return `address ${a} is this node's own`;
  }
  return undefined;
}

/**
 * The underlay family to a tunnelled node: IPv4 when both ends have it, else IPv6. This end's families come
 * from its own entry in the node list when it has one, as the other end sees it: the other end admits only
 * the addresses listed for this node, so both must pick the same family. And the kernel must have it.
 */
function underlayFamily(c: Candidate, self: Candidate | undefined, local: LocalFacts): 4 | 6 | undefined {
  const mine = (f: 4 | 6) => (!self || self.address[f] !== undefined) && local.connected.some((q) => q.prefix.family === f);
  const has = (f: 4 | 6) => c.address[f] !== undefined && mine(f);
  return has(4) ? 4 : has(6) ? 6 : undefined;
}

/** A native route needs, for each pod CIDR family, the node's address in that family on a connected subnet. */
function nativeProblem(c: Candidate, local: LocalFacts): string | undefined {
  for (const f of new Set(c.prefixes.map((p) => p.family))) {
    const ip = c.value[f];
    if (ip === undefined) return `its IPv${f} pod CIDR needs an IPv${f} node address for a native route (routing: native)`;
    if (!local.connected.some((q) => contains(q.prefix, f, ip))) return UNREACHABLE_REASON;
  }
  return undefined;
}

/** Order of precedence when two nodes claim overlapping CIDRs: incumbent, then older, then name. */
function precedence(incumbents: Incumbents) {
  const held = (c: Candidate) => c.prefixes.some((p) => incumbents.get(p.cidr) === c.node.name);
  return (a: Candidate, b: Candidate): number => {
    const h = Number(held(b)) - Number(held(a));
    if (h !== 0) return h;
    const ta = a.node.createdAt ?? '\uffff';
    const tb = b.node.createdAt ?? '\uffff';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0;
  };
}

/** True when some two of the prefixes overlap: one sort, one sweep. */
function anyOverlap(all: Prefix[]): boolean {
  const sorted = [...all].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.family === b.family && b.start <= a.end) return true;
  }
  return false;
}

/**
 * The nodes that keep their CIDRs when claims overlap, and a verdict for each that loses. Overlaps are
 * rare, so the common case is one sort; only when there is one do the claims go in precedence order.
 */
function resolveOverlaps(cands: Candidate[], incumbents: Incumbents): { kept: Candidate[]; lost: NodeVerdict[] } {
  if (!anyOverlap(cands.flatMap((c) => c.prefixes))) return { kept: cands, lost: [] };
  const kept: Candidate[] = [];
  const lost: NodeVerdict[] = [];
  for (const c of [...cands].sort(precedence(incumbents))) {
    let clash: string | undefined;
    for (const k of kept) {
      const p = c.prefixes.find((x) => k.prefixes.some((y) => overlaps(x, y)));
      if (p) {
        const q = k.prefixes.find((y) => overlaps(p, y))!;
        clash = `pod CIDR ${p.cidr} overlaps node ${k.node.name}'s ${q.cidr}`;
        break;
      }
    }
    if (clash) lost.push(reject(c.node, clash, addressesOf(c)));
    else kept.push(c);
  }
  return { kept, lost };
}

export function computeDesired(nodes: Iterable<SourceNode>, local: LocalFacts, incumbents: Incumbents = new Map()): DesiredState {
  const verdicts: NodeVerdict[] = [];
  const remote: Candidate[] = [];
  let self: Candidate | undefined;
  let selfFound = false;
  for (const n of nodes) {
    const parsed = parseNodeOnce(n);
    if (n.name === local.selfName) {
      selfFound = true;
      if ('path' in parsed) verdicts.push(parsed);
      else {
        self = parsed;
        verdicts.push({ name: n.name, podCIDRs: parsed.prefixes.map((p) => p.cidr), addresses: addressesOf(parsed), path: 'self' });
      }
      continue;
    }
    if ('path' in parsed) verdicts.push(parsed);
    else remote.push(parsed);
  }
  const checked: Candidate[] = [];
  for (const c of remote) {
    const why = localConflict(c, self, local);
    if (why) verdicts.push(reject(c.node, why, addressesOf(c)));
    else checked.push(c);
  }
  const { kept, lost } = resolveOverlaps(checked, incumbents);
  verdicts.push(...lost);
  const routes: DesiredRoute[] = [];
  const clusterCIDRs = self ? self.prefixes.map((p) => p.cidr) : [];
  const routing = local.routing ?? 'auto';
  const tunnel = { device: routing !== 'native', inUse: false, overhead: TUNNEL_OVERHEAD[4] as number };
  const peers: string[] = [];
  for (const c of kept) {
    const podCIDRs = c.prefixes.map((p) => p.cidr);
    const addresses = addressesOf(c);
    peers.push(...c.all);
    const nativeWhyNot = routing === 'tunnel' ? 'routing: tunnel' : nativeProblem(c, local);
    if (!nativeWhyNot) {
      verdicts.push({ name: c.node.name, podCIDRs, addresses, path: 'native' });
      for (const p of c.prefixes) routes.push({ family: p.family, dst: p.cidr, gw: c.address[p.family]!, node: c.node.name });
      clusterCIDRs.push(...podCIDRs);
      continue;
    }
    const under = routing === 'native' ? undefined : underlayFamily(c, self, local);
    if (under === undefined) {
      const reason = routing === 'native' ? nativeWhyNot : NO_UNDERLAY_REASON;
      verdicts.push({ name: c.node.name, podCIDRs, addresses, path: 'unreachable', reason });
      continue;
    }
    verdicts.push({ name: c.node.name, podCIDRs, addresses, path: 'tunnel' });
    tunnel.inUse = true;
    tunnel.overhead = Math.max(tunnel.overhead, TUNNEL_OVERHEAD[under]);
    for (const p of c.prefixes) routes.push({ family: p.family, dst: p.cidr, tunnel: c.address[under]!, node: c.node.name });
    clusterCIDRs.push(...podCIDRs);
  }
  verdicts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const outerSources = { 4: self?.address[4], 6: self?.address[6] };
  return { routes, clusterCIDRs, verdicts, selfFound, tunnel, peers: [...new Set(peers)], outerSources };
}
