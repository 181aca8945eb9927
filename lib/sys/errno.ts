// Errno: the one error type lib/sys raises. Carries the kernel's errno, its symbolic code and the syscall.
import type { Sys } from './types.js';

export class Errno extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  constructor(errno: number, code: string, syscall: string, message?: string) {
    super(message ?? `${syscall}: ${code}`);
    this.name = 'Errno';
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}

/**
 * An Errno from a syscall a layer made on its own behalf, re-raised as the layer's subclass (NetlinkErrno,
 * BpfErrno): still an Errno for the layer's own errno checks, and typed for whoever classifies it (lib/cni).
 * Its stack is its own (the re-raise, one frame above the syscall's): copying the original's would format
 * it, and formatting a stack makes V8 re-parse every function on it for source positions (the code cache
 * has none) and scan the whole payload for line ends, about 1.4 ms of CPU in a CNI call whose expected
 * ENOENTs are re-raised this way (docs/architecture.md#start-up).
 */
export abstract class LayerErrno extends Errno {
  constructor(e: Errno) {
    super(e.errno, e.code, e.syscall, e.message);
  }
}

type LayerErrnoClass = new (e: Errno) => LayerErrno;

/** e as the layer's Errno subclass when it is a plain Errno; anything else unchanged. */
export function asLayerErrno(Layer: LayerErrnoClass, e: unknown): unknown {
  return e instanceof Errno && !(e instanceof LayerErrno) ? new Layer(e) : e;
}

/** A Sys whose every failing call raises `Layer` instead of a plain Errno. */
export function layerSys(sys: Sys, Layer: LayerErrnoClass): Sys {
  // One wrapper per method, made on first use: a CNI call makes hundreds of these calls.
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(sys, {
    get(target, key, receiver) {
      if (wrapped.has(key)) return wrapped.get(key);
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      const w = (...args: unknown[]) => {
        try {
          return v.apply(target, args);
        } catch (e) {
          throw asLayerErrno(Layer, e);
        }
      };
      wrapped.set(key, w);
      return w;
    },
  });
}

/** Symbolic names for the errnos podlink branches on (x86_64 / arm64 generic values). */
export const E = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ENOLINK: 67,
  EPROTO: 71,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETUNREACH: 101,
  ENOBUFS: 105,
  ETIMEDOUT: 110,
  EHOSTUNREACH: 113,
  ESTALE: 116,
  ENOTSUPP: 524,
} as const;

// Built on first use: the addon names a failed syscall's errno itself; only an errno the kernel returns in a
// netlink or bpf reply needs the table.
let names: Record<number, string> | undefined;

export function errnoName(n: number): string {
  names ??= Object.fromEntries(Object.entries(E).map(([k, v]) => [v, k]));
  return names[n] ?? `E${n}`;
}

/** Convert whatever the native layer threw into an Errno (it throws plain Errors with errno/code/syscall). */
export function toErrno(e: unknown): unknown {
  if (e instanceof Errno) return e;
  const x = e as { errno?: unknown; code?: unknown; syscall?: unknown; message?: unknown };
  if (e instanceof Error && typeof x.errno === 'number' && typeof x.syscall === 'string') {
    return new Errno(x.errno, typeof x.code === 'string' ? x.code : errnoName(x.errno), x.syscall, e.message);
  }
  return e;
}

export function isErrno(e: unknown, ...codes: number[]): e is Errno {
  return e instanceof Errno && (codes.length === 0 || codes.includes(e.errno));
}
