// Routes: struct rtmsg {u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags} + RTA_*.
import { Reader, type Writer } from '../codec/index.js';
import { AttrMap, putAttr, putNest, putU32 } from './attrs.js';
import * as K from './constants.js';
import { bytesToIp, ipToBytes, parseCidr, type Family } from './ip.js';
import type { NlMsg } from './message.js';
import type { NlRequest } from './socket.js';
import { decodeEncap, encapWords, putEncap, type RouteEncap } from './route-encap.js';
import { AF_INET, AF_INET6 } from '../sys/constants.js';

export interface RouteSpec {
  /** CIDR; "0.0.0.0/0" or "::/0" for a default route. */
  dst: string;
  gw?: string;
  oif?: number;
  scope?: 'universe' | 'link' | 'host';
  onlink?: boolean;
  table?: number;
  priority?: number;
  mtu?: number;
  advmss?: number;
  src?: string;
  /** rtm_protocol: who owns the route (default RTPROT_STATIC); dumps return it, so an owner finds its own. */
  protocol?: number;
  /** Lightweight-tunnel encapsulation; the kernel matches it on delete too, so pass the same one. */
  encap?: RouteEncap;
}

export interface Route {
  family: Family;
  dst: string;
  gw?: string;
  oif?: number;
  scope: number;
  table: number;
  protocol: number;
  type: number;
  flags: number;
  priority?: number;
  /** RTA_METRICS / RTAX_MTU. */
  mtu?: number;
  encap?: RouteEncap;
}

const SCOPES = { universe: K.RT_SCOPE_UNIVERSE, link: K.RT_SCOPE_LINK, host: K.RT_SCOPE_HOST } as const;

function fillRoute(s: RouteSpec, w: Writer): void {
  const d = parseCidr(s.dst);
  const fam = d.family === 4 ? AF_INET : AF_INET6;
  const table = s.table ?? K.RT_TABLE_MAIN;
  w.u8(fam)
    .u8(d.prefix)
    .u8(0)
    .u8(0)
    .u8(table < 256 ? table : 252)
    .u8(s.protocol ?? K.RTPROT_STATIC);
  w.u8(SCOPES[s.scope ?? 'universe'])
    .u8(K.RTN_UNICAST)
    .u32(s.onlink ? K.RTNH_F_ONLINK : 0);
  if (d.prefix > 0) putAttr(w, K.RTA_DST, ipToBytes(d.address));
  if (table >= 256) putU32(w, K.RTA_TABLE, table);
  if (s.gw) putAttr(w, K.RTA_GATEWAY, ipToBytes(s.gw));
  if (s.src) putAttr(w, K.RTA_PREFSRC, ipToBytes(s.src));
  if (s.oif !== undefined) putU32(w, K.RTA_OIF, s.oif);
  if (s.priority !== undefined) putU32(w, K.RTA_PRIORITY, s.priority);
  if (s.mtu !== undefined || s.advmss !== undefined) {
    putNest(w, K.RTA_METRICS, (w) => {
      if (s.mtu !== undefined) putU32(w, K.RTAX_MTU, s.mtu);
      if (s.advmss !== undefined) putU32(w, K.RTAX_ADVMSS, s.advmss);
    });
  }
  if (s.encap) putEncap(w, s.encap);
}

function words(s: RouteSpec, dev?: string): string {
  const via = s.gw ? ` via ${s.gw}` : '';
  const on = dev ? ` dev ${dev}` : s.oif !== undefined ? ` dev #${s.oif}` : '';
  const scope = s.scope && s.scope !== 'universe' ? ` scope ${s.scope}` : '';
  const encap = s.encap ? ` ${encapWords(s.encap)}` : '';
  return `${s.dst}${via}${on}${scope}${s.onlink ? ' onlink' : ''}${encap}`;
}

export function addRouteRequest(s: RouteSpec, dev?: string): NlRequest {
  return { type: K.RTM_NEWROUTE, flags: K.NLM_F_CREATE | K.NLM_F_EXCL, fill: (w) => fillRoute(s, w), what: `add route ${words(s, dev)}` };
}

export function replaceRouteRequest(s: RouteSpec, dev?: string): NlRequest {
  return {
    type: K.RTM_NEWROUTE,
    flags: K.NLM_F_CREATE | K.NLM_F_REPLACE,
    fill: (w) => fillRoute(s, w),
    what: `replace route ${words(s, dev)}`,
  };
}

export function deleteRouteRequest(s: RouteSpec, dev?: string): NlRequest {
  return { type: K.RTM_DELROUTE, fill: (w) => fillRoute(s, w), what: `delete route ${words(s, dev)}` };
}

export function dumpRoutesRequest(family: 4 | 6): NlRequest {
  return {
    type: K.RTM_GETROUTE,
    fill: (w) => w.u8(family === 4 ? AF_INET : AF_INET6).zeros(11),
    what: `dump IPv${family} routes`,
  };
}

export function decodeRoute(m: NlMsg): Route {
  const r = new Reader(m.body);
  const fam = r.u8();
  const dstLen = r.u8();
  r.skip(2);
  const table8 = r.u8();
  const protocol = r.u8();
  const scope = r.u8();
  const type = r.u8();
  const flags = r.u32();
  const a = AttrMap.of(m.body, 12);
  const family: Family = fam === AF_INET ? 4 : 6;
  const dstRaw = a.raw(K.RTA_DST);
  const dst = dstRaw ? `${bytesToIp(dstRaw)}/${dstLen}` : family === 4 ? '0.0.0.0/0' : '::/0';
  const gwRaw = a.raw(K.RTA_GATEWAY);
  return {
    family,
    dst,
    gw: gwRaw ? bytesToIp(gwRaw) : undefined,
    oif: a.u32(K.RTA_OIF),
    scope,
    table: a.u32(K.RTA_TABLE) ?? table8,
    protocol,
    type,
    flags,
    priority: a.u32(K.RTA_PRIORITY),
    mtu: a.nested(K.RTA_METRICS)?.u32(K.RTAX_MTU),
    encap: decodeEncap(a),
  };
}

/** RTM_GETROUTE for one destination (what `ip route get` asks): the kernel's FIB lookup, no dump. */
export function getRouteRequest(dst: string): NlRequest {
  const d = parseCidr(dst);
  return {
    type: K.RTM_GETROUTE,
    fill: (w) => {
      w.u8(d.family === 4 ? AF_INET : AF_INET6)
        .u8(d.family === 4 ? 32 : 128)
        .u8(0)
        .u8(0)
        .u8(0)
        .u8(0)
        .u8(0)
        .u8(0)
        .u32(0);
      putAttr(w, K.RTA_DST, ipToBytes(d.address));
    },
    what: `get route to ${d.address}`,
  };
}
