// Runs inside the kvm-run VM (Linux 6.12, netkit): two BPF nodes, one with netkit pods and one with
// veth pods, both created by podlink ADD; throughput and TCP_RR interleaved per repetition. Prints
// one `DATAPATH-VM-RESULT <json>` line on stdout. Bundled to plain JavaScript by vm.ts (no tsx under TCG).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cleanup, Netns, progress } from '../harness.js';
import { parseOptions } from '../suite.js';
import type { Case, Rep } from './cases.js';
import { NET } from './config.js';
import { startServers } from './measure.js';
import { addPod, createNode, type NodeSpec } from './pods.js';
import { runRep } from './repeat.js';

export const RESULT_TAG = 'DATAPATH-VM-RESULT ';

const c = new Cleanup();

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), { bin: 'string', 'tcp-rr': 'string', repeat: 'int', 'tput-seconds': 'int', 'rr-seconds': 'int' });
  const netns = new Netns(c);
  const tools = { iperf3: '/usr/bin/iperf3', tcpRr: o['tcp-rr'] as string };
  const bpfBase = '/sys/fs/bpf/podlink-bench-dp-vm';
  const stateBase = '/run/podlink-bench-dp-vm';
  c.add(`remove ${stateBase}`, () => fs.rmSync(stateBase, { recursive: true, force: true }));
  c.add(`remove ${bpfBase}`, () => fs.rmSync(bpfBase, { recursive: true, force: true }));
  const t0 = performance.now();
  {
    const spec = (tag: string, mode: 'veth' | 'netkit', subnet: string): NodeSpec => {
      // podlink's state, locks and IPAM files on the guest's own tmpfs: file locks over the virtiofs share can hang.
      const dir = path.join(stateBase, tag);
      fs.mkdirSync(dir, { recursive: true });
      return { name: `pldvm-${tag}`, mode, hostRouting: 'bpf', subnet, bpfRoot: path.join(bpfBase, tag), dir };
    };
    const nodes = { vmVeth: spec('veth', 'veth', NET.vmVeth), vmNetkit: spec('netkit', 'netkit', NET.vmNetkit) };
    const cases: Case[] = [];
    await Promise.all(Object.entries(nodes).map(async ([key, n]) => {
      createNode(netns, n.name);
      const client = await addPod(c, netns, o.bin as string, n, `${n.name}-c`, 1500, true);
      const server = await addPod(c, netns, o.bin as string, n, `${n.name}-s`, 1500, false);
      await startServers(c, tools, server.ns);
      cases.push({ key: key as 'vmVeth' | 'vmNetkit', targets: { tput1500: { client: client.ns, ip: server.ip }, rr: { client: client.ns, ip: server.ip } } });
    }));
    cases.sort((a, b) => a.key.localeCompare(b.key));
    const setupSeconds = (performance.now() - t0) / 1000;
    progress(`pods ready in ${setupSeconds.toFixed(1)} s`);
    const reps: Rep[] = [];
    const d = { tputSeconds: o['tput-seconds'] as number, rrSeconds: o['rr-seconds'] as number };
    for (let i = 0; i < (o.repeat as number); i++) {
      progress(`repetition ${i + 1}/${o.repeat}`);
      reps.push(await runRep(c, tools, cases, i, d));
    }
    process.stdout.write(`${RESULT_TAG}${JSON.stringify({ kernel: os.release(), cpus: os.cpus().length, setupSeconds, reps })}\n`);
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
