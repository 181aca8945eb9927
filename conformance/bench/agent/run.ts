// `bench agent` from start to end: preflight, the API server with the fleet, the repetitions (each a fresh
// node netns and agent), cleanup, then the reports (stdout markdown and the JSON results file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeApiServer } from '../../support/kube-apiserver.js';
import { nativeSys } from '../../../lib/sys/index.js';
import { staleSources } from '../control/provenance.js';
import { progress, ROOT, which } from '../harness.js';
import { beginRun, leftoversOf, phaseClock, snapshotExecutable } from '../run-setup.js';
import { fmt, loadavg, writeResults } from '../report.js';
import { changePlan, fleet, NET, testNode, type FleetNode } from './fleet.js';
import { resultsJson } from './json.js';
import { markdown, type AgentRun } from './markdown.js';
import { options } from './options.js';
import { runRepetition, type RunContext } from './repetition.js';
import { buildApiNetns } from './testbed.js';
import { lines, type RepResult } from './verdict.js';

function preflight(bin: string): void {
  if (process.geteuid?.() !== 0) throw new Error('the agent benchmark needs root (netns, veth, bpffs); run it as root');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`${bin} is missing or not executable (build it: node build.mjs)`);
  }
  if (!fs.existsSync('/usr/bin/nsenter')) throw new Error('/usr/bin/nsenter is required (util-linux)');
  if (!which('ip')) throw new Error('ip is required (apt-get install iproute2)');
}

export async function run(argv: string[]): Promise<number> {
  const o = options(argv);
  preflight(o.podlink);
  const { startedAt, host, c, netns, tag, work } = beginRun(o, 'agent', 'plba');
  const bpfBase = `/sys/fs/bpf/podlink-bench-agent-${process.pid}`;
  c.add(`remove ${bpfBase}`, () => fs.rmSync(bpfBase, { recursive: true, force: true }));
  const { bin, sha256: binSha, version } = snapshotExecutable(o.podlink, work, host);
  const stale = staleSources(o.podlink);
  const libDir = path.join(work, 'lib');
  fs.mkdirSync(libDir, { recursive: true, mode: 0o700 });
  const reps: RepResult[] = [];
  const { phases, phase } = phaseClock();
  let cleanupErrors: string[] = [];
  let failure: string | undefined;
  try {
    const sys = nativeSys(libDir);
    const apiNs = buildApiNetns(netns, tag);
    const api = await KubeApiServer.create({ token: 'bench-token', netns: { name: apiNs.name, host: NET.api4 }, imagesPerNode: o.imagesPerNode });
    c.add('stop the API server', () => {
      void api.stop();
      fs.rmSync(api.dir, { recursive: true, force: true });
    });
    const nodes = fleet(o.nodes);
    api.addNodes(nodes.map(testNode));
    const kubeconfig = api.writeKubeconfig(path.join(work, 'kubeconfig'));
    const plan = changePlan(o.nodes, o.changes * o.repeat);
    const x: RunContext = {
      c, netns, sys, libDir, api, apiNs, kubeconfig, tag, work, bpfBase, bin, o, fleet: new Map<string, FleetNode>(nodes.map((n) => [n.name, n])),
    };
    phase('setup');
    for (let r = 0; r < o.repeat; r++) {
      progress(`repetition ${r + 1}/${o.repeat}: ${o.nodes} nodes in the API, load ${loadavg().join(' ')}`);
      reps.push(await runRepetition(x, r + 1, plan.slice(r * o.changes, (r + 1) * o.changes)));
    }
    phase('repetitions');
    await api.close();
  } catch (e) {
    failure = (e as Error).stack ?? String(e);
    progress(`FAILED: ${(e as Error).message}`);
  } finally {
    progress('cleaning up');
    c.killChildren();
    cleanupErrors = c.run();
    phase('cleanup');
  }
  const leftovers = leftoversOf(tag, [bpfBase, work]);
  const r: AgentRun = {
    o, host, loadEnd: loadavg(), startedAt, wallSeconds: (Date.now() - startedAt.getTime()) / 1000, phases, version, binSha, stale,
    reps, lines: lines(reps), failure, cleanupErrors, leftovers,
  };
  const md = markdown(r);
  if (o.json) md.push(`Results: ${path.relative(ROOT, writeResults('agent', resultsJson(r), startedAt))}`);
  process.stdout.write(`${md.join('\n')}\n`);
  progress(`done in ${fmt(r.wallSeconds, 0)} s`);
  return failure ? 1 : 0;
}
