// `npm run bench -- agent`: the agent's control plane with 5 000 nodes in the test API server (issue #15,
// section 8): time to program every route from the agent's start, single-node change latency from the
// watch event to the kernel, and peak RSS, each against its target, repeated with a fresh node per run.
//
// The real executable runs as `podlink agent --kubeconfig …` in a node netns of its own, reaching the test
// API server (conformance/support/kube-apiserver.ts) over the node's underlay; every node address lies on
// that underlay, so every node gets a native route. The work lives in agent/:
//   run.ts, repetition.ts      the run from start to end, and one repetition
//   options.ts, fleet.ts       options; the simulated nodes, their addresses and the change plan
//   testbed.ts                 the API netns, the node netns, the agent process
//   route-monitor.ts (+ -worker.ts), cidr-poll.ts   what the kernel holds, and since when
//   agent-log.ts, verdict.ts   the agent's log and /proc, the targets and verdicts
//   markdown.ts, json.ts       the stdout report and the results file
import type { Suite } from './suite.js';
import { USAGE } from './agent/options.js';
import { run } from './agent/run.js';

export const suite: Suite = {
  name: 'agent',
  summary: 'podlink agent with 5000 nodes in a test API server: routes programmed from start, single node change latency, peak RSS',
  usage: USAGE,
  run,
};
