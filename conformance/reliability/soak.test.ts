// Reliability: 500 ADD/DEL cycles (two lanes, modes chosen at random per cycle) with zero growth of
// kernel objects, pins, records, IPAM allocations and files, and no fds held at exit beyond VERSION's
// (see soak.ts for how each is measured). PODLINK_SOAK_SEED=N replays the mode/ifname sequence;
// PODLINK_SOAK_CYCLES overrides the count. First, the detectors are shown to see what they must see.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { isRoot, PODLINK, Testbed } from '../integration/testbed.js';
import { runPluginAsync } from './async-run.js';
import { diffInventory, inventory } from './inventory.js';
import { seedFrom } from './prng.js';
import { fdsAtExit, formatSoak, haveStrace, runSoak } from './soak.js';

if (!isRoot || !fs.existsSync(PODLINK)) {
  t.plan(0, !isRoot ? 'privileged tests need root' : `${PODLINK} missing (node build.mjs)`);
  process.exit(0);
}

t.test('the inventory sees a leaked link, route, pin and file', async (t) => {
  const b = new Testbed('soak-self');
  t.teardown(() => b.cleanup());
  const before = await inventory(b);
  b.ip(b.node, ['link', 'add', 'pl0123456789ab', 'type', 'veth', 'peer', 'name', 'leak1']);
  b.ip(b.node, ['link', 'set', 'leak1', 'up']);
  b.ip(b.node, ['route', 'add', '10.77.0.1/32', 'dev', 'leak1']);
  fs.mkdirSync(path.join(b.bpfRoot, 'links', 'pl0123456789ab'), { recursive: true });
  fs.mkdirSync(path.join(b.stateDir, 'endpoints'), { recursive: true });
  fs.writeFileSync(path.join(b.stateDir, 'endpoints', 'x:eth0.cbor'), '');
  const diff = diffInventory(before, await inventory(b));
  t.ok(diff.includes('links: +leak1 veth') && diff.includes('links: +pl0123456789ab veth'), 'links');
  t.ok(diff.some((d) => d.startsWith('routes: +') && d.includes('10.77.0.1')), 'route');
  t.ok(diff.includes('pins: +links/pl0123456789ab/'), 'per-endpoint pin dir');
  t.ok(diff.includes('stateFiles: +endpoints/x:eth0.cbor'), 'record');
});

t.test('the fd probe sees an fd a process ends holding', { skip: !haveStrace() && 'strace not installed' }, async (t) => {
  const dir = fs.mkdtempSync('/tmp/plr-fdprobe-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const leaky = path.join(dir, 'leaky');
  fs.writeFileSync(leaky, `#!/bin/sh\nexec strace -f -qq -e trace=exit_group -e inject=exit_group:delay_enter=300000 -o /dev/null sh -c 'exec 7<${leaky}; exit 0'\n`, { mode: 0o755 });
  const { r, fds } = await fdsAtExit((onSpawn) => runPluginAsync({ plugin: leaky, command: 'VERSION', stdin: '', onSpawn }));
  t.equal(r.code, 0);
  t.ok(fds?.includes(leaky), `fd 7 on the script itself is seen: ${JSON.stringify(fds)}`);
});

t.setTimeout(1_800_000);
const seed = seedFrom([], 'PODLINK_SOAK_SEED');
const cycles = Number(process.env.PODLINK_SOAK_CYCLES ?? 500);

t.test(`${cycles} ADD/DEL cycles: nothing grows (seed ${seed})`, { timeout: 1_800_000 }, async (t) => {
  t.comment(`seed ${seed}: replay with PODLINK_SOAK_SEED=${seed}`);
  const r = await runSoak({ cycles, seed, lanes: 2, sampleEvery: 25, fdEvery: 100, log: (s) => t.comment(s) });
  t.comment(formatSoak(r));
  t.equal(r.cycles, cycles, 'every cycle ran');
  t.same(r.failures, [], 'every ADD, CHECK and DEL succeeded and every sample matched the baseline');
  t.same(r.leaks, [], 'nothing grew between the warm-up and the last cycle');
  if (haveStrace()) {
    t.ok(r.fdSamples.length >= 4, `fds sampled at exit (${r.fdSamples.length} samples)`);
    t.same(r.fdGrowth, [], 'the fds a call holds at exit are the same in every sample (no growth)');
    t.same(r.fdProblems, [], 'no call ends holding fds it opened, beyond VERSION\'s and the cached home-netns handle');
  }
  t.ok(spawnSync('ip', ['netns', 'list']).stdout.toString().split('\n').every((l) => !l.includes('plt-s0-soak')), 'the soak\'s pod netns are gone');
});
