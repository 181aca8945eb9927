// A PM QoS CPU latency request of 0 µs, taken around latency samples, the way tuned's
// latency-performance profile holds it: idle CPUs poll instead of halting.
//
// Why: on this kind of VM a wake-up that crosses CPUs costs a halted vCPU's exit to the hypervisor
// and back. Measured by hand on the 2-core EPYC VM: 1-byte TCP_RR over loopback, client and server on
// different CPUs, p50 85–95 µs with the default idle states and 15.5 µs with the request held. The
// wake-ups made up 80 % of every round trip and buried the few µs that separate the datapaths.
// Throughput samples run without it: polling vCPUs compete with the busy ones for the host's cores
// (single-stream iperf3 fell to 9–11 Gbit/s in some samples with the request held all along).
// The kernel drops the request when the file is closed (Documentation/power/pm_qos_interface.rst),
// also when the process dies, so nothing outlives the run.
import * as fs from 'node:fs';
import type { Cleanup } from './harness.js';

export const CPU_LATENCY_FILE = '/dev/cpu_dma_latency';

export interface LatencyHold {
  /** the request was taken for the latency samples */
  held: boolean;
  /** why not, when not held */
  reason?: string;
}

export class CpuLatency {
  private fd: number | undefined;
  private failed: string | undefined;
  private taken = false;

  constructor(c: Cleanup, readonly file = CPU_LATENCY_FILE) {
    c.add(`release ${file}`, () => this.release());
  }

  /** Opens the file and writes 0 as a binary s32; the request lasts until release(). */
  acquire(): boolean {
    if (this.fd !== undefined) return true;
    if (this.failed) return false;
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'w');
    } catch (e) {
      this.failed = `cannot open ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      return false;
    }
    try {
      fs.writeSync(fd, Buffer.alloc(4));
    } catch (e) {
      fs.closeSync(fd);
      this.failed = `cannot write ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      return false;
    }
    this.fd = fd;
    this.taken = true;
    return true;
  }

  release(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  async during<T>(fn: () => Promise<T>): Promise<T> {
    this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  status(): LatencyHold {
    return this.failed ? { held: false, reason: this.failed } : this.taken ? { held: true } : { held: false, reason: 'no latency sample ran' };
  }
}
