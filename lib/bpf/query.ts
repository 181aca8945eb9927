// What is attached to an mprog hook (tcx or netkit), and what a program/link id refers to.
// May import: lib/sys, ./syscalls, ./consts, ./errors.
import type { Sys } from '../sys/index.js';
import type { ProgInfo } from './attr.js';
import * as K from './consts.js';
import { bpfStep } from './errors.js';
import { describeAttachType } from './link.js';
import * as S from './syscalls.js';

export type HookQuery = S.QueryResult;

/** PROG_QUERY on a tcx hook (ifindex of the device) or netkit hook (ifindex of the primary). */
export function queryHook(sys: Sys, ifindex: number, attachType: number): HookQuery {
  return bpfStep(`query ${describeAttachType(attachType)} programs on ifindex ${ifindex}`, () => S.progQuery(sys, ifindex, attachType));
}

/** Info of a loaded program by id (undefined if it is gone). */
export function programInfoById(sys: Sys, id: number): ProgInfo | undefined {
  let fd: number;
  try {
    fd = S.getFdById(sys, K.BPF_PROG_GET_FD_BY_ID, id);
  } catch {
    return undefined;
  }
  try {
    return bpfStep(`read info of program id ${id}`, () => S.progInfo(sys, fd));
  } finally {
    sys.close(fd);
  }
}
