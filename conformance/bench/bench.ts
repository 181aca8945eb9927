// `npm run bench -- <suite> [options]`: podlink's benchmarks.
//   control   CNI ADD/CHECK/DEL latency, throughput, scaling, cold start and RSS against ptp + host-local
//   datapath  pod-to-pod throughput, latency and CPU through podlink pods (datapath.ts)
//   agent     the node agent against 5000 nodes in a test API server: sync time, change latency, RSS (agent.ts)
// A suite is a module exporting `suite: Suite` (suite.ts); add it to SUITES to plug it in.
import { UsageError, type Suite } from './suite.js';

// A variable specifier so the type checker does not require datapath.ts before it is written.
const DATAPATH_MODULE = './datapath.js';

const SUITES: Record<string, { summary: string; load: () => Promise<{ suite: Suite }> }> = {
  control: { summary: 'control plane: ADD/CHECK/DEL latency, throughput, scaling, cold start, RSS vs ptp', load: () => import('./control.js') },
  datapath: { summary: 'data plane: pod-to-pod throughput, TCP_RR/CRR, CPU; upper stack vs BPF vs direct veth, kube-proxy load, two nodes, netkit (VM)', load: () => import(DATAPATH_MODULE) as Promise<{ suite: Suite }> },
  agent: { summary: 'node agent: 5000 nodes from a test API server, time to program all routes, single node change latency, peak RSS', load: () => import('./agent.js') },
};

function help(): string {
  const lines = ['usage: npm run bench -- <suite> [options]   (as root)', '', 'suites:'];
  for (const [name, s] of Object.entries(SUITES)) lines.push(`  ${name.padEnd(10)} ${s.summary}`);
  lines.push('', 'npm run bench -- <suite> --help   lists the suite\'s options; see conformance/bench/README.md');
  return `${lines.join('\n')}\n`;
}

function isMissingModule(e: unknown, spec: string): boolean {
  const err = e as NodeJS.ErrnoException;
  const base = spec.replace(/^\.\//, '').replace(/\.js$/, '');
  return (err?.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test(String(err?.message))) && String(err?.message).includes(base);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const entry = SUITES[name];
  if (!entry) {
    process.stderr.write(`bench: unknown suite ${JSON.stringify(name)}\n${help()}`);
    return 2;
  }
  let suite: Suite;
  try {
    suite = (await entry.load()).suite;
  } catch (e) {
    if (name === 'datapath' && isMissingModule(e, DATAPATH_MODULE)) {
      process.stdout.write('datapath benchmark: not implemented yet\n');
      return 2;
    }
    throw e;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: npm run bench -- ${suite.name} [options]\n${suite.summary}\n\n${suite.usage.join('\n')}\n`);
    return 0;
  }
  try {
    return await suite.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench ${name}: ${e.message} (see --help)\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
