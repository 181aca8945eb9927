// lib/log/redact: deep copy of a JSON-like value with secret-looking keys masked, so configs can
// be logged at debug level. Pure. May import: nothing.

export const SECRET_KEY = /pass|secret|token|key/i;
export const REDACTED = '[REDACTED]';

export function redact(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redact);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? REDACTED : redact(x)]));
}
