// `bench datapath` from start to end: preflight, the host testbed, interleaved repetitions, the VM part,
// podlink DEL of every pod, cleanup, then the reports (stdout markdown, JSON and SVG results files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { netnsPath, progress, ROOT, NSENTER } from '../harness.js';
import { sh } from '../../support/sh.js';
import { CpuLatency } from '../cpu-latency.js';
import { fmt, loadavg, writeResults } from '../report.js';
import { beginRun, leftoversOf, phaseClock, snapshotExecutable } from '../run-setup.js';
import type { Rep } from './cases.js';
import { chartSvg } from './chart.js';
import { DEFAULTS } from './config.js';
import { resultsJson } from './json.js';
import { markdown } from './markdown.js';
import { options } from './options.js';
import { delPods } from './pods.js';
import { hostRatios, infoRatios, selected, vmRatios } from './ratios.js';
import type { FastPath, RunRecord, TunnelCounters } from './record.js';
import { runRep } from './repeat.js';
import { buildTools, preflight } from './tools.js';
import { buildHostBed, type HostBed } from './topology.js';
import { ifindexOf, linkPackets, pathCounters } from './uplink.js';
import { FLANNEL_DEV } from './flannel.js';
import { TUNNEL_DEV } from './two-node.js';
import { runVm, type VmOutcome } from './vm.js';
import { warnings } from './warnings.js';

function conntrackCount(ns: string): number | null {
  try {
    return Number(sh(NSENTER, [`--net=${netnsPath(ns)}`, 'cat', '/proc/sys/net/netfilter/nf_conntrack_count']).trim());
  } catch {
    return null;
  }
}

/** IPv4 datagrams the netns's stack forwarded (Ip: ForwDatagrams in /proc/net/snmp). */
function forwardedV4(ns: string): number {
  const ip = sh(NSENTER, [`--net=${netnsPath(ns)}`, 'cat', '/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Ip:')).map((l) => l.split(/\s+/));
  return Number(ip[1]![ip[0]!.indexOf('ForwDatagrams')]);
}

function fastPath(libDir: string, bed: HostBed): FastPath {
  const pod = (k: string) => bed.pods.find((p) => p.ns.endsWith(`-${k}`));
  const dev = (k: string) => ifindexOf(pod(k)!.node.name, pod(k)!.hostIf);
  const { bpf, node1, node2 } = bed.nodes;
  const fp: FastPath = {};
  if (bpf) fp.bpfRedirectLocal = pathCounters(libDir, bpf.bpfRoot, dev('bpf-c1500')).redirectLocal;
  if (node1 && node2) fp.twoNodeForwarded = [forwardedV4(node1.name), forwardedV4(node2.name)];
  if (node1 && node2 && pod('two-c1500')) {
    fp.twoNodeRedirectFib = pathCounters(libDir, node1.bpfRoot, dev('two-c1500')).redirectFib;
    fp.twoNodeUplinkRedirect = pathCounters(libDir, node2.bpfRoot, ifindexOf(node2.name, 'ul0')).redirectLocal;
  }
  return fp;
}

function tunnelCounters(nodes: [string, string] | undefined, dev: string): TunnelCounters | undefined {
  if (!nodes) return undefined;
  return { dev, packets: [linkPackets(nodes[0], dev), linkPackets(nodes[1], dev)], forwarded: [forwardedV4(nodes[0]), forwardedV4(nodes[1])] };
}

export async function run(argv: string[]): Promise<number> {
  const o = options(argv);
  preflight(o.podlink);
  const { startedAt, host, c, netns, tag: id, work } = beginRun(o, 'dp', 'pld');
  const { bin, sha256: binSha, version } = snapshotExecutable(o.podlink, work, host);
  const tools = buildTools(work, o, host.cpus, c);

  const { phases, phase } = phaseClock();
  const reps: Rep[] = [];
  let vm: VmOutcome = { status: 'SKIP', reason: '--no-vm', reps: [] };
  let fp: FastPath | undefined;
  let tunnels: RunRecord['tunnels'];
  const conntrack: Record<string, number | null> = {};
  const notes: string[] = [];
  const warn: string[] = [];
  let cleanupErrors: string[] = [];
  const libDir = path.join(work, 'lib');
  let bed: HostBed | undefined;
  try {
    bed = await buildHostBed({ c, netns, id, work, bin, bpfBase: `/sys/fs/bpf/podlink-bench-dp-${process.pid}`, tools }, o.cases);
    notes.push(...bed.notes);
    phase('setup');
    const d = { tputSeconds: o.tputSeconds, rrSeconds: o.rrSeconds };
    for (let i = 0; i < o.repeat; i++) {
      progress(`repetition ${i + 1}/${o.repeat}: ${bed.cases.length} topologies, load ${loadavg().join(' ')}`);
      reps.push(await runRep(c, tools, bed.cases, i, d));
    }
    phase('host measurements');
    if (bed.nodes.legacyLoad) conntrack.legacyLoad = conntrackCount(bed.nodes.legacyLoad.name);
    if (bed.nodes.bpfLoad) conntrack.bpfLoad = conntrackCount(bed.nodes.bpfLoad.name);
    try {
      fp = fastPath(libDir, bed);
    } catch (e) {
      warn.push(`could not read the BPF counters: ${(e as Error).message}`);
    }
    try {
      const { tunnel1, tunnel2 } = bed.nodes;
      tunnels = { flannel: tunnelCounters(bed.flannelNodes, FLANNEL_DEV), tunnel: tunnelCounters(tunnel1 && tunnel2 && [tunnel1.name, tunnel2.name], TUNNEL_DEV) };
    } catch (e) {
      warn.push(`could not read the tunnel devices' counters: ${(e as Error).message}`);
    }
    if (o.vm) {
      vm = await runVm(c, work, bin, tools, o.repeat);
      progress(`(e) VM: ${vm.status}${vm.reason ? `: ${vm.reason}` : ''}`);
      phase('VM');
    }
    progress(`podlink DEL of ${bed.pods.length} pods`);
    const delErrs = await delPods(c, bin, bed.pods);
    if (delErrs.length) warn.push(...delErrs);
    phase('DEL');
  } finally {
    progress('cleaning up');
    c.killChildren();
    cleanupErrors = c.run();
    phase('cleanup');
  }
  const leftovers = leftoversOf(id, [`/sys/fs/bpf/podlink-bench-dp-${process.pid}`, work]);
  const wallSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const r: RunRecord = {
    o, host, loadEnd: loadavg(), startedAt, wallSeconds, phases, version, binSha, reps, vm, latencyHold: tools.latency?.status() ?? { held: false, reason: '--idle-states' }, pin: tools.pin,
    ratios: selected(hostRatios(reps), o.cases), info: selected(infoRatios(reps), o.cases), vmRatios: vmRatios(vm.reps),
    conntrack, fastPath: fp, tunnels, notes, warnings: warn, cleanupErrors, leftovers,
  };
  r.warnings.push(...warnings(r));
  const md = markdown(r);
  if (o.json) {
    const file = writeResults('datapath', resultsJson(r), startedAt);
    const svg = file.replace(/\.json$/, '.svg');
    fs.writeFileSync(svg, chartSvg(r));
    md.push(`Results: ${path.relative(ROOT, file)}, chart: ${path.relative(ROOT, svg)}`);
  }
  process.stdout.write(`${md.join('\n')}\n`);
  progress(`done in ${fmt(wallSeconds, 0)} s (budget ${DEFAULTS.budgetSeconds} s)`);
  return 0;
}
