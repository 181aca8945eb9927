// The run's SVG chart: host topologies idle and under kube-proxy load (throughput, TCP_RR p50,
// TCP_CRR), and the VM's netkit vs veth relative to veth (its CPU is emulated: only ratios mean anything).
import type { CaseKey } from './cases.js';
import { perRep, spreadFor, type Field } from './metrics.js';
import type { RunRecord } from './record.js';
import { barChart, type Bar, type Panel } from './svg.js';
import { quotients } from './verdict.js';
import { spreadOf } from '../stats.js';

const BARS: { key: CaseKey; label: string; color: string }[] = [
  { key: 'direct', label: 'host best case (direct veth)', color: '#7f7f7f' },
  { key: 'legacy', label: 'veth upper stack', color: '#e08a2c' },
  { key: 'bpf', label: 'veth BPF', color: '#2c6fbb' },
  { key: 'legacyLoad', label: 'veth upper stack + kube-proxy', color: '#f2c18a' },
  { key: 'bpfLoad', label: 'veth BPF + kube-proxy', color: '#8fb5e0' },
  { key: 'twoNode', label: 'veth BPF, two nodes', color: '#3a9d5d' },
  { key: 'underlay', label: 'two nodes, node to node (no pod)', color: '#4d4d4d' },
  { key: 'twoNodeLegacy', label: 'veth upper stack, two nodes', color: '#b5651d' },
  { key: 'flannel', label: "flannel's vxlan by hand, two nodes", color: '#c0392b' },
  { key: 'tunnel', label: 'veth BPF, two nodes, podlink tunnel', color: '#16a085' },
];

function panel(r: RunRecord, title: string, unit: string, f: Field): Panel {
  const bars: Bar[] = BARS.map((b) => {
    const s = spreadFor(r.reps, b.key, f);
    return { label: b.label, median: s.median, min: s.min, max: s.max, color: b.color };
  }).filter((b) => !Number.isNaN(b.median) || f === 'gbps1500');
  return { title, unit, bars };
}

function vmPanel(r: RunRecord, title: string, f: Field): Panel {
  const rel = (k: CaseKey, base: CaseKey) => spreadOf(quotients(perRep(r.vm.reps, k, f), perRep(r.vm.reps, base, f)));
  const bar = (label: string, k: CaseKey, base: CaseKey, color: string): Bar => {
    const s = rel(k, base);
    return { label, median: s.median, min: s.min, max: s.max, color };
  };
  return {
    title: `VM (emulated CPU), ${title} relative to veth BPF — ${r.vm.status}`,
    unit: '× veth',
    bars: [
      bar('veth BPF, one node', 'vmVeth', 'vmVeth', '#2c6fbb'),
      bar('netkit BPF, one node', 'vmNetkit', 'vmVeth', '#8e44ad'),
      bar('veth BPF, two nodes', 'vmVeth2', 'vmVeth2', '#3a9d5d'),
      bar('netkit BPF, two nodes', 'vmNetkit2', 'vmVeth2', '#5b2c6f'),
      bar('two nodes, node to node (no pod)', 'vmUnderlay', 'vmVeth2', '#4d4d4d'),
    ],
  };
}

export function chartSvg(r: RunRecord): string {
  return barChart({
    title: 'podlink datapath: pod to pod through the node',
    subtitle: `${r.startedAt.toISOString().slice(0, 10)}, kernel ${r.host.kernel}, ${r.host.cpus} CPUs, load ${r.host.loadavg[0]}; median of ${r.o.repeat} repetitions, whiskers min–max`,
    panels: [
      panel(r, 'single-stream TCP throughput, MTU 1500', 'Gbit/s', 'gbps1500'),
      panel(r, 'TCP_RR latency p50 (lower is better)', 'µs', 'rrP50'),
      panel(r, 'TCP_CRR new connections', 'per second', 'crrRate'),
      ...(r.vm.reps.length ? [vmPanel(r, 'throughput', 'gbps1500'), vmPanel(r, 'TCP_RR p99 (lower is better)', 'rrP99')] : []),
    ],
    footnotes: [
      'kube-proxy load: 5000 iptables services (nat DNAT chain from PREROUTING, filter REJECT chain from FORWARD for NEW), conntrack on.',
      ...(r.vm.reps.length ? [] : [`netkit BPF: not measured (VM ${r.vm.status}${r.vm.reason ? `: ${r.vm.reason}` : ''}).`]),
    ],
  });
}
