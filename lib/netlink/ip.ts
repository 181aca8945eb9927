// IP address text <-> bytes, and CIDR parsing, for netlink payloads (network byte order).
import { putU16be, u16be } from '../codec/index.js';
import { ipLiteralFamily } from '../util/ip-literal.js';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  address: string;
  prefix: number;
}

export function ipFamily(ip: string): Family {
  const f = ipLiteralFamily(ip);
  if (f === 0) throw new RangeError(`not an IP address: ${ip}`);
  return f;
}

export function ipToBytes(ip: string): Buffer {
  const f = ipLiteralFamily(ip);
  if (f === 4) return Buffer.from(ip.split('.').map((x) => Number(x)));
  if (f !== 6) throw new RangeError(`not an IP address: ${ip}`);
  let s = ip;
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const b = ipToBytes(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${u16be(b, 0).toString(16)}:${u16be(b, 2).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => putU16be(out, i * 2, parseInt(g, 16)));
  return out;
}

export function bytesToIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw new RangeError(`bad IP length ${b.length}`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(u16be(b, i));
  // RFC 5952: compress the longest run (≥2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function parseCidr(s: string): Cidr {
  const [addr, p] = s.split('/');
  const family = ipFamily(addr!);
  const max = family === 4 ? 32 : 128;
  const prefix = p === undefined ? max : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (p !== undefined && !/^\d+$/.test(p))) {
    throw new RangeError(`bad prefix length in ${s}`);
  }
  return { family, address: bytesToIp(ipToBytes(addr!)), prefix };
}
