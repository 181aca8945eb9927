// Checks of one plugin answer (§1.3-§1.5, §6): stdout is one JSON document or empty as required, exit
// status, and the shape of an error object.
import type { PluginRun } from '../../support/spawn.js';
import { isObj } from './json.js';

/** §1.5: stdout is exactly one JSON document (plus whitespace), or empty where `empty` allows/needs it. */
export function stdoutProblems(r: PluginRun, what: string, expect: 'json' | 'empty' | 'any' = 'any'): string[] {
  const p: string[] = [];
  if (r.stdout === '') {
    if (expect === 'json') p.push(`${what}: stdout is empty, a JSON document was expected`);
    return p;
  }
  if (expect === 'empty') p.push(`${what}: stdout must be empty, got ${JSON.stringify(r.stdout.slice(0, 200))}`);
  try {
    const v = JSON.parse(r.stdout) as unknown;
    if (!isObj(v)) p.push(`${what}: stdout is JSON but not an object`);
  } catch {
    p.push(`${what}: stdout is not exactly one JSON document: ${JSON.stringify(r.stdout.slice(0, 300))}`);
  }
  return p;
}

const WELL_KNOWN_CODES = new Set([1, 2, 3, 4, 5, 6, 7, 11, 50, 51]);

export interface ErrorExpect {
  code?: number | number[];
  /** The config's cniVersion, which the error object must carry (§6.1). */
  version?: string;
  msg?: RegExp;
}

/** §1.3/§1.4/§6.1/§6.2: non-zero exit and a well-formed error object on stdout. */
export function errorProblems(r: PluginRun, what: string, e: ErrorExpect = {}): string[] {
  const p = stdoutProblems(r, what, 'json');
  if (r.code === 0) p.push(`${what}: exit 0, an error was expected (stdout ${JSON.stringify(r.stdout.slice(0, 200))})`);
  const j = r.json;
  if (!isObj(j)) return p.length ? p : [`${what}: no error object on stdout`];
  if (typeof j.code !== 'number' || !Number.isInteger(j.code) || j.code < 1) p.push(`${what}: error code ${JSON.stringify(j.code)} is not a positive integer`);
  else if (!WELL_KNOWN_CODES.has(j.code) && j.code < 100) p.push(`${what}: code ${j.code} is reserved (0-99) and not a well-known code`);
  if (typeof j.msg !== 'string' || j.msg === '') p.push(`${what}: error msg missing`);
  if (j.details !== undefined && typeof j.details !== 'string') p.push(`${what}: details is not a string`);
  if (typeof j.cniVersion !== 'string') p.push(`${what}: error object has no cniVersion`);
  else if (e.version && j.cniVersion !== e.version) p.push(`${what}: error cniVersion ${j.cniVersion}, the config's is ${e.version}`);
  const codes = e.code === undefined ? undefined : Array.isArray(e.code) ? e.code : [e.code];
  if (codes && !codes.includes(j.code as number)) p.push(`${what}: code ${JSON.stringify(j.code)}, expected ${codes.join(' or ')} (${JSON.stringify(j.msg)})`);
  if (e.msg && !e.msg.test(`${String(j.msg)} ${String(j.details ?? '')}`)) p.push(`${what}: message ${JSON.stringify(j.msg)} does not match ${e.msg}`);
  return p;
}

/** §1.3 + §4 DEL.5/CHECK.9: exit 0 and stdout exactly as expected. */
export function successProblems(r: PluginRun, what: string, expect: 'json' | 'empty'): string[] {
  const p = stdoutProblems(r, what, expect);
  if (r.code !== 0) p.unshift(`${what}: exit ${r.code}: ${r.stdout.trim().slice(0, 300)} ${r.stderr.trim().slice(0, 300)}`);
  return p;
}
