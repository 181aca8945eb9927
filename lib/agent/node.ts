// What the agent knows about a node, from its source to the verdict `podlink status` shows. Pure types.
import type { Routing } from '../connector/index.js';
import type { Family } from '../netlink/index.js';

export type { Routing };

/** A node as a source (the API, a nodes file) gives it: raw strings, not validated yet. */
export interface SourceNode {
  name: string;
  podCIDRs: string[];
  /** In preference order; the first valid address of each family is the one routes go through. */
  addresses: string[];
  /** metadata.creationTimestamp when known: the older of two nodes claiming one CIDR keeps it. */
  createdAt?: string;
}

/**
 * self: this node. native: routed through its address on a directly connected subnet. tunnel: through
 * the VXLAN device to its address. unreachable: valid, but the routing mode offers no path to it.
 * rejected: bad or hostile data; nothing installed.
 */
export type NodePath = 'self' | 'native' | 'tunnel' | 'unreachable' | 'rejected';

export interface NodeVerdict {
  name: string;
  podCIDRs: string[];
  /** The address used per family (at most one IPv4 and one IPv6). */
  addresses: string[];
  path: NodePath;
  /** Why a node is unreachable or rejected. */
  reason?: string;
  /** ISO time this node's data or verdict last changed, as this agent saw it. */
  lastChange?: string;
}

/**
 * One route: a native one is the node's pod CIDR via its address in the same family (gw); a tunnel
 * one goes to the VXLAN device, encapsulated to the node's underlay address (tunnel), either family.
 */
export interface DesiredRoute {
  family: Family;
  dst: string;
  gw?: string;
  tunnel?: string;
  node: string;
}

export interface DesiredState {
  routes: DesiredRoute[];
  /** The host-routing scope for BPF: the pod CIDRs of this node and of every node it routes to. */
  clusterCIDRs: string[];
  verdicts: NodeVerdict[];
  selfFound: boolean;
  /** Whether this node keeps a tunnel device (routing is not native), and its overhead per packet. */
  tunnel: { device: boolean; inUse: boolean; overhead: number };
  /** Every address of every valid remote node: the outer sources the tunnel accepts. */
  peers: string[];
  /** This node's first listed address per family: the outer source of what its tunnel sends. */
  outerSources: { 4?: string; 6?: string };
}
