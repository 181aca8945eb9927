// lib/cni/errors: CniError, the well-known CNI error codes, and toCniError — the ONE place in podlink
// where any thrown value becomes a CNI error code. May import: nothing (lower layers are recognised
// by their error `name`, never imported, so lib/cni stays free of kernel code).

/** Error codes: 0-99 from the CNI spec (plus the reference code's 999), 100+ podlink's own. */
export const Code = {
  IncompatibleVersion: 1,
  UnsupportedField: 2,
  UnknownContainer: 3,
  InvalidEnv: 4,
  IoFailure: 5,
  DecodeFailure: 6,
  InvalidConfig: 7,
  TryAgain: 11,
  NotAvailable: 50,
  LimitedConnectivity: 51,
  FeatureMissing: 100,
  ModeMismatch: 101,
  Netlink: 102,
  Bpf: 103,
  Internal: 999,
} as const;

/** The CNI error object as printed on stdout. */
export interface CniErrorJson {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

export class CniError extends Error {
  readonly code: number;
  readonly msg: string;
  readonly details?: string;

  constructor(code: number, msg: string, details?: string) {
    super(details ? `${msg}: ${details}` : msg);
    this.name = 'CniError';
    this.code = code;
    this.msg = msg;
    if (details) this.details = details;
  }

  /**
   * The wire shape. `cniVersion` is the version in use; it is omitted when empty, which also keeps
   * a bare JSON.stringify(err) (that passes the key '' here) well-formed.
   */
  toJSON(cniVersion?: string): CniErrorJson {
    const out: CniErrorJson = cniVersion ? { cniVersion, code: this.code, msg: this.msg } : { code: this.code, msg: this.msg };
    if (this.details) out.details = this.details;
    return out;
  }
}

/**
 * Error class names raised by lower layers and the code each maps to. Matched on `name` (duck
 * typing) because lib/cni must not import those layers.
 *  - NetlinkError (lib/netlink): the kernel refused an rtnetlink request → 102.
 *  - NetlinkErrno (lib/netlink): a syscall on the netlink socket failed (socket, sendto, recv, …) → 102.
 *  - BpfError (lib/bpf): a bpf(2) command, the verifier or an ELF load failed → 103.
 *  - BpfErrno (lib/bpf): a bpf(2) call failed and no step named it → 103.
 *  - FeatureMissingError (lib/connector, lib/bpf): the kernel lacks what the config asks for → 100.
 *  - ModeMismatchError (lib/connector): an existing link's kind/mode isn't what the record says → 101.
 *  - TryAgainError: a transient condition (e.g. a lock held too long) → 11, so the runtime retries.
 * A plain `Errno` (lib/sys: setns, mount, open, …) is 999, whichever syscall it names.
 */
export const CODE_BY_ERROR_NAME: Readonly<Record<string, number>> = {
  NetlinkError: Code.Netlink,
  NetlinkErrno: Code.Netlink,
  BpfError: Code.Bpf,
  BpfErrno: Code.Bpf,
  DatapathError: Code.Bpf,
  FeatureMissingError: Code.FeatureMissing,
  ModeMismatchError: Code.ModeMismatch,
  TryAgainError: Code.TryAgain,
};

interface LowerLayerError {
  name?: unknown;
  message?: unknown;
  step?: unknown;
  hint?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Turn anything thrown into a CniError. A CniError passes through unchanged (never wrapped).
 * Other errors are classified by `name`; the optional `step` prefixes the message
 * ("create veth pair pl3f2a…: File exists") and the optional `hint` becomes `details`.
 * Everything unrecognised is 999 with its message, like the reference code's untyped errors.
 */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) {
    return new CniError(Code.Internal, String(e));
  }
  const x = e as LowerLayerError;
  const name = str(x.name) ?? '';
  const code = CODE_BY_ERROR_NAME[name] ?? Code.Internal;
  const message = str(x.message) ?? (name || 'unknown error');
  const step = str(x.step);
  const msg = step && !message.startsWith(`${step}:`) ? `${step}: ${message}` : message;
  return new CniError(code, msg, str(x.hint));
}
