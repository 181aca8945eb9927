// The executables a run needs: root, iproute2, iptables-restore, nsenter, host-local, and tcp-mix
// compiled from tcp-mix.c with gcc into the run's work dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { which, type Cleanup } from '../harness.js';
import { sh } from '../../support/sh.js';
import { CNI_PATH } from './config.js';
import { CpuLatency } from '../cpu-latency.js';
import { pinning, type Tools } from './measure.js';

export const TCP_MIX_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tcp-mix.c');

export function preflight(podlink: string): void {
  if (process.geteuid?.() !== 0) throw new Error('the datapath benchmark needs root (netns, veth, BPF, iptables); run it as root');
  for (const f of [podlink, '/usr/bin/nsenter', path.join(CNI_PATH, 'host-local')]) {
    try {
      fs.accessSync(f, fs.constants.X_OK);
    } catch {
      throw new Error(`${f} is missing or not executable${f === podlink ? ' (build it: node build.mjs)' : ''}`);
    }
  }
  for (const [exe, pkg] of [['ip', 'iproute2'], ['gcc', 'gcc'], ['iptables-restore', 'iptables'], ['sysctl', 'procps']]) {
    if (!which(exe!)) throw new Error(`${exe} is required (apt-get install ${pkg}; conformance/setup.sh installs everything)`);
  }
}

/** The tools, and how the measurements run: CPU pinning and the latency request, unless the options turn them off. */
export function buildTools(work: string, o: { pin: boolean; latencyHold: boolean }, cpus: number, c: Cleanup): Tools {
  const tcpMix = path.join(work, 'bin/tcp-mix');
  fs.mkdirSync(path.dirname(tcpMix), { recursive: true });
  sh(which('gcc')!, ['-O2', '-Wall', '-o', tcpMix, TCP_MIX_SOURCE]);
  return { tcpMix, pin: o.pin ? pinning(cpus) : undefined, latency: o.latencyHold ? new CpuLatency(c) : undefined };
}
