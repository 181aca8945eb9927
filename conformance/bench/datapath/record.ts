// What a datapath run hands to the reports.
import type { RunHeader } from '../report.js';
import type { LatencyHold } from '../cpu-latency.js';
import type { Rep } from './cases.js';
import type { Pinning } from './measure.js';
import type { Options } from './options.js';
import type { Ratio } from './verdict.js';
import type { VmOutcome } from './vm.js';

/** Each field only when `--cases` built its case. */
export interface FastPath {
  /** from-pod redirect_peer packets on the (c) client pod's host device */
  bpfRedirectLocal?: number;
  /** from-pod fib + redirect_neigh packets on the (f) client pod's host device */
  twoNodeRedirectFib?: number;
  /** from-uplink redirect_peer packets on node 2's underlay */
  twoNodeUplinkRedirect?: number;
  /** IPv4 datagrams the stacks of node 1 and node 2 forwarded: (h)'s pods, (f) only where BPF passed to the stack */
  twoNodeForwarded?: [number, number];
}

/** What a two-node tunnel case's vxlan devices carried, and what its node stacks forwarded. */
export interface TunnelCounters {
  dev: string;
  /** per node: packets the vxlan device sent (encapsulated) and received (decapsulated) */
  packets: [{ tx: number; rx: number }, { tx: number; rx: number }];
  forwarded: [number, number];
}

export interface RunRecord extends RunHeader {
  o: Options;
  reps: Rep[];
  vm: VmOutcome;
  /** the PM QoS CPU latency request on the host, around latency samples */
  latencyHold: LatencyHold;
  /** CPUs of clients and servers (taskset); none: the scheduler places them */
  pin?: Pinning;
  ratios: Ratio[];
  info: Ratio[];
  vmRatios: Ratio[];
  /** nf_conntrack_count in the loaded node netns at the end */
  conntrack: Record<string, number | null>;
  fastPath?: FastPath;
  /** (i) flannel.1 and (j) podlink_vxlan, when built */
  tunnels?: { flannel?: TunnelCounters; tunnel?: TunnelCounters };
  notes: string[];
  warnings: string[];
  cleanupErrors: string[];
  leftovers: string[];
}
