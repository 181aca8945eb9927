// Reliability: SIGKILL podlink right after every step of ADD (and of DEL), then prove that DEL cleans
// up completely and that a retried ADD works. Uses build/podlink-fault-hooks, a test-only build that
// honours PODLINK_FAULT_AFTER_STEP; the shipped dist/podlink does not contain the hook at all.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CNI_PATH, isRoot, ROOT, Testbed } from './testbed.js';

const FAULTY = path.join(ROOT, 'build/podlink-fault-hooks');
const ADD_STEPS = ['open pod netns', 'resolve datapath mode', 'claim endpoint', 'start IPAM ADD', 'create link pair', 'attach BPF from-pod hook', 'wait for IPAM', 'configure pod side', 'attach BPF to-pod hook', 'configure host side', 'publish endpoint', 'write endpoint record'];
const DEL_STEPS = ['read endpoint record', 'start IPAM DEL', 'delete link pair', 'detach BPF datapath', 'wait for IPAM', 'remove endpoint record'];

if (!isRoot || !fs.existsSync(FAULTY)) {
  t.plan(0, !isRoot ? 'needs root' : 'build/podlink-fault-hooks missing (node build.mjs --with-test-build)');
  process.exit(0);
}

t.test('release build ignores the fault hook', async (t) => {
  const b = new Testbed('crash-rel');
  t.teardown(() => b.cleanup());
  const pod = b.pod('a');
  const r = b.run('ADD', { containerId: 'rel', pod, env: { PODLINK_FAULT_AFTER_STEP: '1' } });
  t.equal(r.code, 0, 'dist/podlink completes ADD');
  t.equal(b.run('DEL', { containerId: 'rel', pod }).code, 0);
});

function assertClean(t: Test, b: Testbed, what: string): void {
  t.same(b.nodeLinks(), [], `${what}: no links`);
  t.same(b.ipamAllocations(), [], `${what}: no IPAM allocations`);
  t.same(b.records(), [], `${what}: no records`);
  t.notMatch(b.ip(b.node, ['route']) + b.ip(b.node, ['-6', 'route']), /dev pl/, `${what}: no pod routes`);
  const pins = path.join(b.bpfRoot, 'links');
  t.same(fs.existsSync(pins) ? fs.readdirSync(pins) : [], [], `${what}: no link pins`);
}

ADD_STEPS.forEach((step, i) => {
  t.test(`SIGKILL after ADD step ${i + 1} (${step}): DEL cleans up, a retried ADD works`, async (t) => {
    const b = new Testbed(`crash-add${i + 1}`);
    t.teardown(() => b.cleanup());
    const pod = b.pod('a');
    const conf = b.conf();
    const killed = b.runWith(FAULTY, 'ADD', { containerId: 'c1', pod, conf, env: { PODLINK_FAULT_AFTER_STEP: String(i + 1) } });
    t.equal(killed.signal, 'SIGKILL', 'podlink was killed mid-ADD');
    t.equal(b.run('DEL', { containerId: 'c1', pod, conf }).code, 0, 'DEL succeeds');
    assertClean(t, b, 'after DEL');
    const again = b.run('ADD', { containerId: 'c1', pod, conf });
    t.equal(again.code, 0, `retried ADD succeeds ${again.stdout}`);
    t.equal(b.run('DEL', { containerId: 'c1', pod, conf }).code, 0);
    assertClean(t, b, 'after the retry');
  });
});

t.test('a retried ADD without DEL after a crash cleans up the leftovers itself', async (t) => {
  const b = new Testbed('crash-readd');
  t.teardown(() => b.cleanup());
  const pod = b.pod('a');
  const killed = b.runWith(FAULTY, 'ADD', { containerId: 'c2', pod, env: { PODLINK_FAULT_AFTER_STEP: 'create link pair' } });
  t.equal(killed.signal, 'SIGKILL');
  // The half-built pod keeps its eth0: the runtime would DEL first, but an ADD retry must not leak.
  b.removePod(pod);
  const pod2 = b.pod('b');
  const r = b.run('ADD', { containerId: 'c2', pod: pod2 });
  t.equal(r.code, 0, `ADD after crash ${r.stdout}`);
  t.equal(b.ipamAllocations().length, 2, 'one IPv4 + one IPv6 allocation, none leaked');
  t.equal(b.run('DEL', { containerId: 'c2', pod: pod2 }).code, 0);
  assertClean(t, b, 'after DEL');
});

t.test('SIGKILL while the IPAM plugin it started is still running: DEL waits for it, then releases', async (t) => {
  const b = new Testbed('crash-ipam');
  t.teardown(() => b.cleanup());
  // host-local behind a half-second delay: podlink is killed long before it has allocated.
  const slow = path.join(b.dir, 'slow-cni');
  fs.mkdirSync(slow);
  fs.writeFileSync(path.join(slow, 'host-local'), `#!/bin/sh\nsleep 0.5\nexec ${path.join(CNI_PATH, 'host-local')} "$@"\n`, { mode: 0o755 });
  const pod = b.pod('a');
  const conf = b.conf();
  // Killed after 'create link pair', by whose end the plugin's process exists: 'start IPAM ADD' only has
  // it spawned on a thread (lib/sys), and a kill right then may come before the spawn.
  const env = { CNI_PATH: slow, PODLINK_FAULT_AFTER_STEP: 'create link pair' };
  const killed = b.runWith(FAULTY, 'ADD', { containerId: 'c3', pod, conf, env });
  t.equal(killed.signal, 'SIGKILL', 'podlink was killed while its IPAM ADD ran');
  const del = b.run('DEL', { containerId: 'c3', pod, conf }); // the plain host-local: done before the orphan
  t.equal(del.code, 0, 'DEL succeeds');
  await new Promise((r) => setTimeout(r, 1000)); // had DEL not waited, the orphan would allocate now
  assertClean(t, b, 'after DEL and the orphan');
  t.match(fs.readFileSync(path.join(b.dir, 'podlink.log'), 'utf8'), /waited for \d+ process\(es\) of an unfinished ADD of c3\/eth0/, 'the log says DEL waited');
});

DEL_STEPS.forEach((step, i) => {
  t.test(`SIGKILL after DEL step ${i + 1} (${step}): another DEL finishes the job`, async (t) => {
    const b = new Testbed(`crash-del${i + 1}`);
    t.teardown(() => b.cleanup());
    const pod = b.pod('a');
    t.equal(b.run('ADD', { containerId: 'd1', pod }).code, 0);
    const killed = b.runWith(FAULTY, 'DEL', { containerId: 'd1', pod, env: { PODLINK_FAULT_AFTER_STEP: String(i + 1) } });
    t.equal(killed.signal, 'SIGKILL', 'podlink was killed mid-DEL');
    t.equal(b.run('DEL', { containerId: 'd1', pod }).code, 0, 'second DEL succeeds');
    assertClean(t, b, 'after the second DEL');
  });
});
