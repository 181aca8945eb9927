// The BPF datapath as the plugin sees it. lib/datapath implements it; a build or kernel without it uses
// the stack-only implementation (hostRouting: legacy).
import type { OperationalMode } from '../connector/index.js';

export interface EndpointAttach {
  bpfRoot: string;
  mode: OperationalMode;
  tcx: boolean;
  hostIfName: string;
  hostIfindex: number;
  podIfindex: number;
  hostMac?: string;
  podMac?: string;
  ips: string[];
  antiSpoof: boolean;
  clusterCIDRs: string[];
}

export interface DatapathPort {
  /**
   * True when attach() installs a from-pod program: netkit pods are then created with peer policy
   * drop (fail-closed until the program is attached). Without one they must forward, or the pod could
   * never send.
   */
  readonly attachesFromPod: boolean;
  /** Operations in words for --dry-run. */
  describeAttach(a: Omit<EndpointAttach, 'hostIfindex' | 'podIfindex' | 'ips'>): string[];
  /** Attaches programs, pins links, writes map entries. Returns the pin paths created. */
  attach(a: EndpointAttach): string[];
  /** (Re)writes the endpoint's map entries for a.ips: ADD attaches before IPAM has answered. */
  publish(a: EndpointAttach): void;
  /** Operations of publish, in words. */
  describePublish(): string[];
  /** Idempotent: unpins links and removes map entries; missing things are fine. */
  detach(bpfRoot: string, hostIfName: string, hostIfindex: number | undefined, ips: string[]): void;
  /** Problems found (empty = healthy). */
  check(a: EndpointAttach): string[];
  /** Node readiness problems (empty = ready). */
  ready(bpfRoot: string): string[];
  /** Releases what the port opened (the tc fallback's netlink socket). Called once per CNI call. */
  close?(): void;
}

export const noDatapath: DatapathPort = {
  attachesFromPod: false,
  describeAttach: () => ['no BPF datapath (hostRouting: legacy): pod traffic is routed by the node stack'],
  attach: () => [],
  publish: () => {},
  describePublish: () => [],
  detach: () => {},
  check: () => [],
  ready: () => [],
};
