// The path flags the subcommands share (--mode-file, --state-dir, --bpf-root): one definition of their
// defaults and help, and one precedence: the flag, else the netconf's field (install --netconf), else
// the default, which is the netconf schema's, so the CLI and ADD agree on every path.
import type { Command } from 'commander';
import { DEFAULT_MODE_FILE } from '../lib/connector/index.js';
import { DEFAULT_BPF_ROOT } from '../lib/datapath/index.js';
import { DEFAULT_STATE_DIR } from '../lib/plugin/index.js';

export interface NodePaths {
  modeFile: string;
  stateDir: string;
  bpfRoot: string;
}
export type PathKey = keyof NodePaths;
export const PATH_KEYS: readonly PathKey[] = ['modeFile', 'stateDir', 'bpfRoot'];

export const DEFAULT_PATHS: Readonly<NodePaths> = { modeFile: DEFAULT_MODE_FILE, stateDir: DEFAULT_STATE_DIR, bpfRoot: DEFAULT_BPF_ROOT };

const OPTIONS: Readonly<Record<PathKey, { flags: string; what: string }>> = {
  modeFile: { flags: '--mode-file <path>', what: "mode file: the kernel probe's outcome" },
  stateDir: { flags: '--state-dir <path>', what: 'state directory: the endpoint records' },
  bpfRoot: { flags: '--bpf-root <path>', what: 'BPF pin root: programs, maps, links' },
};

/**
 * Adds the path flags `keys` (the paths the subcommand uses) to cmd. They carry no commander default,
 * so resolvePaths can tell a flag from a default; `fromNetconf` says so in the help (install).
 */
export function addPathOptions(cmd: Command, keys: readonly PathKey[], fromNetconf = false): Command {
  for (const k of keys) {
    const fallback = fromNetconf ? `the --netconf file's ${k}, else ${DEFAULT_PATHS[k]}` : DEFAULT_PATHS[k];
    cmd.option(OPTIONS[k].flags, `${OPTIONS[k].what} (default: ${fallback})`);
  }
  return cmd;
}

/** Every path: the flag, else the netconf's field, else the default. */
export function resolvePaths(flags: Partial<NodePaths>, netconf: Readonly<Record<string, unknown>> = {}): NodePaths {
  const pick = (k: PathKey): string => {
    const fromConf = netconf[k];
    return flags[k] ?? (typeof fromConf === 'string' ? fromConf : DEFAULT_PATHS[k]);
  };
  return Object.fromEntries(PATH_KEYS.map((k) => [k, pick(k)])) as unknown as NodePaths;
}
