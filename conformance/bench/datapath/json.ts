// The JSON results file (conformance/bench/results/<date>-datapath.json): every sample and how it was taken.
import { round, WIDE_SPREAD, type Spread } from '../stats.js';
import { HOST_CASES, type CaseKey } from './cases.js';
import { NET } from './config.js';
import { SLOT_MS, STREAM_CHUNK } from './measure.js';
import { DEFAULT_LOAD } from './kube-proxy.js';
import { FIELDS, spreadFor, type Field } from './metrics.js';
import { settingsText, VM_CASES } from './markdown.js';
import type { RunRecord } from './record.js';
import type { Ratio } from './verdict.js';

const sp = (s: Spread) => ({ values: s.values.map((x) => round(x, 4)), min: round(s.min, 4), median: round(s.median, 4), max: round(s.max, 4), spread: round(s.spread, 4), wide: s.spread > WIDE_SPREAD, interval: { lo: round(s.lo, 4), hi: round(s.hi, 4), coverage: round(s.coverage, 4) } });
const ratioJson = (r: Ratio) => ({ name: r.name, formula: r.formula, direction: r.direction, target: r.target, verdict: r.verdict, ...sp(r.spread), beside: r.beside && { name: r.beside.name, ...sp(r.beside.spread) } });

function summary(reps: RunRecord['reps'], cases: CaseKey[]) {
  return Object.fromEntries(cases.map((k) => [k, Object.fromEntries((Object.keys(FIELDS) as Field[]).map((f) => [f, sp(spreadFor(reps, k, f))]))]));
}

export function resultsJson(r: RunRecord): unknown {
  return {
    suite: 'datapath',
    schema: 1,
    startedAt: r.startedAt.toISOString(),
    wallSeconds: round(r.wallSeconds, 1),
    phases: r.phases,
    host: { ...r.host, loadavgStart: r.host.loadavg, loadavgEnd: r.loadEnd },
    podlink: { source: r.o.podlink, version: r.version, sha256: r.binSha },
    options: r.o,
    method: {
      interleaving: `every repetition runs every metric once per topology: metric by metric, one tcp-mix run per metric in which the topologies take turns in ${SLOT_MS} ms slots (one unmeasured warm-up slot each), rotating order`,
      throughput: `tcp-mix stream (conformance/bench/datapath/tcp-mix.c): one TCP connection, ${STREAM_CHUNK}-byte writes, bytes written per measured second, a slot ending when its data is acknowledged`,
      latency: 'tcp-mix rr / crr: TCP_RR persistent connection and TCP_CRR connect/request/response/close, 1-byte messages, TCP_NODELAY',
      cpu: "busy jiffies (all but idle and iowait) of the aggregate /proc/stat line during the topology's slots, whole machine",
      kubeProxyLoad: { ...DEFAULT_LOAD, rules: 'nat PREROUTING → KUBE-SERVICES (DNAT per service with endpoints); filter FORWARD -m conntrack --ctstate NEW → KUBE-SERVICES (REJECT per service without endpoints)' },
      addresses: NET,
      spreadWarningAbove: WIDE_SPREAD,
      settings: settingsText(r.latencyHold, r.pin),
    },
    ratios: r.ratios.map(ratioJson),
    vmRatios: r.vmRatios.map(ratioJson),
    informational: r.info.map(ratioJson),
    summary: summary(r.reps, r.o.cases ?? HOST_CASES),
    vm: { status: r.vm.status, reason: r.vm.reason, kernel: r.vm.kernel, setupSeconds: r.vm.setupSeconds, pin: r.vm.pin, wallSeconds: r.vm.wallSeconds, summary: summary(r.vm.reps, VM_CASES), reps: r.vm.reps },
    reps: r.reps,
    conntrack: r.conntrack,
    fastPath: r.fastPath,
    tunnels: r.tunnels,
    notes: r.notes,
    warnings: r.warnings,
    cleanup: { errors: r.cleanupErrors, leftovers: r.leftovers },
  };
}
