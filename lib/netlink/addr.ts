// Addresses: struct ifaddrmsg {u8 family, prefixlen, flags, scope; u32 index} + IFA_* attributes.
import { Reader, type Writer } from '../codec/index.js';
import { AttrMap, putAttr, putU32 } from './attrs.js';
import * as K from './constants.js';
import { bytesToIp, ipToBytes, parseCidr, type Family } from './ip.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';
import { AF_INET, AF_INET6 } from '../sys/constants.js';

export interface Addr {
  family: Family;
  index: number;
  address: string;
  prefix: number;
  scope: number;
  flags: number;
}

function putIfAddr(w: Writer, family: number, prefix: number, index: number, scope = 0): void {
  w.u8(family).u8(prefix).u8(0).u8(scope).u32(index);
}

export function addAddrRequest(index: number, cidr: string, opts: { nodad?: boolean; ifname?: string } = {}): NlRequest {
  const c = parseCidr(cidr);
  const fam = c.family === 4 ? AF_INET : AF_INET6;
  const bytes = ipToBytes(c.address);
  return {
    type: K.RTM_NEWADDR,
    flags: K.NLM_F_CREATE | K.NLM_F_EXCL,
    fill: (w) => {
      putIfAddr(w, fam, c.prefix, index);
      putAttr(w, K.IFA_LOCAL, bytes);
      putAttr(w, K.IFA_ADDRESS, bytes);
      if (opts.nodad) putU32(w, K.IFA_FLAGS, K.IFA_F_NODAD);
    },
    what: `add address ${cidr} to ${opts.ifname ?? `#${index}`}${opts.nodad ? ' (nodad)' : ''}`,
  };
}

export function dumpAddrsRequest(family: 0 | 4 | 6 = 0): NlRequest {
  const fam = family === 4 ? AF_INET : family === 6 ? AF_INET6 : 0;
  return { type: K.RTM_GETADDR, fill: (w) => putIfAddr(w, fam, 0, 0), what: 'dump addresses' };
}

export function decodeAddr(m: NlMsg): Addr {
  const r = new Reader(m.body);
  const fam = r.u8();
  const prefix = r.u8();
  const flags8 = r.u8();
  const scope = r.u8();
  const index = r.u32();
  const a = AttrMap.of(m.body, 8);
  const raw = a.raw(K.IFA_LOCAL) ?? a.raw(K.IFA_ADDRESS);
  return {
    family: fam === AF_INET ? 4 : 6,
    index,
    address: raw ? bytesToIp(raw) : '',
    prefix,
    scope,
    flags: a.u32(K.IFA_FLAGS) ?? flags8,
  };
}
