// IP address literal check, the same answers as node:net isIP but without its large IPv6 regular
// expression, whose first use costs several milliseconds of a CNI call's start-up.
const V4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^%[0-9a-zA-Z\-.:]+$/;

function isV6(s: string): boolean {
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!ZONE.test(s.slice(pct))) return false;
    s = s.slice(0, pct);
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(groups);
  let need = 8;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!V4.test(last) || !s.endsWith(last)) return false; // an embedded IPv4 ends the address
    parts.pop();
    need = 6;
  }
  if (!parts.every((g) => HEX_GROUP.test(g))) return false;
  if (halves.length === 2) return parts.length < need || (need === 6 && parts.length < 6);
  return parts.length === need;
}

/** 4 or 6 for a valid address literal, 0 otherwise. */
export function ipLiteralFamily(s: string): 0 | 4 | 6 {
  if (V4.test(s)) return 4;
  return s.includes(':') && isV6(s) ? 6 : 0;
}
