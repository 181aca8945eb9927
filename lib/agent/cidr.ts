// Strict CIDR and address parsing for node data that comes from outside (the API, a file), and the
// range arithmetic the overlap checks need. Pure.
import { bytesToIp, ipToBytes, parseCidr, type Family } from '../netlink/index.js';
import { ipLiteralFamily } from '../util/index.js';

export interface Prefix {
  family: Family;
  /** Canonical text, e.g. 10.244.1.0/24. */
  cidr: string;
  start: bigint;
  end: bigint;
}

function toBigInt(b: Buffer): bigint {
  return BigInt(`0x${b.toString('hex')}`);
}

/** A canonical network prefix, or an error that says what is wrong with the text. */
export function parsePrefix(text: unknown): Prefix | { error: string } {
  if (typeof text !== 'string' || !text.includes('/')) return { error: `not a CIDR: ${JSON.stringify(text)}` };
  let c;
  try {
    c = parseCidr(text);
  } catch (e) {
    return { error: `not a CIDR: ${JSON.stringify(text)} (${(e as Error).message})` };
  }
  const bits = c.family === 4 ? 32 : 128;
  const start = toBigInt(ipToBytes(c.address));
  const hostMask = (1n << BigInt(bits - c.prefix)) - 1n;
  // The kernel refuses a route whose destination has host bits set (EINVAL): say so here instead.
  if ((start & hostMask) !== 0n) return { error: `${text} has host bits set` };
  return { family: c.family, cidr: `${c.address}/${c.prefix}`, start, end: start | hostMask };
}

/** The family of an address literal (no prefix, no zone), or undefined. */
export function addressFamily(text: unknown): Family | undefined {
  if (typeof text !== 'string' || text.includes('%')) return undefined;
  const f = ipLiteralFamily(text);
  return f === 0 ? undefined : f;
}

export function addressValue(ip: string): bigint {
  return toBigInt(ipToBytes(ip));
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

export function contains(p: Prefix, family: Family, ip: bigint): boolean {
  return p.family === family && p.start <= ip && ip <= p.end;
}

/** The kernel's text form of an address (as route dumps print it); the input when it is not one. */
export function canonicalAddress(ip: string): string {
  return addressFamily(ip) ? bytesToIp(ipToBytes(ip)) : ip;
}
