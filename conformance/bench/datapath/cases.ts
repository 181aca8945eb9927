// The topologies measured ("cases"), what is measured in each, and one repetition's samples.
import { UsageError } from '../suite.js';
import type { MixTarget, RrSample, TputSample } from './measure.js';

export type CaseKey = 'lo' | 'direct' | 'legacy' | 'bpf' | 'legacyLoad' | 'bpfLoad' | 'twoNode' | 'underlay' | 'twoNodeLegacy' | 'flannel' | 'tunnel'
  | 'vxlanUnderlay' | 'vxlanNode'
  | 'vmVeth' | 'vmNetkit' | 'vmVeth2' | 'vmNetkit2' | 'vmUnderlay';
export type Metric = 'tput1500' | 'tput9000' | 'rr' | 'crr';
export const METRICS: Metric[] = ['tput1500', 'tput9000', 'rr', 'crr'];

export const CASE_LABELS: Record<CaseKey, string> = {
  lo: 'loopback in one netns (info)',
  direct: '(a) host best case: direct veth pair',
  legacy: '(b) veth, upper-stack forwarding (legacy)',
  bpf: '(c) veth, BPF host routing',
  legacyLoad: '(d) veth legacy + kube-proxy load',
  bpfLoad: '(d) veth BPF + kube-proxy load',
  twoNode: '(f) veth BPF, two nodes (fib + redirect_neigh / from-uplink)',
  underlay: '(g) two nodes, node to node over the underlay (no pod)',
  twoNodeLegacy: '(h) veth legacy, two nodes (the node stacks forward)',
  flannel: "(i) flannel's vxlan by hand, two nodes (kernel vxlan device, the node stacks forward)",
  tunnel: '(j) veth BPF, two nodes, podlink tunnel (podlink_vxlan)',
  vxlanUnderlay: "(g′) (i)'s two nodes, node to node over their underlay (no pod)",
  vxlanNode: "(k) (i)'s two nodes, node to node through flannel.1 (the kernel's VXLAN alone, no pod)",
  vmVeth: '(e) VM: veth BPF, one node',
  vmNetkit: '(e) VM: netkit BPF, one node',
  vmVeth2: '(e) VM: veth BPF, two nodes',
  vmNetkit2: '(e) VM: netkit BPF, two nodes',
  vmUnderlay: '(e) VM: two nodes, node to node over the underlay (no pod)',
};

/** The cases the host testbed can build, in the report's order; `--cases` picks from these. */
export const HOST_CASES: CaseKey[] = ['direct', 'legacy', 'bpf', 'legacyLoad', 'bpfLoad', 'twoNode', 'underlay', 'twoNodeLegacy', 'flannel', 'tunnel', 'vxlanUnderlay', 'vxlanNode', 'lo'];

/** `--cases a,b,…`: host case keys; anything else is an error naming the valid keys. */
export function parseCases(list: string): CaseKey[] {
  const keys = list.split(',').map((k) => k.trim()).filter(Boolean);
  const bad = keys.filter((k) => !HOST_CASES.includes(k as CaseKey));
  if (bad.length || !keys.length) throw new UsageError(`--cases: unknown case ${bad.join(', ') || '(none given)'}; host cases: ${HOST_CASES.join(', ')}`);
  return [...new Set(keys as CaseKey[])];
}

export type Target = MixTarget;

export interface Case {
  key: CaseKey;
  targets: Partial<Record<Metric, Target>>;
}

export interface Sample {
  tput?: TputSample;
  rr?: RrSample;
  error?: string;
}

/** One repetition: case → metric → sample. */
export type Rep = Partial<Record<CaseKey, Partial<Record<Metric, Sample>>>>;

/** Rotating order so that no case always runs first (drifts hit every case alike). */
export function rotation<T>(items: readonly T[], i: number): T[] {
  return items.map((_, j) => items[(i + j) % items.length]!);
}
