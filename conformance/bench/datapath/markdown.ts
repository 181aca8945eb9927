// The stdout report: the run's header, the measurements per topology, the ratio table, the VM part.
import { fmt, fmtSpread, table } from '../report.js';
import { CASE_LABELS, HOST_CASES, type CaseKey, type Rep } from './cases.js';
import { FIELDS, spreadFor, type Field } from './metrics.js';
import type { LatencyHold } from '../cpu-latency.js';
import type { RunRecord, TunnelCounters } from './record.js';
import { SLOT_MS, type Pinning } from './measure.js';
import { VM_LATENCY_HOLD } from './vm.js';
import { targetText, type Ratio } from './verdict.js';

export const VM_CASES: CaseKey[] = ['vmVeth', 'vmNetkit', 'vmVeth2', 'vmNetkit2', 'vmUnderlay'];
const LOAD_CASES: CaseKey[] = ['legacy', 'legacyLoad', 'bpf', 'bpfLoad'];
const COLS: Field[] = ['gbps1500', 'gbps9000', 'cpuPerGbit1500', 'rrP50', 'rrP90', 'rrP99', 'rrCpuUs', 'crrRate'];

function measurements(reps: readonly Rep[], cases: CaseKey[], cols: Field[]): string {
  const rows = cases.map((k) => [CASE_LABELS[k], ...cols.map((f) => fmtSpread(spreadFor(reps, k, f), FIELDS[f].digits))]);
  return table(['topology', ...cols.map((f) => `${FIELDS[f].title} (${FIELDS[f].unit})`)], rows);
}

const mmm = (r: Ratio) => (Number.isFinite(r.spread.median) ? `${fmt(r.spread.min, 2)} / ${fmt(r.spread.median, 2)} / ${fmt(r.spread.max, 2)}` : '–');
const interval = (r: Ratio) => (Number.isFinite(r.spread.lo) ? `${fmt(r.spread.lo, 2)}–${fmt(r.spread.hi, 2)} (${Math.round(r.spread.coverage * 100)} %)` : '–');

export function ratioTable(ratios: Ratio[]): string {
  return table(
    ['ratio', 'formula', 'target', 'min / median / max', 'median interval', 'verdict', 'beside it'],
    ratios.map((r) => [
      r.name, r.formula, targetText(r), mmm(r), interval(r), r.verdict,
      r.beside ? `${r.beside.name}: ${fmt(r.beside.spread.min, 2)} / ${fmt(r.beside.spread.median, 2)} / ${fmt(r.beside.spread.max, 2)}` : '',
    ]),
    ['l', 'l', 'r', 'r', 'r', 'l', 'l'],
  );
}

/** How the samples ran: CPU pinning and the idle-state request. */
export function settingsText(hold: LatencyHold, pin: Pinning | undefined): string {
  const p = pin ? `clients on CPU ${pin.client}, echo servers on CPU ${pin.server}, stream receivers on CPU ${pin.sink}` : 'clients and servers placed by the scheduler';
  const h = hold.held ? '/dev/cpu_dma_latency held at 0 µs during TCP_RR/CRR samples (idle CPUs poll)' : `default CPU idle states (${hold.reason})`;
  return `${p}; ${h}`;
}

export function tunnelCheck(tag: string, t: TunnelCounters): string {
  const n = (i: 0 | 1) => `node ${i + 1} sent ${t.packets[i].tx}, received ${t.packets[i].rx}`;
  return `${tag} ${t.dev} packets: ${n(0)}; ${n(1)}; IPv4 datagrams forwarded by the node stacks ${t.forwarded[0]} and ${t.forwarded[1]}`;
}

export function markdown(r: RunRecord): string[] {
  const h = r.host;
  const loadCases = LOAD_CASES.filter((k) => !r.o.cases || r.o.cases.includes(k));
  const out = [
    `# podlink datapath benchmark — ${r.startedAt.toISOString()}`,
    '',
    `${r.version}, sha256 ${r.binSha.slice(0, 12)}; kernel ${h.kernel}, ${h.cpus} × ${h.cpuModel}; load average ${h.loadavg.join(' ')} at start, ${r.loadEnd.join(' ')} at end; ` +
      `${r.o.repeat} repetitions (per metric, one tcp-mix run with the topologies taking turns in ${SLOT_MS} ms slots), stream ${r.o.tputSeconds} s, TCP_RR/CRR ${r.o.rrSeconds} s per topology, 1-byte messages; wall ${fmt(r.wallSeconds, 0)} s ` +
      `(${Object.entries(r.phases).map(([k, v]) => `${k} ${v} s`).join(', ')}). ` +
      `${settingsText(r.latencyHold, r.pin)}.`,
    '',
    'Values: median (min–max) over the repetitions; ⚠ = spread above 20 % of the median. CPU = busy CPU time of the whole machine (/proc/stat) during the sample.',
    '',
    measurements(r.reps, r.o.cases ? HOST_CASES.filter((k) => r.o.cases!.includes(k)) : HOST_CASES, COLS),
    '',
    ...(loadCases.length ? [
      'Idle vs under kube-proxy load (5000 iptables services, conntrack on in the node netns):',
      '',
      table(
        ['topology', 'throughput MTU 1500 (Gbit/s)', 'TCP_CRR (connections/s)', 'CPU per connection (CPU-µs)'],
        loadCases.map((k) => [CASE_LABELS[k], fmtSpread(spreadFor(r.reps, k, 'gbps1500'), 2), fmtSpread(spreadFor(r.reps, k, 'crrRate'), 0), fmtSpread(spreadFor(r.reps, k, 'crrCpuUs'), 1)]),
      ),
      '',
    ] : []),
    '## Ratios',
    '',
    ratioTable([...r.ratios, ...r.vmRatios]),
    '',
    'Median interval: the order-statistic confidence interval of the median of the per-repetition ratios (its coverage in brackets; up to 5 repetitions it is min–max, from 9 on the outermost values drop out at ≥ 95 %). PASS: the interval meets the target; MISS: it lies wholly on the wrong side; NOISY: it straddles the target (rerun on a quieter machine or with more --repeat). N/A: not measured.',
    '',
    ...(r.info.length ? ['Informational (no target):', '', ratioTable(r.info), ''] : []),
    `## (e) VM: netkit vs veth, both with BPF host routing — ${r.vm.status}${r.vm.reason ? `: ${r.vm.reason}` : ''}`,
    '',
  ];
  if (r.vm.status === 'OK') {
    out.push(
      `Guest kernel ${r.vm.kernel}, emulated CPU (TCG): absolute numbers mean nothing, only the ratio does (indicative). Pods ready after ${fmt(r.vm.setupSeconds)} s; kvm-run took ${fmt(r.vm.wallSeconds, 0)} s; ${settingsText(VM_LATENCY_HOLD, r.vm.pin)}.`,
      '',
      measurements(r.vm.reps, VM_CASES, ['gbps1500', 'rrP50', 'rrP99']),
      '',
      'Two nodes: client pod on node 1, server pod on node 2, joined by a veth underlay (fib_lookup + redirect_neigh out, from-uplink redirect_peer in). That is the path netkit shortens: its peer program redirects the pod\'s packet straight to the uplink from the pod\'s own xmit, where veth first queues it to the per-CPU backlog. On one node both kinds pass the backlog once. The VM\'s node to node case is the netkit pods\' two nodes talking over that underlay, at MTU 1500 like the pods.',
      '',
    );
  }
  out.push('## Checks', '');
  if (r.fastPath) out.push(`- BPF counters: (c) redirect_peer packets ${r.fastPath.bpfRedirectLocal ?? '–'}; (f) fib+redirect_neigh ${r.fastPath.twoNodeRedirectFib ?? '–'}, from-uplink redirect_peer ${r.fastPath.twoNodeUplinkRedirect ?? '–'}; IPv4 datagrams forwarded by the stacks of (f)/(h)'s node 1 ${r.fastPath.twoNodeForwarded?.[0] ?? '–'}, node 2 ${r.fastPath.twoNodeForwarded?.[1] ?? '–'}`);
  for (const [tag, t] of [['(i)', r.tunnels?.flannel], ['(j)', r.tunnels?.tunnel]] as const) if (t) out.push(`- ${tunnelCheck(tag, t)}`);
  if (Object.keys(r.conntrack).length) out.push(`- conntrack entries at the end in the loaded nodes: upper stack ${r.conntrack.legacyLoad ?? 'n/a'}, BPF ${r.conntrack.bpfLoad ?? 'n/a'} (BPF host routing redirects pod traffic past the node's netfilter)`);
  for (const n of r.notes) out.push(`- ${n}`);
  out.push(`- cleanup: ${r.cleanupErrors.length || r.leftovers.length ? `errors ${r.cleanupErrors.join('; ') || 'none'}, left behind ${r.leftovers.join(', ') || 'nothing'}` : 'everything removed'}`);
  if (r.warnings.length) out.push('', '## Warnings', '', ...r.warnings.map((w) => `- ⚠ ${w}`));
  out.push('');
  return out;
}
