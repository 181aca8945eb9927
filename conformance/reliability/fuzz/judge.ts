// Judging one plugin answer against what its case expects: exit status, the shape of stdout (one
// well-formed CNI error object, empty, a result or VERSION's answer) and no JS stack traces.
import type { AsyncPluginRun } from '../async-run.js';
import { LATEST, SUPPORTED, type FuzzCase, type Json } from './case.js';

/** The version an error object must carry for this stdin (several when the plugin may not have read it). */
export function errorVersions(stdin: string, commandKnown: boolean): string[] {
  let v: unknown;
  try {
    const o = JSON.parse(stdin) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return [LATEST];
    v = (o as Json).cniVersion;
  } catch {
    return [LATEST];
  }
  const own = v === undefined || v === '' ? '0.1.0' : typeof v === 'string' && SUPPORTED.includes(v) ? v : LATEST;
  return commandKnown ? [own] : [own, LATEST];
}

const JS_STACK = /^\s+at\s+(?:\S+\s+)?\(?(?:\/|node:|file:)[^)]*:\d+(?::\d+)?\)?\s*$/m;
const ERROR_KEYS = new Set(['cniVersion', 'code', 'msg', 'details']);

/** Problems with one plugin answer against what the case expects; [] when correct. */
export function judge(cs: FuzzCase, r: AsyncPluginRun): string[] {
  const p: string[] = [];
  if (r.timedOut) return ['timed out'];
  if (r.signal) p.push(`killed by ${r.signal}`);
  if (r.overflow) p.push('printed more than 64 MiB');
  if (JS_STACK.test(r.stdout)) p.push('JS stack trace on stdout');
  if (JS_STACK.test(r.stderr)) p.push(`JS stack trace on stderr: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`);
  const e = cs.expect;
  const out = r.stdout;
  const asError = (codes: number[], msg?: RegExp): void => {
    if (r.code === 0) return void p.push(`exit 0, expected an error with code ${codes.join('|')}; stdout ${JSON.stringify(out.slice(0, 200))}`);
    let doc: unknown;
    try {
      doc = JSON.parse(out);
    } catch {
      return void p.push(`stdout is not exactly one JSON document: ${JSON.stringify(out.slice(0, 200))}`);
    }
    if (!out.endsWith('\n') || out.indexOf('\n') !== out.length - 1) p.push('error object is not one line ending in a newline');
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return void p.push(`error is not an object: ${out.slice(0, 200)}`);
    const o = doc as Json;
    for (const key of Object.keys(o)) if (!ERROR_KEYS.has(key)) p.push(`unexpected key ${JSON.stringify(key)} in the error object`);
    if (!Number.isInteger(o.code)) p.push(`code ${JSON.stringify(o.code)} is not an integer`);
    else if (!codes.includes(o.code as number)) p.push(`code ${o.code as number}, expected ${codes.join('|')}: ${String(o.msg)}`);
    if (typeof o.msg !== 'string' || o.msg === '') p.push('msg missing or empty');
    else if (msg && !msg.test(o.msg)) p.push(`msg ${JSON.stringify(o.msg)} does not match ${msg}`);
    if (o.details !== undefined && typeof o.details !== 'string') p.push('details is not a string');
    const versions = errorVersions(cs.stdin, cs.command !== undefined && ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'].includes(cs.command));
    if (!versions.includes(o.cniVersion as string)) p.push(`error cniVersion ${JSON.stringify(o.cniVersion)}, expected ${versions.join('|')}`);
  };
  switch (e.kind) {
    case 'error':
      asError(e.codes, e.msg);
      break;
    case 'empty':
      if (r.code !== 0) p.push(`exit ${r.code}, expected 0: ${out.trim().slice(0, 300)}`);
      else if (out !== '') p.push(`stdout not empty: ${JSON.stringify(out.slice(0, 200))}`);
      break;
    case 'empty-or-error':
      if (r.code === 0) {
        if (out !== '') p.push(`stdout not empty: ${JSON.stringify(out.slice(0, 200))}`);
      } else asError(e.codes);
      break;
    case 'result':
    case 'result-or-error':
      if (r.code === 0) {
        const res = r.json as { cniVersion?: string; interfaces?: unknown[]; ips?: unknown[]; ip4?: unknown; ip6?: unknown } | undefined;
        if (!res || typeof res !== 'object') p.push(`exit 0 without a JSON result: ${JSON.stringify(out.slice(0, 200))}`);
        else if (!res.ips && !res.ip4 && !res.ip6) p.push(`result without IPs: ${out.slice(0, 200)}`);
      } else if (e.kind === 'result') p.push(`exit ${r.code}, expected a result: ${out.trim().slice(0, 300)}`);
      else asError(e.codes);
      break;
    case 'version': {
      const v = r.json as { cniVersion?: unknown; supportedVersions?: unknown } | undefined;
      if (r.code !== 0 || !v || !Array.isArray(v.supportedVersions) || typeof v.cniVersion !== 'string') p.push(`VERSION answered exit ${r.code}: ${out.slice(0, 200)}`);
      break;
    }
    case 'cli':
      if (out.trim() !== '' && (out.trim().startsWith('{') || out.trim().startsWith('['))) p.push(`JSON on stdout without CNI_COMMAND: ${out.slice(0, 200)}`);
      break;
  }
  return p;
}
