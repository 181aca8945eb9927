// BpfError: every failure above the raw syscall carries the step that failed, the errno (if the kernel
// said no), a hint for the operator and, for program loads, the verifier log. May import: lib/sys.
import { E, Errno, LayerErrno, errnoName } from '../sys/index.js';

export interface BpfErrorOptions {
  errno?: number;
  hint?: string;
  log?: string;
  cause?: unknown;
}

export class BpfError extends Error {
  readonly step: string;
  readonly errno?: number;
  readonly code?: string;
  readonly hint?: string;
  /** Verifier log (program load failures only). */
  readonly log?: string;

  constructor(step: string, detail: string, opts: BpfErrorOptions = {}) {
    super(`${step}: ${detail}${opts.hint ? ` (${opts.hint})` : ''}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BpfError';
    this.step = step;
    this.errno = opts.errno;
    this.code = opts.errno === undefined ? undefined : errnoName(opts.errno);
    this.hint = opts.hint;
    this.log = opts.log;
  }
}

/** A bpf(2) call failed; the object layer names the step by wrapping it in a BpfError. CNI code 103, like BpfError. */
export class BpfErrno extends LayerErrno {
  override name = 'BpfErrno';
}

/** Hints for the errnos bpf(2) commonly returns, by errno. */
const GENERIC_HINTS: Record<number, string> = {
  [E.EPERM]: 'needs root (CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN)',
  [E.EACCES]: 'permission denied: needs root, or the verifier rejected the program',
  [E.ENOMEM]: 'out of memory: check RLIMIT_MEMLOCK on kernels before 5.11',
  [E.ENOSYS]: 'the kernel has no bpf(2) (CONFIG_BPF_SYSCALL)',
};

/** Turn an Errno into a BpfError naming the step; anything else passes through unchanged. */
export function bpfErrorFrom(step: string, e: unknown, hint?: string): unknown {
  if (e instanceof BpfError) return e;
  if (e instanceof Errno) {
    return new BpfError(step, e.message, { errno: e.errno, hint: hint ?? GENERIC_HINTS[e.errno], cause: e });
  }
  return e;
}

/** Runs fn; an Errno it throws becomes a BpfError for `step`. */
export function bpfStep<T>(step: string, fn: () => T, hint?: (errno: number) => string | undefined): T {
  try {
    return fn();
  } catch (e) {
    throw bpfErrorFrom(step, e, e instanceof Errno ? hint?.(e.errno) : undefined);
  }
}

/** True if e is a BpfError or Errno with one of the errnos (any errno when none given). */
export function isBpfErrno(e: unknown, ...codes: number[]): boolean {
  const n = e instanceof BpfError ? e.errno : e instanceof Errno ? e.errno : undefined;
  if (n === undefined) return false;
  return codes.length === 0 || codes.includes(n);
}
