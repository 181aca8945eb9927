// Reliability: podlink under concurrency, as a node starting and stopping many pods at once runs it.
//  1. 64 concurrent ADDs on a node podlink has never run on (no mode file, no state dirs: the shared
//     first-time setup races), then 64 concurrent DELs; no errors, no duplicate IPs, nothing left.
//  2. 200 pods whose ADD/CHECK/DEL run in a seeded random order at a randomly varying concurrency
//     (PODLINK_RELIABILITY_SEED=N replays the order and the concurrency schedule); nothing left.
//  3. GC with cni.dev/valid-attachments (and cni.dev/attachments) naming only some of the live pods.
import t, { type Test } from 'tap';
import { isRoot, PODLINK, Testbed } from '../integration/testbed.js';
import { burst, gcPhase, interleave, type PhaseResult } from './storm.js';
import { seedFrom } from './prng.js';
import * as fs from 'node:fs';

if (!isRoot || !fs.existsSync(PODLINK)) {
  t.plan(0, !isRoot ? 'privileged tests need root' : `${PODLINK} missing (node build.mjs)`);
  process.exit(0);
}

const seed = seedFrom([], 'PODLINK_RELIABILITY_SEED');
t.comment(`seed ${seed} (replay with PODLINK_RELIABILITY_SEED=${seed})`);
t.setTimeout(600_000);

function bed(t: Test, tag: string): Testbed {
  const b = new Testbed(tag);
  t.teardown(() => b.cleanup());
  return b;
}

function judge(t: Test, r: PhaseResult): void {
  t.comment(`${r.phase}: ${r.calls} calls in ${(r.ms / 1000).toFixed(1)} s; ${r.notes.join('; ')}`);
  t.same(r.failures, [], `${r.phase}: every call did what it should`);
  t.same(r.leaks, [], `${r.phase}: nothing left on the node (links, addresses, routes, neighbours, pins, records, IPAM)`);
}

t.test('64 concurrent ADDs on a fresh node, then 64 concurrent DELs', async (t) => {
  judge(t, await burst(bed(t, 'rel-burst'), 64));
});

t.test(`200 pods, ADD/CHECK/DEL interleaved at random (seed ${seed})`, async (t) => {
  judge(t, await interleave(bed(t, 'rel-mix'), { seed, pods: 200, log: (s) => t.comment(s) }));
});

for (const key of ['cni.dev/valid-attachments', 'cni.dev/attachments', 'both'] as const) {
  t.test(`GC with ${key === 'both' ? 'both keys (their union is valid)' : key}: only the stale attachments go`, async (t) => {
    judge(t, await gcPhase(bed(t, `rel-gc-${key.length}`), { key }));
  });
}
