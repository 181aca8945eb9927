// BpfLink: a bpf_link (an fd). Its lifecycle is the point: closing the last fd of an unpinned link
// detaches the program; a pinned link survives until the pin is removed. When the device goes away
// the link turns defunct (info.ifindex 0, LINK_UPDATE → ENOLINK) and its pin must be removed.
// May import: lib/sys, ./syscalls, ./program, ./errors.
import * as fs from 'node:fs';
import { E, type Sys } from '../sys/index.js';
import type { LinkInfo } from './attr.js';
import * as K from './consts.js';
import { BpfError, bpfStep } from './errors.js';
import { bpfFdKind } from './fdkind.js';
import type { BpfProgram } from './program.js';
import * as S from './syscalls.js';

/** Where in an mprog hook (tcx/netkit) the new program goes; the default is the tail. */
export interface Anchor {
  flags: number;
  relative: number;
}
export const head = (): Anchor => ({ flags: K.BPF_F_BEFORE, relative: 0 });
export const tail = (): Anchor => ({ flags: K.BPF_F_AFTER, relative: 0 });

export interface CreateLinkOptions {
  program: BpfProgram;
  attachType: number;
  ifindex: number;
  anchor?: Anchor;
  /** Fail with ESTALE if the hook changed since this revision (PROG_QUERY). */
  expectedRevision?: bigint;
}

export function describeAttachType(t: number): string {
  return K.ATTACH_TYPE_NAMES[t] ?? `attach type ${t}`;
}

export class BpfLink {
  private closed = false;

  constructor(
    private readonly sys: Sys,
    readonly fd: number,
    readonly what: string,
  ) {}

  /** LINK_CREATE; errors are raw (Errno) so attach kinds can explain them (see tcx.ts, netkit.ts). */
  static createRaw(sys: Sys, o: CreateLinkOptions): BpfLink {
    const fd = S.linkCreate(sys, {
      progFd: o.program.fd,
      targetIfindex: o.ifindex,
      attachType: o.attachType,
      flags: o.anchor?.flags ?? 0,
      relativeFdOrId: o.anchor?.relative ?? 0,
      expectedRevision: o.expectedRevision ?? 0n,
    });
    return new BpfLink(sys, fd, `${describeAttachType(o.attachType)} link on ifindex ${o.ifindex}`);
  }

  static openPinned(sys: Sys, path: string): BpfLink {
    const fd = bpfStep(`open pinned link ${path}`, () => S.objGet(sys, path));
    const kind = bpfFdKind(fd);
    if (kind !== 'link' && kind !== 'unknown') {
      sys.close(fd);
      throw new BpfError(`open pinned link ${path}`, `pin is a bpf ${kind}, not a link`);
    }
    return new BpfLink(sys, fd, `link pinned at ${path}`);
  }

  pin(path: string): void {
    bpfStep(
      `pin ${this.what} at ${path}`,
      () => S.objPin(this.sys, this.fd, path),
      (n) => (n === E.EEXIST ? 'a pin already exists at that path' : n === E.EPERM ? 'the path is not on a bpffs mount' : undefined),
    );
  }

  /** Atomically swap the program (no window without a program). ENOLINK: the device is gone. */
  update(program: BpfProgram, oldProgram?: BpfProgram): void {
    bpfStep(
      `update ${this.what} to ${program.name}`,
      () => S.linkUpdate(this.sys, this.fd, program.fd, oldProgram?.fd),
      (n) =>
        n === E.ENOLINK
          ? 'the device is gone: remove the pin and attach again'
          : n === E.EPERM && oldProgram
            ? 'the link runs another program than expected'
            : undefined,
    );
  }

  /** Detach now, even while pinned or held elsewhere. A defunct link detaches as a no-op. */
  detach(): void {
    bpfStep(`detach ${this.what}`, () => S.linkDetach(this.sys, this.fd));
  }

  info(): LinkInfo {
    return bpfStep(`read info of ${this.what}`, () => S.linkInfo(this.sys, this.fd));
  }

  /** The device the link was attached to is gone (its ifindex reads 0). */
  isDefunct(): boolean {
    return this.info().ifindex === 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }
}

/** Removes a pin (map, program or link). Returns false if there was none. */
export function removePin(path: string): boolean {
  try {
    fs.unlinkSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new BpfError(`remove pin ${path}`, (e as Error).message, { cause: e });
  }
}
