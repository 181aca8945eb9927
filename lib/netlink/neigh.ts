// Neighbours: struct ndmsg {u8 family, pad[3]; s32 ifindex; u16 state; u8 flags, type} + NDA_*.
import { Reader } from '../codec/index.js';
import { AttrMap, putAttr } from './attrs.js';
import * as K from './constants.js';
import { bytesToIp, ipFamily, ipToBytes, type Family } from './ip.js';
import { formatMac } from './mac.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';
import { AF_INET, AF_INET6 } from '../sys/constants.js';

export interface Neigh {
  family: Family;
  index: number;
  state: number;
  ip: string;
  mac?: string;
}

/** A permanent neighbour entry (replace semantics: idempotent). */
export function setNeighRequest(index: number, ip: string, mac: Buffer, dev?: string): NlRequest {
  const fam = ipFamily(ip) === 4 ? AF_INET : AF_INET6;
  return {
    type: K.RTM_NEWNEIGH,
    flags: K.NLM_F_CREATE | K.NLM_F_REPLACE,
    fill: (w) => {
      w.u8(fam).zeros(3).s32(index).u16(K.NUD_PERMANENT).u8(0).u8(0);
      putAttr(w, K.NDA_DST, ipToBytes(ip));
      putAttr(w, K.NDA_LLADDR, mac);
    },
    what: `add permanent neighbour ${ip} lladdr ${formatMac(mac)} dev ${dev ?? `#${index}`}`,
  };
}

export function dumpNeighRequest(family: 4 | 6): NlRequest {
  return {
    type: K.RTM_GETNEIGH,
    fill: (w) =>
      w
        .u8(family === 4 ? AF_INET : AF_INET6)
        .zeros(3)
        .s32(0)
        .u16(0)
        .u8(0)
        .u8(0),
    what: `dump IPv${family} neighbours`,
  };
}

export function decodeNeigh(m: NlMsg): Neigh {
  const r = new Reader(m.body);
  const fam = r.u8();
  r.skip(3);
  const index = r.s32();
  const state = r.u16();
  const a = AttrMap.of(m.body, 12);
  const ll = a.raw(K.NDA_LLADDR);
  const dst = a.raw(K.NDA_DST);
  return {
    family: fam === AF_INET ? 4 : 6,
    index,
    state,
    ip: dst ? bytesToIp(dst) : '',
    mac: ll?.length === 6 ? formatMac(ll) : undefined,
  };
}
