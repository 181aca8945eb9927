// (e) netkit vs veth pods with BPF, in one kvm-run call (Linux 6.12 under emulation: indicative only).
// SKIP when no VM can run here (no kvm-run, exit 77), INCONCLUSIVE when the VM infrastructure fails
// (virtiofsd dying under seccomp, timeout, boot failure), FAILED when the guest run itself fails.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, ROOT, stopGently, type Cleanup } from '../harness.js';
import type { LatencyHold } from '../cpu-latency.js';
import type { Rep } from './cases.js';
import { DEFAULTS } from './config.js';
import type { Pinning, Tools } from './measure.js';

const RESULT_TAG = 'DATAPATH-VM-RESULT ';

/** The guest never takes the latency request: a polling idle vCPU under TCG spins a host thread. */
export const VM_LATENCY_HOLD: LatencyHold = { held: false, reason: 'not in the VM (a polling vCPU spins a host thread)' };
const GUEST_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'vm-guest.ts');

export interface VmOutcome {
  status: 'OK' | 'SKIP' | 'INCONCLUSIVE' | 'FAILED';
  reason?: string;
  kernel?: string;
  setupSeconds?: number;
  pin?: Pinning;
  wallSeconds?: number;
  reps: Rep[];
}

export function kvmRunPath(): string {
  return process.env.KVM_RUN ?? path.resolve(ROOT, '../shared/tools/kvm-run');
}

/** Classifies a finished kvm-run call from its exit code and output. */
export function classifyVm(code: number | null, stdout: string, stderr: string): Omit<VmOutcome, 'wallSeconds'> {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  const last = (s: string) => s.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
  if (code === 77) return { status: 'SKIP', reason: (/kvm-run: skip: (.*)/.exec(stderr)?.[1] ?? 'kvm-run exit 77: no VM can run here').trim(), reps: [] };
  if (code === 0 && line) {
    const j = JSON.parse(line.slice(RESULT_TAG.length)) as { kernel: string; setupSeconds: number; pin?: Pinning; reps: Rep[] };
    return { status: 'OK', kernel: j.kernel, setupSeconds: j.setupSeconds, pin: j.pin, reps: j.reps };
  }
  const guestErr = /DATAPATH-VM-ERROR (.*)/.exec(stderr)?.[1];
  if (guestErr) return { status: 'FAILED', reason: `guest: ${guestErr.slice(0, 300)}`, reps: [] };
  if (/virtiofsd/i.test(stderr)) return { status: 'INCONCLUSIVE', reason: `virtiofsd failed (exit ${code}): ${last(stderr)}`, reps: [] };
  if (code === 124) return { status: 'INCONCLUSIVE', reason: 'the VM timed out', reps: [] };
  if (code === 125) return { status: 'INCONCLUSIVE', reason: `the VM failed before the command finished: ${last(stderr)}`, reps: [] };
  return { status: 'INCONCLUSIVE', reason: `kvm-run exit ${code} without a result: ${last(stderr)}`, reps: [] };
}

async function bundleGuest(out: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [GUEST_SOURCE], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
}

export async function runVm(c: Cleanup, work: string, bin: string, tools: Tools, repeat: number): Promise<VmOutcome> {
  const t0 = performance.now();
  const kvm = kvmRunPath();
  if (!fs.existsSync(kvm)) return { status: 'SKIP', reason: `${kvm} not found`, reps: [] };
  const check = spawnSync(kvm, ['--check'], { encoding: 'utf8', timeout: 120_000 });
  if (check.status === 77) return { status: 'SKIP', reason: (/skip: (.*)/.exec(check.stderr + check.stdout)?.[1] ?? 'kvm-run --check: exit 77').trim(), reps: [] };
  if (check.status !== 0) return { status: 'SKIP', reason: `kvm-run --check exit ${check.status}: ${(check.stderr ?? '').trim().slice(0, 200)}`, reps: [] };
  const guest = path.join(work, 'vm-guest.mjs');
  await bundleGuest(guest);
  // Two vCPUs, but the guest runs clients and servers on CPU 0 only (vm-guest.ts): with one vCPU the
  // guest's clock ticked in 4 ms steps (TCP_RR p50 read 0 µs).
  const args = ['--cpus', '2', '--mem', '2G', '--timeout', String(DEFAULTS.vmTimeoutSeconds), '--', process.execPath, guest,
    '--bin', bin, '--tcp-mix', tools.tcpMix, '--repeat', String(repeat), '--tput-seconds', String(DEFAULTS.vmTputSeconds), '--rr-seconds', String(DEFAULTS.vmRrSeconds)];
  progress(`(e) kvm-run ${args.slice(0, 6).join(' ')} -- node vm-guest.mjs --repeat ${repeat}`);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // cwd = the work dir: kvm-run shares the working directory read-write with the guest.
    // MALLOC_ARENA_MAX=1: Debian 12's virtiofsd is killed by its own seccomp filter when glibc creates a
    // malloc arena (sched_getaffinity) under concurrent guest I/O, and the guest then hangs on its root
    // filesystem (seen with the two nodes' first ADDs in parallel). conformance/vm/run-vm-tier.sh does the same.
    const child = spawn(kvm, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: '1' } });
    // Not in c.children (those get SIGKILL, and a SIGKILLed kvm-run leaves QEMU running until its
    // timeout): SIGTERM lets kvm-run stop QEMU and virtiofsd itself.
    c.add('stop kvm-run', () => stopGently(child.pid, () => child.exitCode !== null || child.signalCode !== null));
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      for (const l of b.toString().split('\n')) if (l.trim()) progress(`vm: ${l.replace(/^\[bench\s+[\d.]+s\] /, '')}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout: out, stderr: err });
    });
  });
  return { ...classifyVm(code, stdout, stderr), wallSeconds: (performance.now() - t0) / 1000 };
}
