// lib/cni/env: the CNI_* environment — which variables each command needs (one table), their
// validation, and parseEnv. Every problem is reported at once as a code 4 error naming the
// variables. CNI_PATH is never required here: lib/ipam asks for it only when it delegates.
// Pure. May import: ./errors, ./names, ./cni-args.
import { CniArgsError, parseCniArgs } from './cni-args.js';
import { CniError, Code } from './errors.js';
import { containerIdProblem, ifnameProblem } from './names.js';

export const COMMANDS = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'] as const;
export type Command = (typeof COMMANDS)[number];

type ContainerVar = 'CNI_CONTAINERID' | 'CNI_NETNS' | 'CNI_IFNAME';

/** Required variables per command (SPEC §2). CNI_NETNS is optional for DEL: the netns may be gone. */
export const REQUIRED_ENV: Readonly<Record<Command, readonly ContainerVar[]>> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  STATUS: [],
  GC: [],
  VERSION: [],
};

/** Variables that identify a container; read (and validated when present) only for these commands. */
const CONTAINER_COMMANDS: ReadonlySet<Command> = new Set(['ADD', 'DEL', 'CHECK']);

export interface CniEnv {
  command: Command;
  /** '' for STATUS, GC and VERSION. */
  containerId: string;
  /** '' when absent (allowed for DEL) and for STATUS, GC and VERSION. */
  netns: string;
  ifname: string;
  /** CNI_ARGS as a map; unknown keys kept. */
  args: Record<string, string>;
  /** CNI_PATH split on ':' with empty entries dropped. */
  path: string[];
}

export type Getenv = (name: string) => string | undefined;

export function isCommand(s: string): s is Command {
  return (COMMANDS as readonly string[]).includes(s);
}

/** CNI_COMMAND alone: missing or unknown → code 4. */
export function parseCommand(getenv: Getenv): Command {
  const cmd = getenv('CNI_COMMAND');
  if (!cmd) throw new CniError(Code.InvalidEnv, 'required env variables [CNI_COMMAND] missing');
  if (!isCommand(cmd)) throw new CniError(Code.InvalidEnv, `unknown CNI_COMMAND: ${cmd}`);
  return cmd;
}

export function splitCniPath(s: string | undefined): string[] {
  return (s ?? '').split(':').filter((p) => p !== '');
}

export function parseEnv(getenv: Getenv): CniEnv {
  const command = parseCommand(getenv);
  const container = CONTAINER_COMMANDS.has(command);
  const read = (name: ContainerVar) => (container ? (getenv(name) ?? '') : '');
  const env: CniEnv = {
    command,
    containerId: read('CNI_CONTAINERID'),
    netns: read('CNI_NETNS'),
    ifname: read('CNI_IFNAME'),
    args: {},
    path: splitCniPath(getenv('CNI_PATH')),
  };

  const missing = REQUIRED_ENV[command].filter((name) => read(name) === '');
  const invalid: string[] = [];
  const problem = (name: string, value: string, why: string | undefined) => {
    if (why) invalid.push(`${name} ${JSON.stringify(value)} ${why}`);
  };
  if (env.containerId) problem('CNI_CONTAINERID', env.containerId, containerIdProblem(env.containerId));
  if (env.ifname) problem('CNI_IFNAME', env.ifname, ifnameProblem(env.ifname));
  if (env.netns && !env.netns.startsWith('/')) problem('CNI_NETNS', env.netns, 'must be an absolute path');
  if (container) {
    try {
      env.args = parseCniArgs(getenv('CNI_ARGS'));
    } catch (e) {
      if (!(e instanceof CniArgsError)) throw e;
      invalid.push(e.message);
    }
  }

  const parts: string[] = [];
  if (missing.length) parts.push(`required env variables [${missing.join(',')}] missing`);
  if (invalid.length) parts.push(`invalid env variables: ${invalid.join('; ')}`);
  if (parts.length) throw new CniError(Code.InvalidEnv, parts.join('; '));
  return env;
}
