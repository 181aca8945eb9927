import t from 'tap';
import type { CaseKey, Rep } from './cases.js';
import { vmRatios } from './ratios.js';

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
