// Measurements between client netns and server addresses with tcp-mix (tcp-mix.c): single-stream TCP
// throughput, TCP_RR (latency percentiles) and TCP_CRR (connections/s), each with the busy CPU-seconds
// of the whole machine during the target's time. Every target of one metric is measured in one tcp-mix
// run, the targets taking turns in short slots. Servers stay up for the run (tracked by pid).
// Used on the host and inside the VM (vm-guest.ts): imports no podlink library code.
import { spawn } from 'node:child_process';
import { NSENTER, netnsPath, runTimed, type Cleanup } from '../harness.js';
import type { CpuLatency } from '../cpu-latency.js';
import { parseMixOutput, type RrResult } from './mix-output.js';

/** tcp-mix echoes on this port and discards on the next one (stream). */
export const MIX_PORT = 7001;
/** Time slot of one target in a tcp-mix run (ms). */
export const SLOT_MS = 100;
/** Bytes per write of a stream (iperf3's default for TCP). */
export const STREAM_CHUNK = 131072;

export interface Tools {
  tcpMix: string;
  /** CPUs the processes are pinned to (taskset), so that placement is the same in every sample */
  pin?: Pinning;
  /** held around TCP_RR / TCP_CRR samples */
  latency?: CpuLatency;
}

export const TASKSET = '/usr/bin/taskset';

/** argv run on `cpu` when pinning is on. */
function onCpu(cpu: number | undefined, file: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [file, args] : [TASKSET, ['-c', String(cpu), file, ...args]];
}

export interface Pinning {
  client: number;
  /** the echo server (TCP_RR, TCP_CRR) */
  server: number;
  /**
   * The stream's receiver: on the client's CPU. Split across two CPUs, the receiver's ACKs make the
   * sender's TCP transmit from the receiver's CPU as well as its own; veth queues each packet to the
   * backlog of the CPU that sent it, the two backlogs reorder the stream, and spurious fast
   * retransmits (2604 in 3 s) made 100 ms slots of one path range 10–30 Gbit/s. On one CPU: no
   * retransmission, slots within ±9 %, four connections over one path within 3 % of each other.
   */
  sink: number;
}

/** The first two CPUs, when the machine has two; none otherwise. */
export function pinning(cpus: number): Pinning | undefined {
  return cpus >= 2 ? { client: 0, server: 1, sink: 0 } : undefined;
}

export interface TputSample {
  gbps: number;
  cpuSeconds: number;
  /** busy CPU-seconds per Gbit transferred */
  cpuPerGbit: number;
}

export interface RrSample extends RrResult {
  /** busy CPU-µs per transaction (round trip, or connection for crr) */
  cpuUsPerTxn: number;
}

const ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

/** Starts a long-running server in `ns` and resolves once it printed `ready` (or rejects on exit; 60 s: the VM's emulated CPU starts a process slowly while ADDs run). */
function startServer(c: Cleanup, ns: string, argv: string[], ready: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(NSENTER, [`--net=${netnsPath(ns)}`, ...argv], { env: ENV, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    c.children.add(child);
    c.add(`stop ${what} in ${ns}`, () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} in ${ns} did not start within 60 s: ${out.slice(0, 300)}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      c.children.delete(child);
      reject(new Error(`${what} in ${ns} exited (${code ?? sig}): ${out.slice(0, 300)}`));
    });
  });
}

/** tcp-mix servers on every address of `ns`: the echo server, and the stream's sink on its own CPU. */
export async function startServers(c: Cleanup, t: Tools, ns: string): Promise<void> {
  await Promise.all([
    startServer(c, ns, onCpu(t.pin?.server, t.tcpMix, ['server', '0.0.0.0', String(MIX_PORT), 'echo']).flat(), /listening/, 'tcp-mix echo server'),
    startServer(c, ns, onCpu(t.pin?.sink, t.tcpMix, ['server', '0.0.0.0', String(MIX_PORT), 'sink']).flat(), /listening/, 'tcp-mix sink'),
  ]);
}

export type MixMode = 'stream' | 'rr' | 'crr';

export interface MixTarget {
  /** client netns */
  client: string;
  /** server address */
  ip: string;
}

export type MixSample = { tput: TputSample } | { rr: RrSample } | { error: string };

/**
 * One tcp-mix run over `targets`, each measured for `seconds` in slots of SLOT_MS taken in turn; the
 * latency request is held for rr and crr. Results in target order; a target that failed is an error.
 */
export async function mixed(c: Cleanup, t: Tools, mode: MixMode, targets: MixTarget[], seconds: number): Promise<MixSample[]> {
  const specs = targets.map((x) => `${netnsPath(x.client)},${x.ip},${MIX_PORT}`);
  const size = mode === 'stream' ? STREAM_CHUNK : 1;
  const [file, args] = onCpu(t.pin?.client, t.tcpMix, [mode, String(seconds), String(SLOT_MS), String(size), ...specs]);
  // Generous: the warm-up slots, connection set-up, and the VM's emulated CPU.
  const timeoutMs = (seconds * targets.length * 2 + 60) * 1000;
  const run = () => runTimed(c, { file, args, env: ENV, timeoutMs });
  const r = mode !== 'stream' && t.latency ? await t.latency.during(run) : await run();
  if (r.code !== 0 && !r.stdout.includes('target=')) throw new Error(`tcp-mix ${mode}: exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).slice(0, 300)}`);
  return parseMixOutput(r.stdout, targets.length).map((b): MixSample => {
    if ('error' in b) return b;
    if ('stream' in b) {
      const gbit = (b.stream.bytes * 8) / 1e9;
      return { tput: { gbps: b.stream.gbps, cpuSeconds: b.stream.cpuSeconds, cpuPerGbit: b.stream.cpuSeconds / gbit } };
    }
    return { rr: { ...b.rr, cpuUsPerTxn: (b.rr.cpuSeconds * 1e6) / b.rr.transactions } };
  });
}

/** Client-side sysctls for TCP_CRR: reuse TIME_WAIT ports and a wide ephemeral range (per netns). */
export const CLIENT_SYSCTLS = ['net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=10000 65000'];
