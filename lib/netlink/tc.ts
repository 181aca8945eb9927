// Traffic control for the legacy BPF attach path (kernels without tcx): clsact qdisc + cls_bpf filter
// in direct-action mode. struct tcmsg {u8 family, pad[3]; s32 ifindex; u32 handle, parent, info}.
import { Reader, type Writer } from '../codec/index.js';
import { AttrMap, putNest, putString, putU32 } from './attrs.js';
import * as K from './constants.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';

export type TcDirection = 'ingress' | 'egress';

function putTcMsg(w: Writer, ifindex: number, handle: number, parent: number, info: number): void {
  w.u8(0).zeros(3).s32(ifindex).u32(handle).u32(parent).u32(info);
}

export function ensureClsactRequest(ifindex: number, dev?: string): NlRequest {
  return {
    type: K.RTM_NEWQDISC,
    flags: K.NLM_F_CREATE | K.NLM_F_REPLACE,
    fill: (w) => {
      putTcMsg(w, ifindex, 0xffff0000, K.TC_H_CLSACT, 0);
      putString(w, K.TCA_KIND, 'clsact');
    },
    what: `ensure clsact qdisc on ${dev ?? `#${ifindex}`}`,
  };
}

export function deleteClsactRequest(ifindex: number, dev?: string): NlRequest {
  return {
    type: K.RTM_DELQDISC,
    fill: (w) => putTcMsg(w, ifindex, 0xffff0000, K.TC_H_CLSACT, 0),
    what: `delete clsact qdisc on ${dev ?? `#${ifindex}`}`,
  };
}

const parentOf = (d: TcDirection) => (d === 'ingress' ? K.TC_PARENT_INGRESS : K.TC_PARENT_EGRESS);
/** info = priority << 16 | htons(ETH_P_ALL). */
const infoOf = (prio: number) => ((prio << 16) | 0x0300) >>> 0;

export function replaceBpfFilterRequest(ifindex: number, dir: TcDirection, progFd: number, name: string, prio = 1, handle = 1): NlRequest {
  return {
    type: K.RTM_NEWTFILTER,
    flags: K.NLM_F_CREATE | K.NLM_F_REPLACE,
    fill: (w) => {
      putTcMsg(w, ifindex, handle, parentOf(dir), infoOf(prio));
      putString(w, K.TCA_KIND, 'bpf');
      putNest(w, K.TCA_OPTIONS, (w) => {
        putU32(w, K.TCA_BPF_FD, progFd);
        putString(w, K.TCA_BPF_NAME, name);
        putU32(w, K.TCA_BPF_FLAGS, K.TCA_BPF_FLAG_ACT_DIRECT);
      });
    },
    what: `attach cls_bpf ${name} to ${dir} of #${ifindex} (prio ${prio}, direct-action)`,
  };
}

export function deleteBpfFilterRequest(ifindex: number, dir: TcDirection, prio = 1, handle = 1): NlRequest {
  return {
    type: K.RTM_DELTFILTER,
    fill: (w) => putTcMsg(w, ifindex, handle, parentOf(dir), infoOf(prio)),
    what: `delete cls_bpf filter from ${dir} of #${ifindex}`,
  };
}

export function dumpFiltersRequest(ifindex: number, dir: TcDirection): NlRequest {
  return { type: K.RTM_GETTFILTER, fill: (w) => putTcMsg(w, ifindex, 0, parentOf(dir), 0), what: `dump ${dir} filters of #${ifindex}` };
}

export interface TcFilter {
  ifindex: number;
  parent: number;
  prio: number;
  kind?: string;
  bpfName?: string;
  bpfId?: number;
  bpfFlags?: number;
}

export function decodeFilter(m: NlMsg): TcFilter {
  const r = new Reader(m.body);
  r.skip(4);
  const ifindex = r.s32();
  r.skip(4);
  const parent = r.u32();
  const info = r.u32();
  const a = AttrMap.of(m.body, 20);
  const opts = a.nested(K.TCA_OPTIONS);
  return {
    ifindex,
    parent,
    prio: info >>> 16,
    kind: a.str(K.TCA_KIND),
    bpfName: opts?.str(K.TCA_BPF_NAME),
    bpfId: opts?.u32(K.TCA_BPF_ID),
    bpfFlags: opts?.u32(K.TCA_BPF_FLAGS),
  };
}
