// The netns of a run: one "api" netns holding a bridge (br0) with the API server's address, and per
// repetition a fresh node netns joined to it by a veth (ul0: 10.80.0.0/16 + fd00:80::/64, where every
// simulated node's address lies), with its own bpfRoot, mode file and state dir, probed with
// `podlink probe --write` so the maps are pinned, and the `podlink agent` process. Everything is
// registered with the Cleanup before it is made; the agent is ended by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { netnsPath, NSENTER, PLUGIN_PATH, type Cleanup, type Netns } from '../harness.js';
import { nsBatch } from '../../support/netns.js';
import { vethPair } from '../../support/link.js';
import { sh } from '../../support/sh.js';
import { NET } from './fleet.js';
import { AGENT_NODE_OPTIONS } from '../../../lib/manifest/index.js';

export interface ApiNetns {
  name: string;
}

/** The netns the API server listens in: br0 with the API's addresses on the underlay subnets. */
export function buildApiNetns(netns: Netns, tag: string): ApiNetns {
  const name = `${tag}-api`;
  netns.create([name]);
  nsBatch(name, [
    'link set lo up',
    'link add br0 type bridge',
    `addr add ${NET.api4}/${NET.underlay4} dev br0`,
    `addr add ${NET.api6}/${NET.underlay6} dev br0 nodad`,
    'link set br0 up',
  ]);
  return { name };
}

export interface NodeBed {
  ns: string;
  dir: string;
  bpfRoot: string;
  modeFile: string;
  stateDir: string;
  textfileDir: string;
  log: string;
}

/** A fresh node netns on the API's bridge, probed (`probe --write --uplink ul0`): the maps are pinned. */
export function buildNode(o: { netns: Netns; api: ApiNetns; tag: string; rep: number; work: string; bpfBase: string; bin: string }): NodeBed {
  const ns = `${o.tag}-n${o.rep}`;
  const dir = path.join(o.work, `rep${o.rep}`);
  fs.mkdirSync(dir, { recursive: true });
  const bed: NodeBed = {
    ns, dir, bpfRoot: path.join(o.bpfBase, `rep${o.rep}`), modeFile: path.join(dir, 'run/mode.json'), stateDir: path.join(dir, 'state'),
    textfileDir: path.join(dir, 'textfile'), log: path.join(dir, 'agent.log'),
  };
  fs.mkdirSync(bed.textfileDir, { recursive: true });
  o.netns.create([ns]);
  nsBatch(ns, ['link set lo up']);
  vethPair(
    { ns, dev: 'ul0', addrs: [`${NET.self4}/${NET.underlay4}`, `${NET.self6}/${NET.underlay6}`] },
    { ns: o.api.name, dev: `v${o.rep}`, then: [`link set v${o.rep} master br0`] },
  );
  sh(NSENTER, [`--net=${netnsPath(ns)}`, o.bin, 'probe', '--write', '--mode', 'veth', '--mode-file', bed.modeFile, '--bpf-root', bed.bpfRoot, '--uplink', 'ul0']);
  return bed;
}

/** The agent runs with the DaemonSet's V8 options (lib/manifest), unless AGENT_NODE_OPTIONS overrides them. */
export function agentNodeOptions(): string {
  return process.env.AGENT_NODE_OPTIONS ?? AGENT_NODE_OPTIONS;
}

export function agentArgs(bed: NodeBed, kubeconfig: string, logLevel: string): string[] {
  return [
    'agent', '--kubeconfig', kubeconfig, '--node-name', 'self', '--mode-file', bed.modeFile, '--state-dir', bed.stateDir, '--bpf-root', bed.bpfRoot,
    '--service-cidr', NET.serviceCIDR, '--textfile-dir', bed.textfileDir, '--log-level', logLevel,
  ];
}

export interface AgentProcess {
  child: ChildProcess;
  /** ms on process.hrtime's clock just before spawn, and the same moment in ms since the epoch */
  startedHr: number;
  startedWall: number;
  /** the podlink process itself (nsenter execs it, so normally child.pid) */
  pid(): number | undefined;
}

/** Starts `podlink agent` in the node netns (through `nsenter --net`, which execs it); stderr to bed.log. */
export function startAgent(c: Cleanup & { children: Set<ChildProcess> }, bed: NodeBed, bin: string, args: string[]): AgentProcess {
  const fd = fs.openSync(bed.log, 'a');
  const startedWall = Date.now();
  const startedHr = Number(process.hrtime.bigint()) / 1e6;
  const child = spawn(NSENTER, [`--net=${netnsPath(bed.ns)}`, bin, ...args], { stdio: ['ignore', fd, fd], env: { PATH: PLUGIN_PATH, NODE_OPTIONS: agentNodeOptions() }, cwd: '/' });
  fs.closeSync(fd);
  c.children.add(child);
  child.once('exit', () => c.children.delete(child));
  return { child, startedHr, startedWall, pid: () => podlinkPid(child.pid) };
}

/** The agent's pid: the child itself once nsenter has exec'd the program, else nsenter's child. */
function podlinkPid(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const exe = (p: number) => {
    try {
      return fs.readlinkSync(`/proc/${p}/exe`);
    } catch {
      return '';
    }
  };
  if (exe(pid) !== NSENTER) return pid;
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number).find((k) => k > 0);
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the child has exited. Only our own child, by pid. */
export async function stopAgent(a: AgentProcess, graceMs = 5000): Promise<void> {
  const { child } = a;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(child.pid!, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
