// The concurrency storm: podlink run by many processes at once against one node, as kubelet does when a
// node starts dozens of pods. Three phases, each returning what it saw (the test asserts, the report
// tabulates):
//  - burst: N concurrent ADDs on a node that has never run podlink (no mode file, no state dirs), then N
//    concurrent DELs;
//  - interleave: ADD/CHECK/DEL for many pods in a seeded random order at a randomly varying concurrency;
//  - gc: GC with cni.dev/valid-attachments (and cni.dev/attachments) naming only some live pods.
// Every phase ends with an inventory diff against the node before it started: nothing may be left.
import * as fs from 'node:fs';
import { Testbed } from '../integration/testbed.js';
import { addNetns, delNetns } from '../support/netns.js';
import { Pool, runInNode, type AsyncPluginRun } from './async-run.js';
import { diffInventory, inventory, listTree, type Inventory } from './inventory.js';
import { Prng } from './prng.js';

export interface Problem {
  what: string;
  detail: string;
}

export interface PhaseResult {
  phase: string;
  /** Plugin calls made. */
  calls: number;
  /** Calls that did not do what they should, and broken invariants (duplicate IPs, ...). */
  failures: Problem[];
  /** What was left on the node afterwards (inventory diff), empty when clean. */
  leaks: string[];
  ms: number;
  seed?: number;
  notes: string[];
}

interface CniResult {
  interfaces: { name: string; sandbox?: string }[];
  ips: { address: string }[];
}

/** Phases that start on a fresh node see the node's programs and maps appear with the first ADD. */
const FRESH_NODE_IGNORES = ['nodePins'] as const satisfies readonly (keyof Inventory)[];

function describe(r: AsyncPluginRun): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' timed out' : ''}: ${r.stdout.trim().slice(0, 300)}${r.stderr.trim() ? ` | stderr: ${r.stderr.trim().slice(0, 200)}` : ''}`;
}

function ipsOf(r: AsyncPluginRun): string[] {
  const res = r.json as CniResult | undefined;
  return (res?.ips ?? []).map((i) => i.address.split('/')[0]!);
}

/** Netns names for pods: short, unique per bed. */
function podName(bed: Testbed, i: number | string): string {
  return `plr-${bed.id}-${i}`.slice(0, 60);
}

/** Leftovers of podlink's own coordination: lock files and temp files next to the mode file or records. */
function coordinationLeftovers(bed: Testbed): string[] {
  const stray = (f: string) => /\.lock$|\.lock\.stale\.|\.tmp$/.test(f);
  return [...listTree(bed.dir, (r) => r.startsWith('ipam/')).filter(stray), ...listTree(bed.stateDir).filter(stray)];
}

// ------------------------------------------------------------------------------------------ burst

export async function burst(bed: Testbed, n = 64): Promise<PhaseResult> {
  const started = Date.now();
  const failures: Problem[] = [];
  const notes: string[] = [];
  const pods = Array.from({ length: n }, (_, i) => podName(bed, `b${i}`));
  const conf = bed.conf();
  if (fs.existsSync(bed.modeFile) || fs.existsSync(bed.stateDir)) throw new Error('burst needs a node podlink has never run on');
  const before = await inventory(bed, { pods });
  addNetns(pods, bed.resources);
  try {
    const adds = await Promise.all(pods.map((pod, i) => runInNode(bed, 'ADD', { containerId: `burst-${i}`, pod, conf })));
    const owner = new Map<string, number>();
    adds.forEach((r, i) => {
      if (r.code !== 0) failures.push({ what: `ADD burst-${i}`, detail: describe(r) });
      const ips = ipsOf(r);
      if (r.code === 0 && ips.length !== 2) failures.push({ what: `ADD burst-${i}`, detail: `expected one IPv4 and one IPv6 address, got ${JSON.stringify(ips)}` });
      for (const ip of ips) {
        if (owner.has(ip)) failures.push({ what: 'duplicate IP', detail: `${ip} given to burst-${owner.get(ip)} and burst-${i}` });
        owner.set(ip, i);
      }
    });
    const ok = adds.filter((r) => r.code === 0).length;
    notes.push(`${ok}/${n} ADDs succeeded, slowest ${Math.max(...adds.map((r) => r.ms))} ms`);
    // The shared first-time setup happened exactly once and left a valid mode file and no lock/temp files.
    try {
      const m = JSON.parse(fs.readFileSync(bed.modeFile, 'utf8')) as { v?: number; operational?: string };
      if (m.v !== 1 || typeof m.operational !== 'string') failures.push({ what: 'mode file', detail: `unexpected content ${JSON.stringify(m)}` });
    } catch (e) {
      failures.push({ what: 'mode file', detail: `not written or not JSON after ${n} concurrent first ADDs: ${(e as Error).message}` });
    }
    const mid = await inventory(bed, { pods });
    if (mid.links.length !== ok) failures.push({ what: 'links after burst', detail: `${mid.links.length} host links for ${ok} pods` });
    if (mid.stateFiles.filter((f) => f.endsWith('.cbor')).length !== ok) failures.push({ what: 'records after burst', detail: `${mid.stateFiles.length} state files for ${ok} pods: ${mid.stateFiles.slice(0, 5).join(', ')}` });
    if (mid.ipamFiles.length !== 2 * ok) failures.push({ what: 'IPAM after burst', detail: `${mid.ipamFiles.length} allocations for ${ok} dual-stack pods` });
    for (const f of coordinationLeftovers(bed)) failures.push({ what: 'stray file', detail: f });

    const dels = await Promise.all(pods.map((pod, i) => runInNode(bed, 'DEL', { containerId: `burst-${i}`, pod, conf })));
    dels.forEach((r, i) => {
      if (r.code !== 0 || r.stdout.trim() !== '') failures.push({ what: `DEL burst-${i}`, detail: describe(r) });
    });
    const after = await inventory(bed, { pods });
    for (const f of coordinationLeftovers(bed)) failures.push({ what: 'stray file after DEL', detail: f });
    // The node's programs and maps, loaded by whichever first ADD won the race, stay (by design): once.
    const progDirs = after.nodePins.filter((p) => /^progs\/[^/]+\/$/.test(p));
    const mapDirs = after.nodePins.filter((p) => /^maps\/[^/]+\/$/.test(p));
    if (after.nodePins.length && (progDirs.length !== 1 || mapDirs.length !== 1)) failures.push({ what: 'node BPF objects', detail: `expected one program set and one map set after ${n} racing first ADDs: ${after.nodePins.join(', ')}` });
    notes.push(`node-level pins kept: ${after.nodePins.length}`);
    return { phase: `burst ${n} ADD + ${n} DEL`, calls: 2 * n, failures, leaks: diffInventory(before, after, FRESH_NODE_IGNORES), ms: Date.now() - started, notes };
  } finally {
    delNetns(pods);
  }
}

// ------------------------------------------------------------------------------------------ interleave

type Op = 'ADD' | 'CHECK' | 'DEL' | 'DROP-NETNS';

interface PodPlan {
  i: number;
  id: string;
  ns: string;
  ops: Op[];
  next: number;
  busy: boolean;
  failed?: boolean;
  result?: unknown;
  ips: string[];
}

export interface InterleaveOptions {
  pods?: number;
  seed: number;
  /** Upper bound of the randomly varying concurrency. */
  maxConcurrency?: number;
  log?: (s: string) => void;
}

/** Per pod: (rarely a DEL first,) ADD, 0–2 CHECKs, sometimes the netns vanishes first, DEL, sometimes a second DEL. */
function planPod(rng: Prng, bed: Testbed, i: number): PodPlan {
  // Sometimes the runtime DELs a container before it ever ADDed it (a failed sandbox start).
  const ops: Op[] = rng.chance(0.05) ? ['DEL', 'ADD'] : ['ADD'];
  const checks = rng.pick([0, 0, 1, 1, 2]);
  for (let k = 0; k < checks; k++) ops.push('CHECK');
  if (rng.chance(0.15)) ops.push('DROP-NETNS');
  ops.push('DEL');
  if (rng.chance(0.2)) ops.push('DEL');
  return { i, id: `il-${i}-${rng.int(0, 0xffffff).toString(16)}`, ns: podName(bed, `i${i}`), ops, next: 0, busy: false, ips: [] };
}

export async function interleave(bed: Testbed, o: InterleaveOptions): Promise<PhaseResult> {
  const started = Date.now();
  const rng = new Prng(o.seed);
  const n = o.pods ?? 200;
  const maxC = o.maxConcurrency ?? 24;
  const failures: Problem[] = [];
  const conf = bed.conf();
  const plans = Array.from({ length: n }, (_, i) => planPod(rng, bed, i));
  const before = await inventory(bed);
  const live = new Map<string, string>(); // IP → pod id
  const pool = new Pool(rng.int(1, maxC));
  const limits: number[] = [pool.size];
  let calls = 0;
  let completed = 0;
  let peak = 0;

  const step = async (p: PodPlan): Promise<void> => {
    const op = p.ops[p.next]!;
    if (op === 'DROP-NETNS') {
      delNetns(p.ns);
      return;
    }
    if (op === 'ADD') addNetns(p.ns, bed.resources);
    const cfg = op === 'CHECK' ? { ...conf, prevResult: p.result } : conf;
    calls++;
    const r = await runInNode(bed, op, { containerId: p.id, pod: p.ns, conf: cfg });
    if (op === 'ADD') {
      if (r.code !== 0) {
        failures.push({ what: `ADD ${p.id}`, detail: describe(r) });
        // A runtime DELs after a failed ADD; then the pod is retired.
        calls++;
        await runInNode(bed, 'DEL', { containerId: p.id, pod: p.ns, conf });
        p.failed = true;
        return;
      }
      p.result = r.json;
      p.ips = ipsOf(r);
      for (const ip of p.ips) {
        const holder = live.get(ip);
        if (holder) failures.push({ what: 'duplicate IP', detail: `${ip} given to ${p.id} while ${holder} still holds it` });
        live.set(ip, p.id);
      }
    } else if (op === 'CHECK') {
      if (r.code !== 0) failures.push({ what: `CHECK ${p.id}`, detail: describe(r) });
    } else {
      if (r.code !== 0 || r.stdout.trim() !== '') failures.push({ what: `DEL ${p.id}`, detail: describe(r) });
      for (const ip of p.ips) if (live.get(ip) === p.id) live.delete(ip);
    }
  };

  // A pod's own operations are serialised (a runtime never overlaps them); everything else is random.
  await new Promise<void>((resolve, reject) => {
    const waiting = new Set(plans);
    let running = 0;
    const launch = () => {
      while (running < pool.size) {
        const ready = [...waiting].filter((p) => !p.busy);
        if (!ready.length) break;
        const p = rng.pick(ready);
        p.busy = true;
        running++;
        peak = Math.max(peak, running);
        step(p)
          .then(() => {
            p.next++;
            p.busy = false;
            if (p.next >= p.ops.length || p.failed) {
              waiting.delete(p);
              delNetns(p.ns);
            }
            running--;
            if (++completed % 25 === 0) {
              pool.setLimit(rng.int(1, maxC));
              limits.push(pool.size);
              o.log?.(`  interleave: ${completed} ops done, ${waiting.size} pods pending, concurrency now ${pool.size}`);
            }
            if (!waiting.size && !running) resolve();
            else launch();
          })
          .catch(reject);
      }
    };
    launch();
  });
  for (const p of plans) delNetns(p.ns);
  const after = await inventory(bed);
  for (const f of coordinationLeftovers(bed)) failures.push({ what: 'stray file', detail: f });
  const ops = plans.reduce((a, p) => a + p.ops.filter((x) => x !== 'DROP-NETNS').length, 0);
  return {
    phase: `interleave ${n} pods (${ops} ops)`,
    calls,
    failures,
    leaks: diffInventory(before, after, FRESH_NODE_IGNORES),
    ms: Date.now() - started,
    seed: o.seed,
    notes: [`concurrency limits used: ${limits.join(',')}; peak in flight ${peak}`],
  };
}

// ------------------------------------------------------------------------------------------ gc

export interface GcOptions {
  /** Which key lists the valid attachments. */
  key: 'cni.dev/valid-attachments' | 'cni.dev/attachments' | 'both';
  pods?: number;
  keep?: number;
}

/**
 * ADD `pods` pods of network "testnet" and one of another network sharing the stateDir, GC naming only
 * the first `keep` as valid, then check: the others are gone (links, routes, records, IPAM), the valid ones
 * still pass CHECK, the other network's pod is untouched. Then DEL what is left and expect a clean node.
 */
export async function gcPhase(bed: Testbed, o: GcOptions): Promise<PhaseResult & { gcRun?: AsyncPluginRun }> {
  const started = Date.now();
  const n = o.pods ?? 6;
  const keep = o.keep ?? 3;
  const failures: Problem[] = [];
  const conf = bed.conf({ cniVersion: '1.1.0' });
  // Another network on the same node and stateDir, with its own subnet (its host routes must not collide).
  const otherConf = {
    ...bed.conf({ cniVersion: '1.1.0', ipam: { type: 'host-local', dataDir: bed.ipamDir, ranges: [[{ subnet: '10.254.254.0/24' }]] } }),
    name: 'othernet',
  };
  const before = await inventory(bed);
  const pods = Array.from({ length: n }, (_, i) => ({ id: `gc-${o.key.replace(/\W/g, '')}-${i}`, ns: podName(bed, `g${i}`), result: undefined as unknown, host: '' }));
  const other = { id: 'gc-other-net', ns: podName(bed, 'gother'), result: undefined as unknown, host: '' };
  let calls = 0;
  addNetns([...pods, other].map((p) => p.ns), bed.resources);
  try {
    const adds = await Promise.all([...pods, other].map((p) => runInNode(bed, 'ADD', { containerId: p.id, pod: p.ns, conf: p === other ? otherConf : conf })));
    calls += adds.length;
    adds.forEach((r, i) => {
      const p = i < n ? pods[i]! : other;
      if (r.code !== 0) failures.push({ what: `ADD ${p.id}`, detail: describe(r) });
      p.result = r.json;
      p.host = (r.json as CniResult | undefined)?.interfaces?.[0]?.name ?? '';
    });
    const valid = pods.slice(0, keep).map((p) => ({ containerID: p.id, ifname: 'eth0' }));
    // Decoys: a valid-attachments entry for another ifname of a stale pod does not keep that pod.
    const decoy = { containerID: pods[n - 1]!.id, ifname: 'eth1' };
    const lists: Record<string, unknown> =
      o.key === 'both'
        ? { 'cni.dev/valid-attachments': valid.slice(0, 1), 'cni.dev/attachments': [...valid.slice(1), decoy] }
        : { [o.key]: [...valid, decoy] };
    const gc = await runInNode(bed, 'GC', { conf: { ...conf, ...lists }, ifname: null });
    calls++;
    if (gc.code !== 0 || gc.stdout.trim() !== '') failures.push({ what: `GC (${o.key})`, detail: describe(gc) });
    const mid = await inventory(bed);
    const ipamOf = (net: string) => mid.ipamFiles.filter((f) => f.startsWith(`${net}/`)).length;
    for (const [i, p] of pods.entries()) {
      const alive = i < keep;
      const hasLink = mid.links.some((l) => l.startsWith(`${p.host} `));
      const hasRecord = mid.stateFiles.includes(`endpoints/${p.id}:eth0.cbor`);
      const hasRoute = mid.routes.some((r) => r.includes(`dev ${p.host}`));
      if (hasLink !== alive) failures.push({ what: `GC ${alive ? 'removed a valid' : 'left a stale'} pod's link`, detail: `${p.id} ${p.host}` });
      if (hasRecord !== alive) failures.push({ what: `GC ${alive ? 'removed a valid' : 'left a stale'} pod's record`, detail: p.id });
      if (hasRoute !== alive) failures.push({ what: `GC ${alive ? 'removed a valid' : 'left a stale'} pod's host routes`, detail: `${p.id} ${p.host}` });
      if (alive) {
        const chk = await runInNode(bed, 'CHECK', { containerId: p.id, pod: p.ns, conf: { ...conf, prevResult: p.result } });
        calls++;
        if (chk.code !== 0) failures.push({ what: `CHECK of a valid pod after GC`, detail: `${p.id}: ${describe(chk)}` });
      }
    }
    if (ipamOf('testnet') !== 2 * keep) failures.push({ what: 'IPAM after GC', detail: `${ipamOf('testnet')} testnet allocations, expected ${2 * keep} (the valid pods' only): ${mid.ipamFiles.join(', ')}` });
    if (ipamOf('othernet') !== 1) failures.push({ what: 'GC touched another network', detail: `othernet allocations: ${ipamOf('othernet')}` });
    if (!mid.links.some((l) => l.startsWith(`${other.host} `))) failures.push({ what: 'GC touched another network', detail: `link ${other.host} of ${other.id} is gone` });
    // Clean up the rest the way a runtime would.
    for (const p of pods.slice(0, keep)) {
      const r = await runInNode(bed, 'DEL', { containerId: p.id, pod: p.ns, conf });
      calls++;
      if (r.code !== 0) failures.push({ what: `DEL ${p.id}`, detail: describe(r) });
    }
    for (const p of pods.slice(keep)) {
      const r = await runInNode(bed, 'DEL', { containerId: p.id, pod: p.ns, conf });
      calls++;
      if (r.code !== 0) failures.push({ what: `DEL of a GC'd pod ${p.id}`, detail: describe(r) });
    }
    const r = await runInNode(bed, 'DEL', { containerId: other.id, pod: other.ns, conf: otherConf });
    calls++;
    if (r.code !== 0) failures.push({ what: `DEL ${other.id}`, detail: describe(r) });
    const after = await inventory(bed);
    return { phase: `GC via ${o.key}`, calls, failures, leaks: diffInventory(before, after, FRESH_NODE_IGNORES), ms: Date.now() - started, notes: [], gcRun: gc };
  } finally {
    delNetns([...pods, other].map((p) => p.ns));
  }
}

// ------------------------------------------------------------------------------------------ all

export interface StormOptions {
  seed: number;
  burst?: number;
  pods?: number;
  log?: (s: string) => void;
}

/** All phases on fresh testbeds, for the report. */
export async function runStorm(o: StormOptions): Promise<PhaseResult[]> {
  const out: PhaseResult[] = [];
  const phases: [string, (b: Testbed) => Promise<PhaseResult>][] = [
    ['burst', (b) => burst(b, o.burst ?? 64)],
    ['interleave', (b) => interleave(b, { seed: o.seed, pods: o.pods ?? 200, log: o.log })],
    ['gc', (b) => gcPhase(b, { key: 'cni.dev/valid-attachments' })],
    ['gc', (b) => gcPhase(b, { key: 'cni.dev/attachments' })],
  ];
  for (const [tag, fn] of phases) {
    const bed = new Testbed(`storm-${tag}`);
    try {
      o.log?.(`storm: ${tag} ...`);
      out.push(await fn(bed));
    } finally {
      bed.cleanup();
    }
  }
  return out;
}

