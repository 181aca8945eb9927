// Synchronous tool runs for tests (ip, mount, sysctl, ...) with a cleared environment.
import { execFileSync, spawnSync } from 'node:child_process';
import { PLUGIN_PATH, spawnError } from './spawn.js';

export const isRoot = process.geteuid?.() === 0;

export interface ShOptions {
  /** Return '' instead of throwing on a failure. */
  allowFail?: boolean;
  input?: string;
  timeoutMs?: number;
}

/** Runs file with PATH only; throws with the command line and stderr on failure. */
export function sh(file: string, args: string[], opts: ShOptions = {}): string {
  const r = spawnSync(file, args, {
    input: opts.input,
    encoding: 'utf8',
    env: { PATH: PLUGIN_PATH },
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 << 20,
  });
  const error = spawnError(r);
  if (!error && r.status === 0) return r.stdout ?? '';
  if (opts.allowFail) return '';
  const why = error ? error.message : `exit ${r.status}: ${(r.stderr ?? '').trim().slice(0, 500)}`;
  throw new Error(`${file} ${args.join(' ')}: ${why}`);
}

export function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore', env: { PATH: PLUGIN_PATH } });
    return true;
  } catch {
    return false;
  }
}
