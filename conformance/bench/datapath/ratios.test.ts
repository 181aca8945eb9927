import t from 'tap';
import type { CaseKey, Rep } from './cases.js';
import { hostRatios, selected, tunnelRatios, vmRatios } from './ratios.js';

/** One repetition of the VM's two-node cases: throughput (Gbit/s) and TCP_RR p50 (µs) per case. */
function rep(v: Partial<Record<CaseKey, [number, number]>>): Rep {
  const r: Rep = {};
  for (const [k, [gbps, p50]] of Object.entries(v) as [CaseKey, [number, number]][]) {
    r[k] = {
      tput1500: { tput: { gbps, cpuSeconds: 1, cpuPerGbit: 1 } },
      rr: { rr: { mode: 'rr', transactions: 1, seconds: 1, cpuSeconds: 1, rate: 1, errors: 0, p50Us: p50, p90Us: p50, p99Us: p50, meanUs: p50, cpuUsPerTxn: 1 } },
    };
  }
  return r;
}

const byName = (reps: Rep[], name: string) => vmRatios(reps).find((r) => r.name === name)!;
const TPUT = 'VM: netkit pods, two nodes ÷ VM underlay, throughput';
const RR = 'VM: netkit pods, two nodes ÷ VM underlay, TCP_RR p50';

t.test('netkit pods ÷ VM underlay per repetition, veth pods ÷ VM underlay beside', async (t) => {
  const reps = [
    rep({ vmNetkit2: [0.98, 105], vmVeth2: [0.9, 120], vmUnderlay: [1.0, 100] }),
    rep({ vmNetkit2: [1.96, 54], vmVeth2: [1.7, 60], vmUnderlay: [2.0, 50] }),
    rep({ vmNetkit2: [0.97, 210], vmVeth2: [0.8, 230], vmUnderlay: [1.0, 200] }),
  ];
  const tput = byName(reps, TPUT);
  t.equal(tput.formula, '(VM netkit, 2 nodes) ÷ (VM underlay)');
  t.same([tput.direction, tput.target], ['atLeast', 0.95]);
  t.same(tput.perRep, [0.98, 0.98, 0.97]);
  t.equal(tput.verdict, 'PASS');
  t.same(tput.beside?.perRep, [0.9, 0.85, 0.8], 'veth pods against the same underlay samples');
  t.equal(tput.beside?.name, 'veth pods: (VM veth, 2 nodes) ÷ (VM underlay)');
  const rr = byName(reps, RR);
  t.same([rr.direction, rr.target], ['atMost', 1.1]);
  t.same(rr.perRep, [1.05, 1.08, 1.05]);
  t.equal(rr.verdict, 'PASS');
  t.same(rr.beside?.perRep, [1.2, 1.2, 1.15]);
});

t.test('the targets decide: below 0.95 is a MISS, a straddle NOISY, round trips above 1.1 a MISS', async (t) => {
  const slow = [rep({ vmNetkit2: [0.9, 120], vmUnderlay: [1.0, 100] }), rep({ vmNetkit2: [0.8, 130], vmUnderlay: [1.0, 100] })];
  t.equal(byName(slow, TPUT).verdict, 'MISS');
  t.equal(byName(slow, RR).verdict, 'MISS');
  const mixed = [rep({ vmNetkit2: [0.9, 100], vmUnderlay: [1.0, 100] }), rep({ vmNetkit2: [1.0, 120], vmUnderlay: [1.0, 100] })];
  t.equal(byName(mixed, TPUT).verdict, 'NOISY');
  t.equal(byName(mixed, RR).verdict, 'NOISY');
});

t.test('without the VM underlay case (a failed sample, an older guest) the ratio is N/A, not a verdict', async (t) => {
  const reps = [rep({ vmNetkit2: [1, 100], vmVeth2: [1, 100] })];
  t.equal(byName(reps, TPUT).verdict, 'N/A');
  t.equal(byName(reps, RR).verdict, 'N/A');
  t.ok(Number.isNaN(byName(reps, RR).beside!.spread.median), 'nothing beside either');
  t.equal(vmRatios([]).length, 6, 'the VM lines are there even when the VM did not run');
});

/** One repetition with throughput at both MTUs, TCP_RR p50 and CPU per Gbit per case. */
function rep4(v: Partial<Record<CaseKey, { g: number; g9: number; p50: number; cpu: number }>>): Rep {
  const r = rep(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [x.g, x.p50]])));
  for (const [k, x] of Object.entries(v) as [CaseKey, { g: number; g9: number; cpu: number }][]) {
    r[k]!.tput1500!.tput!.cpuPerGbit = x.cpu;
    r[k]!.tput9000 = { tput: { gbps: x.g9, cpuSeconds: 1, cpuPerGbit: 1 } };
  }
  return r;
}

t.test('#16: tunnel ÷ native and tunnel ÷ flannel, with their targets', async (t) => {
  const reps = [
    rep4({ tunnel: { g: 8, g9: 18, p50: 22, cpu: 0.09 }, twoNode: { g: 10, g9: 20, p50: 20, cpu: 0.08 }, flannel: { g: 7, g9: 15, p50: 24, cpu: 0.1 } }),
    rep4({ tunnel: { g: 9, g9: 17, p50: 23, cpu: 0.1 }, twoNode: { g: 10, g9: 20, p50: 20, cpu: 0.08 }, flannel: { g: 8, g9: 17, p50: 23, cpu: 0.1 } }),
    rep4({ tunnel: { g: 8.5, g9: 19, p50: 21, cpu: 0.08 }, twoNode: { g: 10, g9: 20, p50: 20, cpu: 0.08 }, flannel: { g: 8.5, g9: 16, p50: 25, cpu: 0.1 } }),
  ];
  const r = Object.fromEntries(tunnelRatios(reps).map((x) => [x.name, x]));
  const native = r['two nodes: tunnel ÷ native (BPF pods), throughput MTU 1500']!;
  t.same([native.formula, native.direction, native.target, native.perRep, native.verdict], ['(j) ÷ (f)', 'atLeast', 0.8, [0.8, 0.9, 0.85], 'PASS']);
  t.same(native.beside?.perRep, [0.7, 0.8, 0.85], 'flannel ÷ native beside it');
  t.same(native.cases, ['tunnel', 'twoNode']);
  t.equal(r['two nodes: tunnel ÷ native (BPF pods), throughput MTU 9000']!.verdict, 'PASS');
  const rr = r['two nodes: tunnel ÷ native (BPF pods), TCP_RR p50']!;
  t.same([rr.target, rr.perRep, rr.verdict], [1.2, [1.1, 1.15, 1.05], 'PASS']);
  const fl = r['two nodes: podlink tunnel ÷ flannel, throughput MTU 1500']!;
  t.same([fl.formula, fl.target, fl.verdict], ['(j) ÷ (i)', 1.0, 'PASS'], '8/7, 9/8, 8.5/8.5');
  t.equal(r['two nodes: podlink tunnel ÷ flannel, throughput MTU 9000']!.verdict, 'PASS');
  t.same(r['two nodes: podlink tunnel ÷ flannel, TCP_RR p50']!.perRep, [0.9167, 1, 0.84]);
  t.equal(r['two nodes: podlink tunnel ÷ flannel, TCP_RR p50']!.verdict, 'PASS', 'a ceiling met exactly passes');
  const cpu = r['two nodes: podlink tunnel ÷ flannel, CPU per Gbit (MTU 1500)']!;
  t.same([cpu.direction, cpu.target, cpu.perRep, cpu.verdict], ['atMost', 1.0, [0.9, 1, 0.8], 'PASS']);
  t.equal(tunnelRatios(reps).length, 7);
  t.ok(hostRatios(reps).some((x) => x.name === native.name), 'part of the host ratios with verdicts');
});

t.test('#16: a slower tunnel misses, a tunnel that never carried is N/A', async (t) => {
  const slow = [1, 2, 3].map(() => rep4({ tunnel: { g: 7, g9: 15, p50: 25, cpu: 0.12 }, twoNode: { g: 10, g9: 20, p50: 20, cpu: 0.08 }, flannel: { g: 8, g9: 16, p50: 24, cpu: 0.1 } }));
  for (const x of tunnelRatios(slow)) t.equal(x.verdict, 'MISS', x.name);
  const none = [rep4({ twoNode: { g: 10, g9: 20, p50: 20, cpu: 0.08 }, flannel: { g: 8, g9: 16, p50: 24, cpu: 0.1 } })];
  for (const x of tunnelRatios(none)) t.equal(x.verdict, 'N/A', x.name);
});

t.test('--cases keeps the ratios whose two cases both ran; without it every ratio stays', async (t) => {
  const all = hostRatios([]);
  const names = selected(all, ['tunnel', 'twoNode', 'flannel']).map((r) => r.name);
  t.same(names, tunnelRatios([]).map((r) => r.name), "(j) ÷ (f) and (j) ÷ (i), nothing of (g)'s or (c)'s");
  t.same(selected(all, ['tunnel', 'flannel']).length, 4, 'tunnel ÷ flannel only');
  t.equal(selected(all, undefined).length, all.length);
});
