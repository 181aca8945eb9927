// The simulated cluster: node i (1 … N) has pod CIDRs 10.(128 + i>>8).(i&255).0/24 and fd00:244:<i hex>::/64
// and an address on the measured node's underlay (10.80.0.0/16, fd00:80::/64), so every node is
// directly connected and gets a native route. The measured node itself is node 0. Pure: no I/O.
import type { TestNode } from '../../support/kube-apiserver.js';

export const NET = {
  underlay4: 16,
  underlay6: 64,
  /** the measured node's underlay address (its own entry in the API) and the API server's */
  self4: '10.80.255.253',
  self6: 'fd00:80::fffd',
  api4: '10.80.255.254',
  api6: 'fd00:80::fffe',
  serviceCIDR: '10.96.0.0/12',
} as const;

export const SELF = 'self';
/** Node indexes stay below this so every address and pod CIDR of the plan is distinct and in range. */
export const MAX_INDEX = 30_000;

export interface FleetNode {
  name: string;
  /** [IPv4, IPv6] */
  podCIDRs: [string, string];
  addresses: [string, string];
}

const hex = (i: number) => i.toString(16);

export function nodeName(i: number): string {
  return i === 0 ? SELF : `node-${String(i).padStart(5, '0')}`;
}

export function podCIDRs(i: number): [string, string] {
  return [`10.${128 + (i >> 8)}.${i & 255}.0/24`, i === 0 ? 'fd00:244::/64' : `fd00:244:${hex(i)}::/64`];
}

/** The primary address of node i (i ≥ 1), or its alternate one (what a "modify" switches to and back). */
export function nodeAddresses(i: number, alternate = false): [string, string] {
  if (i < 1 || i >= MAX_INDEX) throw new RangeError(`node index ${i} out of 1…${MAX_INDEX - 1}`);
  return alternate ? [`10.80.${128 + (i >> 8)}.${i & 255}`, `fd00:80::1:${hex(i)}`] : [`10.80.${i >> 8}.${i & 255}`, `fd00:80::${hex(i)}`];
}

export function fleetNode(i: number, alternate = false): FleetNode {
  if (i === 0) return { name: SELF, podCIDRs: podCIDRs(0), addresses: [NET.self4, NET.self6] };
  return { name: nodeName(i), podCIDRs: podCIDRs(i), addresses: nodeAddresses(i, alternate) };
}

/** A Node as the API serves it: both addresses InternalIP. */
export function testNode(n: FleetNode): TestNode {
  return { name: n.name, podCIDRs: [...n.podCIDRs], addresses: n.addresses.map((address) => ({ type: 'InternalIP', address })) };
}

/** This node plus nodes 1 … n. */
export function fleet(n: number): FleetNode[] {
  return Array.from({ length: n + 1 }, (_, i) => fleetNode(i));
}

/** One route the kernel must gain (with this gateway) or lose. */
export interface RouteExpectation {
  op: 'add' | 'del';
  dst: string;
  gw?: string;
}

export type ChangeKind = 'modify' | 'add' | 'delete';

export interface Change {
  kind: ChangeKind;
  node: FleetNode;
  expect: RouteExpectation[];
}

const routesOf = (n: FleetNode): RouteExpectation[] => n.podCIDRs.map((dst, f) => ({ op: 'add', dst, gw: n.addresses[f] }));

/**
 * `count` single-node changes against a fleet of `n` nodes, cycling modify → add → delete: a modify
 * switches one existing node's addresses (to its alternate ones, or back), an add creates node n+1+k, the
 * following delete removes it again, so the fleet has n nodes between changes. Deterministic.
 */
export function changePlan(n: number, count: number): Change[] {
  if (n + 1 + Math.ceil(count / 3) >= MAX_INDEX) throw new RangeError(`${n} nodes and ${count} changes exceed the address plan`);
  const out: Change[] = [];
  const alternate = new Set<number>();
  let added = 0;
  for (let k = 0; k < count; k++) {
    const kind = (['modify', 'add', 'delete'] as const)[k % 3]!;
    if (kind === 'modify') {
      const i = 1 + ((k * 7919) % n); // spread over the fleet; 7919 is prime
      const alt = !alternate.has(i);
      if (alt) alternate.add(i);
      else alternate.delete(i);
      const node = fleetNode(i, alt);
      out.push({ kind, node, expect: routesOf(node) });
    } else if (kind === 'add') {
      const node = fleetNode(n + 1 + added++);
      out.push({ kind, node, expect: routesOf(node) });
    } else {
      const node = out[out.length - 1]!.node;
      out.push({ kind, node, expect: node.podCIDRs.map((dst) => ({ op: 'del', dst })) });
    }
  }
  return out;
}
