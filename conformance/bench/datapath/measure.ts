// One measurement between a client netns and a server netns: iperf3 single-stream TCP throughput,
// tcp-rr TCP_RR (latency percentiles) and TCP_CRR (connections/s), each with the busy CPU-seconds of
// the whole machine (/proc/stat) over the measurement. Servers stay up for the run (tracked by pid).
// Used on the host and inside the VM (vm-guest.ts): imports no podlink library code.
import { spawn } from 'node:child_process';
import { NSENTER, netnsPath, runTimed, type Cleanup } from '../harness.js';
import type { CpuLatency } from '../cpu-latency.js';
import { busySeconds, readCpuTimes } from './cpu.js';
import { parseRrOutput, type RrResult } from './rr-output.js';

export const RR_PORT = 7001;
export const IPERF_PORT = 5201;

export interface Tools {
  iperf3: string;
  tcpRr: string;
  /** CPUs the clients and the servers are pinned to (taskset), so that placement is the same in every sample */
  pin?: { client: number; server: number };
  /** held around TCP_RR / TCP_CRR samples */
  latency?: CpuLatency;
}

export const TASKSET = '/usr/bin/taskset';

/** argv run on `cpu` when pinning is on. */
function onCpu(cpu: number | undefined, file: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [file, args] : [TASKSET, ['-c', String(cpu), file, ...args]];
}

/** Client and server CPUs: the first two, when the machine has two; none otherwise. */
export function pinning(cpus: number): Tools['pin'] {
  return cpus >= 2 ? { client: 0, server: 1 } : undefined;
}

export interface TputSample {
  gbps: number;
  cpuSeconds: number;
  /** busy CPU-seconds per Gbit transferred */
  cpuPerGbit: number;
}

export interface RrSample extends RrResult {
  cpuSeconds: number;
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

/** iperf3 and tcp-rr servers on every address of `ns`. */
export async function startServers(c: Cleanup, t: Tools, ns: string): Promise<void> {
  await Promise.all([
    startServer(c, ns, onCpu(t.pin?.server, t.iperf3, ['-s', '-p', String(IPERF_PORT), '--forceflush']).flat(), /listening/i, 'iperf3 server'),
    startServer(c, ns, onCpu(t.pin?.server, t.tcpRr, ['server', '0.0.0.0', String(RR_PORT)]).flat(), /listening/, 'tcp-rr server'),
  ]);
}

async function timedCpu<T>(fn: () => Promise<T>): Promise<{ r: T; cpu: number }> {
  const a = readCpuTimes();
  const r = await fn();
  return { r, cpu: busySeconds(a, readCpuTimes()) };
}

/** Single-stream TCP throughput from `client` to `ip` (iperf3 -J). */
export async function tput(c: Cleanup, t: Tools, client: string, ip: string, seconds: number): Promise<TputSample> {
  const [file, args] = onCpu(t.pin?.client, t.iperf3, ['-c', ip, '-p', String(IPERF_PORT), '-t', String(seconds), '-J']);
  const { r, cpu } = await timedCpu(() => runTimed(c, { file, args, env: ENV, netns: client, timeoutMs: (seconds + 20) * 1000 }));
  let j: { error?: string; end?: { sum_received?: { bits_per_second?: number; bytes?: number } } };
  try {
    j = JSON.parse(r.stdout) as typeof j;
  } catch {
    throw new Error(`iperf3 ${client} → ${ip}: exit ${r.code}: ${(r.stdout + r.stderr).slice(0, 300)}`);
  }
  const recv = j.end?.sum_received;
  if (j.error || !recv?.bits_per_second || !recv.bytes) throw new Error(`iperf3 ${client} → ${ip}: ${j.error ?? 'no sum_received'}`);
  const gbit = (recv.bytes * 8) / 1e9;
  return { gbps: recv.bits_per_second / 1e9, cpuSeconds: cpu, cpuPerGbit: cpu / gbit };
}

/** TCP_RR or TCP_CRR with 1-byte requests and responses from `client` to `ip`. */
export async function rr(c: Cleanup, t: Tools, mode: 'rr' | 'crr', client: string, ip: string, seconds: number): Promise<RrSample> {
  const [file, args] = onCpu(t.pin?.client, t.tcpRr, [mode, ip, String(RR_PORT), String(seconds), '1']);
  const sample = () => timedCpu(() => runTimed(c, { file, args, env: ENV, netns: client, timeoutMs: (seconds + 20) * 1000 }));
  const { r, cpu } = t.latency ? await t.latency.during(sample) : await sample();
  if (r.code !== 0) throw new Error(`tcp-rr ${mode} ${client} → ${ip}: exit ${r.code ?? r.signal}: ${(r.stdout + r.stderr).slice(0, 300)}`);
  const res = parseRrOutput(r.stdout);
  return { ...res, cpuSeconds: cpu, cpuUsPerTxn: (cpu * 1e6) / res.transactions };
}

/** Client-side sysctls for TCP_CRR: reuse TIME_WAIT ports and a wide ephemeral range (per netns). */
export const CLIENT_SYSCTLS = ['net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=10000 65000'];
