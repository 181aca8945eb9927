// lib/cni/ip: textual IP and CIDR checks used when validating results and configs. Pure.
// May import: lib/util (address literal check).
import { ipLiteralFamily } from '../util/ip-literal.js';

/** 4 or 6 for a valid address literal, 0 otherwise. */
export function ipFamily(s: string): 0 | 4 | 6 {
  return ipLiteralFamily(s);
}

/** 4 or 6 for "addr/prefix" with a prefix in range for the family, 0 otherwise. */
export function cidrFamily(s: string): 0 | 4 | 6 {
  const slash = s.indexOf('/');
  if (slash < 0) return 0;
  const fam = ipFamily(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (fam === 0 || !/^(0|[1-9]\d{0,2})$/.test(len)) return 0;
  return Number(len) <= (fam === 4 ? 32 : 128) ? fam : 0;
}
