// The IPAM plugin calls the verbs make: same env (only CNI_COMMAND changes), the whole config.
// Compatibility: IPAM plugins built before spec 1.1.0 (Debian 12 ships 1.1.1, which reads configs up to
// 1.0.0) refuse a 1.1.0 config with code 1. 1.1.0 only adds fields to 1.0.0, so we retry once with
// cniVersion 1.0.0; they also do not know STATUS or GC, which we then treat as "nothing to report".
import { Code, CniError } from '../cni/errors.js';
import type { Result } from '../cni/result.js';
import { execIpam, findPlugin, startIpam, type PendingRun } from '../ipam/index.js';
import { once } from '../util/index.js';
import type { Request } from './types.js';

function tooNew(e: unknown, raw: Record<string, unknown>): boolean {
  return e instanceof CniError && e.code === Code.IncompatibleVersion && raw.cniVersion === '1.1.0';
}

/** The config's text for the plugin's stdin: the runtime's own bytes unless `raw` is a modified copy. */
function opts(req: Request, raw: Record<string, unknown>): { input?: string } {
  return raw === req.conf.raw ? { input: req.conf.rawText } : {};
}

function call<T>(req: Request, fn: (raw: Record<string, unknown>) => T): T {
  const raw = req.conf.raw;
  try {
    return fn(raw);
  } catch (e) {
    if (!tooNew(e, raw)) throw e;
    req.log.debug('IPAM plugin does not read cniVersion 1.1.0: retrying with 1.0.0');
    return fn({ ...raw, cniVersion: '1.0.0' });
  }
}

/**
 * A started IPAM call. wait() blocks until the plugin has answered (with call()'s retry at 1.0.0 when
 * it refuses 1.1.0) and returns or throws that answer, again on every call. settle() only waits, for
 * undo paths that must not return while the plugin still runs.
 */
export interface PendingIpam<T> extends PendingRun<T> {
  settle(): void;
}

/** call() for a plugin that runs while we work: the same retry, once the first answer is asked for. */
function callLater<T>(req: Request, start: (raw: Record<string, unknown>) => PendingRun<T>): PendingIpam<T> {
  const first = start(req.conf.raw);
  const wait = once(() => call(req, (raw) => (raw === req.conf.raw ? first : start(raw)).wait()));
  const settle = () => {
    try {
      wait();
    } catch {
      // its outcome is wait()'s to report
    }
  };
  return { wait, settle, started: () => first.started() };
}

/** A call with nothing to wait for: no IPAM plugin configured. */
export function answered<T>(value: T): PendingIpam<T> {
  return { wait: () => value, settle: () => {}, started: () => {} };
}

function optional(req: Request, what: 'STATUS' | 'GC', fn: () => void): void {
  try {
    fn();
  } catch (e) {
    // Pre-1.1.0 plugins answer a command they do not know with code 1 (version), 4 (unknown
    // CNI_COMMAND) or, built on skel 1.1, code 3 "missing containerID" (STATUS/GC carry none).
    const unknownVerb = /version|unknown|command|containerid/i.test(`${(e as CniError).msg} ${(e as CniError).details ?? ''}`);
    const codes: number[] = [Code.IncompatibleVersion, Code.InvalidEnv, Code.UnknownContainer];
    if (e instanceof CniError && codes.includes(e.code) && unknownVerb) {
      req.log.info(`IPAM plugin does not implement ${what} (${e.msg}); skipped`);
      return;
    }
    throw e;
  }
}

/** IPAM ADD started now; nothing waits for the plugin until its answer is asked for (wait()). */
export function startIpamAdd(req: Request): PendingIpam<Result> {
  return callLater(req, (raw) => startIpam('ADD', raw, req.env.vars, req.env.cniPath, opts(req, raw)));
}

export function startIpamDel(req: Request): PendingIpam<void> {
  return callLater(req, (raw) => startIpam('DEL', raw, req.env.vars, req.env.cniPath, opts(req, raw)));
}

export function startIpamCheck(req: Request): PendingIpam<void> {
  return callLater(req, (raw) => startIpam('CHECK', raw, req.env.vars, req.env.cniPath, opts(req, raw)));
}

export function ipamDel(req: Request): void {
  call(req, (raw) => execIpam('DEL', raw, req.env.vars, req.env.cniPath, opts(req, raw)));
}

/** DEL for another attachment (GC): the same env with that attachment's identity. */
export function ipamDelFor(req: Request, containerId: string, ifname: string): void {
  const vars = { ...req.env.vars, CNI_CONTAINERID: containerId, CNI_IFNAME: ifname, CNI_NETNS: '' };
  call(req, (raw) => execIpam('DEL', raw, vars, req.env.cniPath, opts(req, raw)));
}

export function ipamStatus(req: Request): void {
  optional(req, 'STATUS', () => execIpam('STATUS', req.conf.raw, req.env.vars, req.env.cniPath, opts(req, req.conf.raw)));
}

export function ipamGc(req: Request): void {
  optional(req, 'GC', () => execIpam('GC', req.conf.raw, req.env.vars, req.env.cniPath, opts(req, req.conf.raw)));
}

/** For --dry-run: the plugin binary the call would execute, or why it would fail to find one. */
export function ipamPluginPath(req: Request): string {
  const type = req.conf.ipamType;
  if (!type) return '';
  try {
    return findPlugin(type, req.env.cniPath);
  } catch (e) {
    return `not found: ${(e as Error).message}; the call would fail`;
  }
}
