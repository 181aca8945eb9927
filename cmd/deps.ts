// Wiring: which implementations the executable uses for the plugin's ports.
import * as fs from 'node:fs';
import { noDatapath, type PluginDeps, type ProbeDeps } from '../lib/plugin/index.js';
import type { Sys } from '../lib/sys/index.js';

function haveBpffs(): boolean {
  try {
    return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[2] === 'bpf');
  } catch {
    return false;
  }
}

export function probeDeps(sys: () => Sys): ProbeDeps {
  return { sys: sys(), haveTcx: () => false, haveBpffs };
}

export function pluginDeps(opts: { printPlan: (s: string) => void; planFormat?: 'text' | 'json' }): PluginDeps {
  return {
    datapath: () => noDatapath,
    probeDeps,
    printPlan: opts.printPlan,
    planFormat: opts.planFormat,
    getenvAll: () => ({ ...process.env }),
  };
}
