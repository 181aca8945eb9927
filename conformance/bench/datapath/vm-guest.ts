// Runs inside the kvm-run VM (Linux 6.12, netkit): netkit pods against veth pods, all with BPF host
// routing and created by podlink ADD, between two pods of one node and between pods on two nodes
// joined by an underlay and routed by `podlink agent` on each, and those two (netkit) nodes talking directly
// over the underlay; throughput and TCP_RR interleaved per repetition. Prints
// one `DATAPATH-VM-RESULT <json>` line on stdout. Bundled to plain JavaScript by vm.ts (no tsx under TCG).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cleanup, Netns, pool, progress } from '../harness.js';
import { parseOptions } from '../suite.js';
import type { Case, Rep } from './cases.js';
import { NET } from './config.js';
import { startServers, type Tools } from './measure.js';
import { addPod, createNode, type NodeSpec } from './pods.js';
import { runRep } from './repeat.js';
import { attachUplinks, joinNodes, startAgents, underlayAt1500, underlayTarget } from './two-node.js';

export const RESULT_TAG = 'DATAPATH-VM-RESULT ';

const c = new Cleanup();

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), { bin: 'string', 'tcp-mix': 'string', repeat: 'int', 'tput-seconds': 'int', 'rr-seconds': 'int' });
  const netns = new Netns(c);
  // Clients and servers on the same vCPU, and no latency request. Under TCG each vCPU is a host thread
  // that competes with QEMU's own threads for the host's cores: with client and server on different
  // vCPUs and idle polling on, single-stream throughput varied threefold between samples of the same pods (0.37–1.13
  // Gbit/s); on one vCPU by ±15 %. A polling idle vCPU would spin a host thread at 100 %.
  const tools: Tools = { tcpMix: o['tcp-mix'] as string, pin: { client: 0, server: 0, sink: 0 } };
  const bpfBase = '/sys/fs/bpf/podlink-bench-dp-vm';
  const stateBase = '/run/podlink-bench-dp-vm';
  c.add(`remove ${stateBase}`, () => fs.rmSync(stateBase, { recursive: true, force: true }));
  c.add(`remove ${bpfBase}`, () => fs.rmSync(bpfBase, { recursive: true, force: true }));
  const t0 = performance.now();
  {
    const spec = (tag: string, mode: 'veth' | 'netkit', subnet: string, clusterCIDRs?: string[]): NodeSpec => {
      // podlink's state, locks and IPAM files on the guest's own tmpfs: file locks over the virtiofs share can hang.
      const dir = path.join(stateBase, tag);
      fs.mkdirSync(dir, { recursive: true });
      return { name: `pldvm-${tag}`, mode, hostRouting: 'bpf', subnet, bpfRoot: path.join(bpfBase, tag), dir, clusterCIDRs };
    };
    const bin = o.bin as string;
    const cases: Case[] = [];
    const oneNode = async (key: 'vmVeth' | 'vmNetkit', n: NodeSpec) => {
      createNode(netns, n.name);
      const client = await addPod(c, netns, bin, n, `${n.name}-c`, 1500, true);
      const server = await addPod(c, netns, bin, n, `${n.name}-s`, 1500, false);
      await startServers(c, tools, server.ns);
      cases.push({ key, targets: { tput1500: { client: client.ns, ip: server.ip }, rr: { client: client.ns, ip: server.ip } } });
    };
    // Client on node 1, server on node 2: the pod's packets leave its node through the uplink. With
    // `underlay`, also the VM's (g): node 1 to node 2 straight over the underlay at the pods' MTU.
    const twoNodes = async (key: 'vmVeth2' | 'vmNetkit2', n1: NodeSpec, n2: NodeSpec, underlay = false) => {
      createNode(netns, n1.name, { uplink: false });
      createNode(netns, n2.name, { uplink: false });
      joinNodes(n1, n2);
      const [client, server] = await Promise.all([addPod(c, netns, bin, n1, `${n1.name}-c`, 1500, true), addPod(c, netns, bin, n2, `${n2.name}-s`, 1500, false)]);
      attachUplinks(bin, [n1, n2]);
      const s = await startAgents(c, bin, n1, n2, 120_000); // the emulated CPU starts a process in seconds
      progress(`${key}: the agents' pod routes are there after ${s.toFixed(1)} s`);
      await startServers(c, tools, server.ns);
      cases.push({ key, targets: { tput1500: { client: client.ns, ip: server.ip }, rr: { client: client.ns, ip: server.ip } } });
      if (!underlay) return;
      underlayAt1500(n1, n2);
      await startServers(c, tools, n2.name);
      const ul = underlayTarget(n1, 1500);
      cases.push({ key: 'vmUnderlay', targets: { tput1500: ul, rr: ul } });
    };
    const cluster = [NET.cluster];
    // Two setups at a time: every ADD under the emulated CPU takes seconds, a node's first one longer.
    await pool([
      () => oneNode('vmVeth', spec('veth', 'veth', NET.vmVeth)),
      () => oneNode('vmNetkit', spec('netkit', 'netkit', NET.vmNetkit)),
      () => twoNodes('vmVeth2', spec('veth-n1', 'veth', NET.node1, cluster), spec('veth-n2', 'veth', NET.node2, cluster)),
      () => twoNodes('vmNetkit2', spec('netkit-n1', 'netkit', NET.node1, cluster), spec('netkit-n2', 'netkit', NET.node2, cluster), true),
    ], 2, (setup) => setup());
    cases.sort((a, b) => a.key.localeCompare(b.key));
    const setupSeconds = (performance.now() - t0) / 1000;
    progress(`pods ready in ${setupSeconds.toFixed(1)} s`);
    const reps: Rep[] = [];
    const d = { tputSeconds: o['tput-seconds'] as number, rrSeconds: o['rr-seconds'] as number };
    for (let i = 0; i < (o.repeat as number); i++) {
      progress(`repetition ${i + 1}/${o.repeat}`);
      reps.push(await runRep(c, tools, cases, i, d));
    }
    process.stdout.write(`${RESULT_TAG}${JSON.stringify({ kernel: os.release(), cpus: os.cpus().length, setupSeconds, pin: tools.pin, reps })}\n`);
  }
}

// Exits explicitly: after a failure, work still in flight (another node's ADD) must not start servers
// that keep the VM up until its timeout.
function finish(code: number): void {
  c.killChildren();
  for (const e of c.run()) process.stderr.write(`cleanup: ${e}\n`);
  process.stdout.write('', () => process.exit(code));
}

main().then(
  () => finish(0),
  (e: unknown) => {
    process.stderr.write(`DATAPATH-VM-ERROR ${(e as Error)?.stack ?? String(e)}\n`);
    finish(1);
  },
);
