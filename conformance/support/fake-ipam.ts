// The fake IPAM plugin (fake-ipam/fake-ipam) and the one set of variables that steers it.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A directory to put in CNI_PATH: it holds only the fake, as ipam type "fake-ipam". */
export const FAKE_IPAM_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-ipam');
export const FAKE_IPAM = path.join(FAKE_IPAM_DIR, 'fake-ipam');

export interface FakeIpamOptions {
  /** Behaviour; see the plugin's header. Default ok. */
  mode?: string;
  /** The commands the mode governs; default ADD only (DEL, CHECK, ... then succeed). */
  commands?: string[];
  /** Allocation store (must exist): one file per (container, ifname) between ADD and DEL. */
  store?: string;
  /** Line log of every call. */
  log?: string;
  /** JSON-lines dump of every call (command, argv, env, stdin). */
  dump?: string;
  result?: string;
  error?: string;
  stderr?: string;
}

export function fakeIpamEnv(o: FakeIpamOptions): Record<string, string> {
  const env: Record<string, string | undefined> = {
    FAKE_IPAM_MODE: o.mode,
    FAKE_IPAM_COMMANDS: o.commands?.join(','),
    FAKE_IPAM_DIR: o.store,
    FAKE_IPAM_LOG: o.log,
    FAKE_IPAM_DUMP: o.dump,
    FAKE_IPAM_RESULT: o.result,
    FAKE_IPAM_ERROR: o.error,
    FAKE_IPAM_STDERR: o.stderr,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
