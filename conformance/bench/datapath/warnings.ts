// What a reader of the report must know before trusting its numbers.
import { WIDE_SPREAD } from '../stats.js';
import type { CaseKey } from './cases.js';
import { DEFAULTS } from './config.js';
import type { RunRecord } from './record.js';

/** A tunnel case whose vxlan device sent or received nothing on a node measured some other path. */
export function tunnelWarnings(tunnels: RunRecord['tunnels']): string[] {
  const w: string[] = [];
  for (const [tag, t] of [['(i)', tunnels?.flannel], ['(j)', tunnels?.tunnel]] as const) {
    for (const i of [0, 1] as const) {
      if (t && (!t.packets[i].tx || !t.packets[i].rx)) w.push(`${tag} ${t.dev} on node ${i + 1} sent ${t.packets[i].tx} and received ${t.packets[i].rx} packets: the pods' traffic did not cross the tunnel`);
    }
  }
  return w;
}

export function warnings(r: RunRecord): string[] {
  const w: string[] = [];
  const busy = Math.max(r.host.loadavg[0]!, r.loadEnd[0]!);
  if (busy > r.host.cpus * 0.5) w.push(`load average ${r.host.loadavg[0]} at start, ${r.loadEnd[0]} at end on ${r.host.cpus} CPUs: other work shares the machine; CPU per Gbit / per round trip count the whole machine`);
  const wide = [...r.ratios, ...r.vmRatios].filter((x) => x.spread.spread > WIDE_SPREAD);
  if (wide.length) w.push(`wide spread (> ${WIDE_SPREAD * 100} % of the median) in ${wide.length} ratio(s): ${wide.map((x) => x.name).join('; ')}`);
  for (const [i, rep] of [...r.reps, ...r.vm.reps].entries()) {
    for (const [k, ms] of Object.entries(rep)) {
      for (const [m, s] of Object.entries(ms ?? {})) if (s?.error) w.push(`repetition ${(i % Math.max(1, r.reps.length)) + 1}, ${k as CaseKey} ${m}: ${s.error}`);
    }
  }
  if (r.fastPath) {
    if (r.fastPath.bpfRedirectLocal === 0) w.push('(c) the BPF node counted no redirect_peer: its pods did not take the fast path');
    if (r.fastPath.twoNodeRedirectFib === 0) w.push('(f) no fib + redirect_neigh counted on node 1');
    if (r.fastPath.twoNodeUplinkRedirect === 0) w.push('(f) no from-uplink redirect_peer counted on node 2');
  }
  w.push(...tunnelWarnings(r.tunnels));
  if ('legacyLoad' in r.conntrack && !r.conntrack.legacyLoad) w.push(`legacyLoad: nf_conntrack_count is ${r.conntrack.legacyLoad} at the end: was conntrack on?`);
  if (r.wallSeconds > DEFAULTS.budgetSeconds) w.push(`the run took ${Math.round(r.wallSeconds)} s, over the ${DEFAULTS.budgetSeconds} s budget`);
  if (r.cleanupErrors.length) w.push(`cleanup errors: ${r.cleanupErrors.join('; ')}`);
  if (r.leftovers.length) w.push(`left behind: ${r.leftovers.join(', ')}`);
  return w;
}
