// Wiring: which implementations the executable gives the plugin.
import { haveTcx, isBpffs, kernelHasBpffs } from '../lib/bpf/index.js';
import { podDatapathFor } from '../lib/datapath/index.js';
import type { PluginDeps, ProbeDeps } from '../lib/plugin/index.js';
import type { Sys } from '../lib/sys/index.js';

export function probeDeps(sys: () => Sys): ProbeDeps {
  const s = sys();
  return { sys: s, haveTcx: () => haveTcx(s), haveBpffs: () => isBpffs('/sys/fs/bpf') || kernelHasBpffs() };
}

export function pluginDeps(opts: { printPlan: (s: string) => void; planFormat?: 'text' | 'json' }): PluginDeps {
  return {
    datapath: podDatapathFor,
    probeDeps,
    printPlan: opts.printPlan,
    planFormat: opts.planFormat,
    getenvAll: () => ({ ...process.env }),
  };
}
