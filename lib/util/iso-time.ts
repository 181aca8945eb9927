// ISO 8601 UTC timestamps ("2026-12-05T16:48:55.329Z") from the UTC getters. Date.prototype.toISOString
// gives the same text, but its first call in a process makes V8 set up the local time zone (ICU reads
// /etc/localtime and its zone data), about 0.2 ms that every CNI call paid for its log line.
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function isoTime(d: Date = new Date()): string {
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return d.toISOString(); // expanded years and invalid dates: toISOString's rules
  const date = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`;
  return `${date}T${time}Z`;
}
