// The ratio targets of the datapath benchmark, computed per repetition.
import type { CaseKey, Rep } from './cases.js';
import { perRep, type Field } from './metrics.js';
import { quotients, ratio, type Direction, type Ratio } from './verdict.js';

const q = (reps: readonly Rep[], a: CaseKey, b: CaseKey, f: Field) => quotients(perRep(reps, a, f), perRep(reps, b, f));

function line(reps: readonly Rep[], name: string, a: CaseKey, b: CaseKey, f: Field, dir: Direction, target: number, beside?: [string, CaseKey, CaseKey]): Ratio {
  const sym = (k: CaseKey) => ({ lo: 'lo', direct: 'a', legacy: 'b', bpf: 'c', legacyLoad: 'b load', bpfLoad: 'c load', twoNode: 'f', underlay: 'g', twoNodeLegacy: 'h', flannel: 'i', tunnel: 'j', vxlanUnderlay: 'g′', vxlanNode: 'k', vmVeth: 'VM veth', vmNetkit: 'VM netkit', vmVeth2: 'VM veth, 2 nodes', vmNetkit2: 'VM netkit, 2 nodes', vmUnderlay: 'VM underlay' })[k];
  return { ...ratio(name, `(${sym(a)}) ÷ (${sym(b)})`, dir, target, q(reps, a, b, f), beside && { name: beside[0], perRep: q(reps, beside[1], beside[2], f) }), cases: [a, b] };
}

const LEGACY_TWO: [string, CaseKey, CaseKey] = ['upper stack: (h) ÷ (g)', 'twoNodeLegacy', 'underlay'];
const FLANNEL_NATIVE: [string, CaseKey, CaseKey] = ['flannel: (i) ÷ (f)', 'flannel', 'twoNode'];

export function hostRatios(reps: readonly Rep[]): Ratio[] {
  return [
    line(reps, 'BPF ÷ upper stack, throughput MTU 1500', 'bpf', 'legacy', 'gbps1500', 'atLeast', 0.9),
    line(reps, 'BPF ÷ upper stack, throughput MTU 9000', 'bpf', 'legacy', 'gbps9000', 'atLeast', 0.9),
    line(reps, 'BPF ÷ upper stack, TCP_RR p99', 'bpf', 'legacy', 'rrP99', 'atMost', 1.0),
    line(reps, 'BPF ÷ upper stack, CPU per round trip', 'bpf', 'legacy', 'rrCpuUs', 'atMost', 1.0),
    line(reps, 'BPF under kube-proxy load ÷ idle, throughput', 'bpfLoad', 'bpf', 'gbps1500', 'atLeast', 0.95, ['upper stack: (b load) ÷ (b)', 'legacyLoad', 'legacy']),
    line(reps, 'BPF under kube-proxy load ÷ idle, TCP_CRR conn/s', 'bpfLoad', 'bpf', 'crrRate', 'atLeast', 0.95, ['upper stack: (b load) ÷ (b)', 'legacyLoad', 'legacy']),
    line(reps, 'BPF ÷ host best case, throughput MTU 1500', 'bpf', 'direct', 'gbps1500', 'atLeast', 0.95),
    line(reps, 'BPF ÷ host best case, throughput MTU 9000', 'bpf', 'direct', 'gbps9000', 'atLeast', 0.95),
    line(reps, 'BPF ÷ host best case, TCP_RR p50', 'bpf', 'direct', 'rrP50', 'atMost', 1.1),
    line(reps, 'two nodes: BPF pods ÷ node to node, throughput MTU 1500', 'twoNode', 'underlay', 'gbps1500', 'atLeast', 0.95, LEGACY_TWO),
    line(reps, 'two nodes: BPF pods ÷ node to node, throughput MTU 9000', 'twoNode', 'underlay', 'gbps9000', 'atLeast', 0.95, LEGACY_TWO),
    line(reps, 'two nodes: BPF pods ÷ node to node, TCP_RR p50', 'twoNode', 'underlay', 'rrP50', 'atMost', 1.1, LEGACY_TWO),
    ...tunnelRatios(reps),
  ];
}

/** #16: podlink's tunnel against its own native routing, and against flannel's vxlan design (the peer a user would pick). */
export function tunnelRatios(reps: readonly Rep[]): Ratio[] {
  return [
    line(reps, 'two nodes: tunnel ÷ native (BPF pods), throughput MTU 1500', 'tunnel', 'twoNode', 'gbps1500', 'atLeast', 0.8, FLANNEL_NATIVE),
    line(reps, 'two nodes: tunnel ÷ native (BPF pods), throughput MTU 9000', 'tunnel', 'twoNode', 'gbps9000', 'atLeast', 0.8, FLANNEL_NATIVE),
    line(reps, 'two nodes: tunnel ÷ native (BPF pods), TCP_RR p50', 'tunnel', 'twoNode', 'rrP50', 'atMost', 1.2, FLANNEL_NATIVE),
    line(reps, 'two nodes: podlink tunnel ÷ flannel, throughput MTU 1500', 'tunnel', 'flannel', 'gbps1500', 'atLeast', 1.0),
    line(reps, 'two nodes: podlink tunnel ÷ flannel, throughput MTU 9000', 'tunnel', 'flannel', 'gbps9000', 'atLeast', 1.0),
    line(reps, 'two nodes: podlink tunnel ÷ flannel, TCP_RR p50', 'tunnel', 'flannel', 'rrP50', 'atMost', 1.0),
    line(reps, 'two nodes: podlink tunnel ÷ flannel, CPU per Gbit (MTU 1500)', 'tunnel', 'flannel', 'cpuPerGbit1500', 'atMost', 1.0),
  ];
}

/** With `--cases`, only the ratios whose two cases ran. */
export function selected(ratios: Ratio[], cases: readonly CaseKey[] | undefined): Ratio[] {
  return cases ? ratios.filter((r) => !r.cases || r.cases.every((k) => cases.includes(k as CaseKey))) : ratios;
}

/** Informational: no target. */
export function infoRatios(reps: readonly Rep[]): Ratio[] {
  return [
    line(reps, 'BPF ÷ upper stack, TCP_CRR conn/s', 'bpf', 'legacy', 'crrRate', 'atLeast', NaN),
    line(reps, 'BPF ÷ upper stack, CPU per Gbit', 'bpf', 'legacy', 'cpuPerGbit1500', 'atMost', NaN),
    line(reps, 'two nodes ÷ one node (BPF), throughput MTU 1500', 'twoNode', 'bpf', 'gbps1500', 'atLeast', NaN),
    line(reps, 'two nodes ÷ one node (BPF), TCP_RR p50', 'twoNode', 'bpf', 'rrP50', 'atMost', NaN),
    // What the kernel's VXLAN device costs by itself, node to node with no pod and no podlink code: the
    // floor under (j) ÷ (f) and (i) ÷ (f), whose designs both cross that device (#16 requires it).
    line(reps, 'kernel VXLAN alone ÷ underlay, node to node, throughput MTU 9000', 'vxlanNode', 'vxlanUnderlay', 'gbps9000', 'atLeast', NaN),
    line(reps, 'kernel VXLAN alone ÷ underlay, node to node, TCP_RR p50', 'vxlanNode', 'vxlanUnderlay', 'rrP50', 'atMost', NaN),
    line(reps, 'podlink tunnel pods ÷ kernel VXLAN alone, TCP_RR p50', 'tunnel', 'vxlanNode', 'rrP50', 'atMost', NaN),
  ];
}

const VETH_UNDERLAY: [string, CaseKey, CaseKey] = ['veth pods: (VM veth, 2 nodes) ÷ (VM underlay)', 'vmVeth2', 'vmUnderlay'];

/**
 * Both topologies carry the target. Where to expect a difference: netkit's peer program runs in the
 * pod's own xmit and can redirect a packet that leaves the node straight to the uplink, where veth
 * first queues it to the per-CPU backlog (netkit commit 35dfaad7188c). Between two pods of one node
 * both kinds pass the backlog exactly once (Cilium local_delivery.h redirect_ep: "Both only traverse
 * the CPU backlog queue once"). The VM's (g), its two nodes talking over the underlay, carries the
 * host's (f) ÷ (g) targets for netkit pods, veth pods beside: veth's extra backlog pass is what (f) misses by.
 */
export function vmRatios(reps: readonly Rep[]): Ratio[] {
  return [
    line(reps, 'VM: netkit ÷ veth (both BPF), one node, throughput', 'vmNetkit', 'vmVeth', 'gbps1500', 'atLeast', 1.0),
    line(reps, 'VM: netkit ÷ veth (both BPF), one node, TCP_RR p99', 'vmNetkit', 'vmVeth', 'rrP99', 'atMost', 1.0),
    line(reps, 'VM: netkit ÷ veth (both BPF), two nodes, throughput', 'vmNetkit2', 'vmVeth2', 'gbps1500', 'atLeast', 1.0),
    line(reps, 'VM: netkit ÷ veth (both BPF), two nodes, TCP_RR p99', 'vmNetkit2', 'vmVeth2', 'rrP99', 'atMost', 1.0),
    line(reps, 'VM: netkit pods, two nodes ÷ VM underlay, throughput', 'vmNetkit2', 'vmUnderlay', 'gbps1500', 'atLeast', 0.95, VETH_UNDERLAY),
    line(reps, 'VM: netkit pods, two nodes ÷ VM underlay, TCP_RR p50', 'vmNetkit2', 'vmUnderlay', 'rrP50', 'atMost', 1.1, VETH_UNDERLAY),
  ];
}
