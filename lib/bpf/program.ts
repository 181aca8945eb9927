// BpfProgram: a loaded program (an fd). Resolves map references, loads with a verifier-log retry
// (no log first; on failure reload with a log, growing the buffer on ENOSPC), pins and reopens.
// May import: lib/sys, ./syscalls, ./spec, ./errors.
import { E, Errno, type Sys } from '../sys/index.js';
import type { ProgInfo } from './attr.js';
import * as K from './consts.js';
import { BpfError, bpfStep } from './errors.js';
import { bpfFdKind } from './fdkind.js';
import type { ProgramSpec } from './spec.js';
import * as S from './syscalls.js';

const INSN = 8;
const LOG_START = 64 * 1024;
const LOG_MAX = 1 << 30;

/**
 * The instructions with every map reference pointing at a live map: ld_imm64 src_reg = PSEUDO_MAP_FD
 * (imm = fd) or PSEUDO_MAP_VALUE (imm = fd, second slot imm = offset). Pure.
 */
export function resolveReferences(spec: ProgramSpec, fdOf: (map: string) => number): Buffer {
  const insns = Buffer.from(spec.instructions);
  for (const r of spec.references) {
    const at = r.insn * INSN;
    if (at + 2 * INSN > insns.length) throw new BpfError(`link program ${spec.name}`, `reference at insn ${r.insn} out of range`);
    const src = r.kind === 'fd' ? K.BPF_PSEUDO_MAP_FD : K.BPF_PSEUDO_MAP_VALUE;
    insns[at + 1] = (insns[at + 1]! & 0x0f) | (src << 4);
    insns.writeInt32LE(fdOf(r.map), at + 4);
    insns.writeUInt32LE(r.kind === 'fd' ? 0 : r.offset, at + INSN + 4);
  }
  return insns;
}

export interface LoadOptions {
  /** Verifier log level for the retry after a failure (1 default, 2 = verbose). */
  logLevel?: 1 | 2;
}

function logText(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

export class BpfProgram {
  private closed = false;

  constructor(
    private readonly sys: Sys,
    readonly fd: number,
    readonly name: string,
  ) {}

  static load(sys: Sys, spec: ProgramSpec, fdOf: (map: string) => number, opts: LoadOptions = {}): BpfProgram {
    const step = `load program ${spec.name}`;
    const insns = resolveReferences(spec, fdOf);
    const req: S.ProgLoadRequest = {
      progType: spec.type,
      insns,
      license: spec.license,
      name: spec.name,
      expectedAttachType: spec.expectedAttachType,
      logLevel: 0,
    };
    try {
      return new BpfProgram(sys, S.progLoad(sys, req), spec.name);
    } catch (first) {
      if (!(first instanceof Errno)) throw first;
    }
    // Reload with a verifier log to explain the failure.
    let size = LOG_START;
    for (;;) {
      const log = Buffer.alloc(size);
      try {
        return new BpfProgram(sys, S.progLoad(sys, { ...req, logLevel: opts.logLevel ?? 1, log }), spec.name);
      } catch (e) {
        if (!(e instanceof Errno)) throw e;
        const trueSize = (e as { logTrueSize?: number }).logTrueSize ?? 0;
        if (e.errno === E.ENOSPC && size < LOG_MAX) {
          size = Math.min(LOG_MAX, Math.max(size * 4, trueSize));
          continue;
        }
        const text = logText(log);
        throw new BpfError(step, e.message, {
          errno: e.errno,
          log: text,
          cause: e,
          hint:
            e.errno === E.EPERM
              ? 'needs root (CAP_BPF + CAP_NET_ADMIN)'
              : e.errno === E.EAGAIN
                ? `the verifier was interrupted by a signal ${S.PROG_LOAD_EAGAIN_TRIES} times in a row (a profiler?)`
                : text
                  ? `verifier: ${lastLines(text)}`
                  : undefined,
        });
      }
    }
  }

  static openPinned(sys: Sys, path: string): BpfProgram {
    const fd = bpfStep(`open pinned program ${path}`, () => S.objGet(sys, path));
    const kind = bpfFdKind(fd);
    if (kind !== 'prog' && kind !== 'unknown') {
      sys.close(fd);
      throw new BpfError(`open pinned program ${path}`, `pin is a bpf ${kind}, not a program`);
    }
    let name = path.slice(path.lastIndexOf('/') + 1);
    try {
      name = S.progInfo(sys, fd).name || name;
    } catch {
      // the name is cosmetic
    }
    return new BpfProgram(sys, fd, name);
  }

  pin(path: string): void {
    bpfStep(
      `pin program ${this.name} at ${path}`,
      () => S.objPin(this.sys, this.fd, path),
      (n) => (n === E.EEXIST ? 'a pin already exists at that path' : n === E.EPERM ? 'the path is not on a bpffs mount' : undefined),
    );
  }

  info(): ProgInfo {
    return bpfStep(`read info of program ${this.name}`, () => S.progInfo(this.sys, this.fd));
  }

  /** One BPF_PROG_TEST_RUN: `data` is the packet from its L2 header, `ctx` a struct __sk_buff (or whatever the type takes). */
  testRun(data: Buffer, ctx?: Buffer): { retval: number; data: Buffer; ctx?: Buffer } {
    return bpfStep(`test-run program ${this.name}`, () => S.progTestRun(this.sys, this.fd, data, ctx));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }
}

/** The last two non-empty lines of a verifier log: usually the reason. */
function lastLines(log: string): string {
  return log
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('processed '))
    .slice(-2)
    .join(' | ');
}
