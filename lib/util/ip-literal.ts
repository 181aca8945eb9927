// IP address literal check, the same answers as node:net isIP without regular expressions: node's large
// IPv6 expression cost several milliseconds at a CNI call's first use, and even a dotted-quad expression
// cost about 0.4 ms per call (V8 compiles it at first use and again to machine code at the second).

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** A zone ID character: [0-9a-zA-Z.:-]. */
const isZoneChar = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 58;

/** Four dot-separated decimals 0-255, without leading zeros. */
function isV4(s: string): boolean {
  let i = 0;
  for (let group = 1; ; group++) {
    const start = i;
    let value = 0;
    while (i < s.length && i - start < 4 && isDigit(s.charCodeAt(i))) value = value * 10 + s.charCodeAt(i++) - 48;
    const len = i - start;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && s.charCodeAt(start) === 48)) return false;
    if (i === s.length) return group === 4;
    if (group === 4 || s.charCodeAt(i) !== 46) return false;
    i++;
  }
}

const isHexGroup = (g: string) => {
  if (g.length < 1 || g.length > 4) return false;
  for (let i = 0; i < g.length; i++) if (!isHex(g.charCodeAt(i))) return false;
  return true;
};

function isV6(s: string): boolean {
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (pct === s.length - 1) return false;
    for (let i = pct + 1; i < s.length; i++) if (!isZoneChar(s.charCodeAt(i))) return false;
    s = s.slice(0, pct);
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(groups);
  let need = 8;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isV4(last) || !s.endsWith(last)) return false; // an embedded IPv4 ends the address
    parts.pop();
    need = 6;
  }
  if (!parts.every(isHexGroup)) return false;
  if (halves.length === 2) return parts.length < need || (need === 6 && parts.length < 6);
  return parts.length === need;
}

/** 4 or 6 for a valid address literal, 0 otherwise. */
export function ipLiteralFamily(s: string): 0 | 4 | 6 {
  if (isV4(s)) return 4;
  return s.includes(':') && isV6(s) ? 6 : 0;
}
