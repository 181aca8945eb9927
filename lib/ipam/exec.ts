// lib/ipam/exec: run the delegated IPAM plugin (SPEC §4 "Delegated plugin execution procedure").
// Same environment as ours with only CNI_COMMAND changed, the WHOLE config on stdin, its stderr
// copied to ours, its error object passed through unchanged (same code/msg/details).
// Anything else that goes wrong (no result, garbage, crash, signal, timeout) → code 999 naming the
// plugin. Synchronous on purpose: the plugin does nothing else meanwhile.
// May import: node builtins, ../cni, ./find.
import { spawnSync } from 'node:child_process';
import { CniError, Code, configVersion, parseResult, type Result } from '../cni/index.js';
import { findPlugin } from './find.js';

export type IpamCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC';

export interface ExecIpamOptions {
  /** Kill the plugin (SIGKILL) after this long. Default 60 s. */
  timeoutMs?: number;
  /** Where the plugin's stderr is copied (default: our stderr). */
  stderr?: (s: string) => void;
}

export const DEFAULT_IPAM_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 16 * 1024 * 1024;

function ipamType(confRaw: Record<string, unknown>): string {
  const ipam = confRaw.ipam as { type?: unknown } | undefined;
  if (ipam === null || typeof ipam !== 'object' || typeof ipam.type !== 'string') {
    throw new CniError(Code.InvalidConfig, 'ipam.type is required');
  }
  return ipam.type;
}

function tail(b: Buffer | null | undefined, max = 400): string {
  const s = (b ?? Buffer.alloc(0)).toString().trim();
  return s.length > max ? `…${s.slice(-max)}` : s;
}

/** A CNI error object as a delegated plugin prints it; undefined when stdout is not one. */
export function parseErrorObject(stdout: Buffer | string): CniError | undefined {
  let v: unknown;
  try {
    v = JSON.parse(stdout.toString());
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as { code?: unknown; msg?: unknown; details?: unknown };
  if (typeof o.code !== 'number' || !Number.isInteger(o.code) || o.code <= 0 || typeof o.msg !== 'string') return undefined;
  return new CniError(o.code, o.msg, typeof o.details === 'string' ? o.details : undefined);
}

export function execIpam(command: 'ADD', confRaw: Record<string, unknown>, env: Record<string, string | undefined>, cniPath: readonly string[], opts?: ExecIpamOptions): Result;
export function execIpam(command: Exclude<IpamCommand, 'ADD'>, confRaw: Record<string, unknown>, env: Record<string, string | undefined>, cniPath: readonly string[], opts?: ExecIpamOptions): void;
export function execIpam(command: IpamCommand, confRaw: Record<string, unknown>, env: Record<string, string | undefined>, cniPath: readonly string[], opts?: ExecIpamOptions): Result | void;
export function execIpam(
  command: IpamCommand,
  confRaw: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cniPath: readonly string[],
  opts: ExecIpamOptions = {},
): Result | void {
  const type = ipamType(confRaw);
  const plugin = findPlugin(type, cniPath);
  const version = configVersion(confRaw);
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  childEnv.CNI_COMMAND = command;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_IPAM_TIMEOUT_MS;

  const r = spawnSync(plugin, [], {
    input: JSON.stringify(confRaw),
    env: childEnv,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_OUTPUT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (r.stderr?.length) (opts.stderr ?? ((s: string) => void process.stderr.write(s)))(r.stderr.toString());

  const who = `IPAM plugin ${type} (${plugin}) ${command}`;
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') throw new CniError(Code.Internal, `${who} timed out after ${timeoutMs} ms`);
    throw new CniError(Code.Internal, `${who} could not be run: ${r.error.message}`);
  }
  if (r.status === 0) {
    if (command !== 'ADD') return;
    try {
      return parseResult(r.stdout, version);
    } catch (e) {
      const why = e instanceof CniError ? e.msg : String(e);
      throw new CniError(Code.Internal, `${who} returned an invalid result: ${why}`, tail(r.stdout) || undefined);
    }
  }
  const passthrough = parseErrorObject(r.stdout);
  if (passthrough) throw passthrough;
  const how = r.signal ? `was killed by signal ${r.signal}` : `failed with exit status ${r.status}`;
  const details = [r.stdout?.length ? `stdout: ${tail(r.stdout)}` : '', r.stderr?.length ? `stderr: ${tail(r.stderr)}` : '']
    .filter(Boolean)
    .join('; ');
  throw new CniError(Code.Internal, `${who} ${how}`, details || undefined);
}
