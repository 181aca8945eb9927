// `npm run bench -- datapath`: pod-to-pod data plane through podlink's pods against the host's best case.
//
// Everything runs in network namespaces this suite creates, pods are created by the real podlink CNI
// ADD (a snapshot of dist/podlink, through `nsenter --net=<node>` so that podlink sees bpffs), with
// host-local IPAM. Topologies: (a) a direct veth pair, (b) veth pods with upper-stack forwarding
// (hostRouting legacy), (c) the same with BPF host routing, (d) (b) and (c) under kube-proxy load,
// (e) netkit vs veth pods with BPF in a kvm-run VM, (f) BPF pods on two nodes. Topologies are
// interleaved per repetition; ratios are judged per repetition (PASS / MISS / NOISY).
//
// The work lives in datapath/:
//   run.ts             the run from start to end
//   options.ts, config.ts, tools.ts    options, constants, preflight and the tcp-mix build
//   topology.ts, pods.ts, kube-proxy.ts, uplink.ts   the host testbed
//   measure.ts, repeat.ts, mix-output.ts, tcp-mix.c   measurements
//   vm.ts, vm-guest.ts (e): one kvm-run call
//   cases.ts, metrics.ts, ratios.ts, verdict.ts, warnings.ts   what is compared and judged
//   markdown.ts, json.ts, chart.ts, svg.ts   the stdout report, the results file, the SVG chart
import type { Suite } from './suite.js';
import { USAGE } from './datapath/options.js';
import { run } from './datapath/run.js';

export const suite: Suite = {
  name: 'datapath',
  summary: 'pod-to-pod throughput, TCP_RR/CRR latency and CPU: veth upper stack vs BPF host routing vs a direct veth pair, idle and under kube-proxy load, two nodes, netkit in a VM',
  usage: USAGE,
  run,
};
