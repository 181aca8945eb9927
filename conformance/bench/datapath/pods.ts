// Node netns and pods created through the real podlink CNI ADD (run through `nsenter --net=<node>`, so
// podlink sees the machine's bpffs), with host-local IPAM. Shared by the host run and the VM guest:
// imports no podlink library code.
import * as path from 'node:path';
import { netnsPath, pool, runTimed, type Cleanup, type Netns } from '../harness.js';
import { nsSysctl } from '../../support/netns.js';
import { configureNode } from '../../support/node.js';
import { CNI_PATH, CNI_VERSION, NET } from './config.js';
import { CLIENT_SYSCTLS } from './measure.js';

export interface NodeSpec {
  /** netns name */
  name: string;
  mode: 'veth' | 'netkit';
  hostRouting: 'bpf' | 'legacy';
  subnet: string;
  bpfRoot: string;
  dir: string;
  clusterCIDRs?: string[];
  /** the network config's `routing` (#16); absent: podlink's default */
  routing?: 'tunnel';
}

export interface Pod {
  ns: string;
  ip: string;
  hostIf: string;
  node: NodeSpec;
  containerId: string;
  /** undefined: no `mtu` in the config, podlink picks it */
  mtu: number | undefined;
}

/** A node netns: lo up, forwarding on, and an uplink veth holding the default route (as a real node has). */
export function createNode(netns: Netns, name: string, opts: { uplink?: boolean } = { uplink: true }): void {
  netns.create([name]);
  const uplink = { dev: 'uplink0', mtu: 9000, addrs: [NET.uplink], gateways: [NET.uplinkGw] };
  configureNode(name, { uplink: opts.uplink ? uplink : undefined, forwarding: true });
}

export function podlinkConf(n: NodeSpec, mtu: number | undefined): Record<string, unknown> {
  return {
    ...(n.routing ? { routing: n.routing } : {}),
    cniVersion: CNI_VERSION,
    name: `bench-dp-${path.basename(n.dir)}`,
    type: 'podlink',
    mode: n.mode,
    hostRouting: n.hostRouting,
    ...(mtu === undefined ? {} : { mtu }),
    modeFile: path.join(n.dir, 'mode.json'),
    stateDir: path.join(n.dir, 'state'),
    bpfRoot: n.bpfRoot,
    logFile: path.join(n.dir, 'podlink.log'),
    clusterCIDRs: n.clusterCIDRs ?? [],
    ipam: { type: 'host-local', dataDir: path.join(n.dir, 'ipam'), ranges: [[{ subnet: n.subnet }]] },
  };
}

function cniEnv(op: string, containerId: string, podNs: string): Record<string, string> {
  return { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CNI_COMMAND: op, CNI_CONTAINERID: containerId, CNI_NETNS: netnsPath(podNs), CNI_IFNAME: 'eth0', CNI_PATH };
}

interface AddResult {
  interfaces?: { name: string; sandbox?: string }[];
  ips?: { address: string }[];
}

/** Creates the pod netns and runs podlink ADD for it in the node netns. */
export async function addPod(c: Cleanup, netns: Netns, bin: string, n: NodeSpec, podNs: string, mtu: number | undefined, client: boolean): Promise<Pod> {
  netns.create([podNs]);
  if (client) nsSysctl(podNs, CLIENT_SYSCTLS);
  const containerId = `dp-${podNs}`;
  const r = await runTimed(c, { file: bin, env: cniEnv('ADD', containerId, podNs), stdin: JSON.stringify(podlinkConf(n, mtu)), netns: n.name, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`podlink ADD ${podNs} in ${n.name}: exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).trim().slice(0, 500)}`);
  const res = JSON.parse(r.stdout) as AddResult;
  const ip = res.ips?.map((x) => x.address.split('/')[0]!).find((a) => a.includes('.'));
  const hostIf = res.interfaces?.find((x) => !x.sandbox)?.name;
  if (!ip || !hostIf) throw new Error(`podlink ADD ${podNs}: result without an IPv4 address or host interface: ${r.stdout.slice(0, 300)}`);
  return { ns: podNs, ip, hostIf, node: n, containerId, mtu };
}

/** podlink DEL of every pod (best effort); returns the failures. */
export async function delPods(c: Cleanup, bin: string, pods: Pod[]): Promise<string[]> {
  const errs: string[] = [];
  await pool(pods, 4, async (p) => {
    const r = await runTimed(c, { file: bin, env: cniEnv('DEL', p.containerId, p.ns), stdin: JSON.stringify(podlinkConf(p.node, p.mtu)), netns: p.node.name, timeoutMs: 120_000 });
    if (r.code !== 0) errs.push(`podlink DEL ${p.ns}: exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).trim().slice(0, 200)}`);
  });
  return errs;
}
