// Wiring: which implementations the executable uses for the plugin's ports.
import { haveTcx, isBpffs } from '../lib/bpf/index.js';
import { noDatapath, type DatapathPort, type PluginDeps, type ProbeDeps } from '../lib/plugin/index.js';
import type { Sys } from '../lib/sys/index.js';
import { bpfDatapathPort } from './datapath-wiring.js';

export function probeDeps(sys: () => Sys): ProbeDeps {
  const s = sys();
  return { sys: s, haveTcx: () => haveTcx(s), haveBpffs: () => isBpffs('/sys/fs/bpf') };
}

/**
 * hostRouting legacy attaches nothing, but DEL/GC still detach: a pod created while BPF host routing
 * was on must not leave pins behind after the config changes.
 */
export function datapathFor(sys: () => Sys, hostRouting: string): DatapathPort {
  const bpf = bpfDatapathPort(sys);
  if (hostRouting !== 'legacy') return bpf;
  return { ...noDatapath, detach: bpf.detach, ready: () => [], close: () => bpf.close?.() };
}

export function pluginDeps(opts: { printPlan: (s: string) => void; planFormat?: 'text' | 'json' }): PluginDeps {
  return {
    datapath: datapathFor,
    probeDeps,
    printPlan: opts.printPlan,
    planFormat: opts.planFormat,
    getenvAll: () => ({ ...process.env }),
  };
}
