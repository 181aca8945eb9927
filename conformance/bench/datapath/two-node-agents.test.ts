// startAgents' failure paths, with a stand-in for the agent executable in real node netns: an agent
// that exits, and one that never routes (the wait gives up, cleanup stops it by pid).
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testCleanup, type Cleanup } from '../../support/cleanup.js';
import { addNetns } from '../../support/netns.js';
import { isRoot } from '../../support/sh.js';
import { NET } from './config.js';
import type { NodeSpec } from './pods.js';
import { startAgents } from './two-node.js';

const tag = `pldta${process.pid % 100000}`;

function bed(t: Parameters<typeof testCleanup>[0], script: string): { c: Cleanup; n1: NodeSpec; n2: NodeSpec; bin: string; dir: string } {
  const c = testCleanup(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  c.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const [a, b] = [`${tag}-n1`, `${tag}-n2`];
  addNetns([a, b], c, { loUp: true });
  const bin = path.join(dir, 'fake-podlink');
  // argv: agent --nodes-file FILE --node-name NAME ...; the pid goes next to the nodes file
  fs.writeFileSync(bin, `#!/bin/sh\necho $$ > "$(dirname "$3")/$5.pid"\n${script}\n`, { mode: 0o755 });
  const spec = (name: string, subnet: string): NodeSpec => ({ name, mode: 'veth', hostRouting: 'bpf', subnet, bpfRoot: path.join(dir, 'bpf'), dir });
  return { c, n1: spec(a, NET.node1), n2: spec(b, NET.node2), bin, dir };
}

const alive = (pid: number) => {
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

t.test('an agent that exits fails the wait with its exit code and log', { skip: !isRoot && 'needs root (netns)' }, async (t) => {
  const x = bed(t, 'echo "no mode file here" >&2; exit 3');
  await t.rejects(startAgents(x.c, x.bin, x.n1, x.n2, 10_000), /podlink agent in pldta\d+-n[12] exited \(3\): no mode file here/);
  t.same(JSON.parse(fs.readFileSync(path.join(x.dir, 'nodes.json'), 'utf8')).map((e: { name: string }) => e.name), [x.n1.name, x.n2.name]);
});

t.test('agents that never route: the wait gives up naming the missing routes; cleanup stops them by pid', { skip: !isRoot && 'needs root (netns)' }, async (t) => {
  const x = bed(t, 'exec sleep 60');
  const t0 = Date.now();
  await t.rejects(startAgents(x.c, x.bin, x.n1, x.n2, 500), new RegExp(`no protocol-201 route ${NET.node2} via ${NET.underlay[1]} in ${x.n1.name}, ${NET.node1} via ${NET.underlay[0]} in ${x.n2.name} after 0.5 s`));
  t.ok(Date.now() - t0 < 5000, 'gives up at its timeout');
  const pids = [x.n1, x.n2].map((n) => Number(fs.readFileSync(path.join(x.dir, `${n.name}.pid`), 'utf8')));
  t.ok(pids.every(alive), 'both stand-ins still run until cleanup');
  const errs = x.c.run();
  t.same(errs, []);
  t.notOk(pids.some(alive), 'cleanup stopped both');
});
