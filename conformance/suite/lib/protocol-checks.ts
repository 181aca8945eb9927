// The core checks of the protocol around the datapath: VERSION (§4), missing variables (§2.1), malformed
// stdin (§3.15), stdout discipline across commands (§1.5), and prevResult passthrough (§7).
import { errorProblems, successProblems } from './answer-checks.js';
import { cid, confFor, newPod, type Case } from './case-setup.js';
import { isObj, type Json } from './json.js';
import { leftoverProblems, podStateProblems } from './kernel-state.js';
import { foreignPrevResult, passthroughProblems } from './prev-result.js';
import { keysProblems } from './result-shape.js';
import { atLeast } from './suite.js';
import type { Target } from './target.js';

/** §4 VERSION.1/VERSION.2: VERSION with the given stdin (may be empty). */
export function checkVersionCommand(tg: Target, stdin: string, expectVersion?: string): string[] {
  const r = tg.run('VERSION', { conf: stdin, env: { CNI_IFNAME: undefined, CNI_PATH: undefined } });
  const p = successProblems(r, `VERSION with stdin ${JSON.stringify(stdin)}`, 'json');
  const j = r.json;
  if (!isObj(j)) return p;
  p.push(...keysProblems(j, ['cniVersion', 'supportedVersions'], 'VERSION answer'));
  if (!Array.isArray(j.supportedVersions) || !j.supportedVersions.every((v) => typeof v === 'string')) p.push('supportedVersions is not a list of strings');
  if (typeof j.cniVersion !== 'string') p.push('cniVersion missing');
  else if (expectVersion && j.cniVersion !== expectVersion) p.push(`cniVersion ${j.cniVersion}, the input said ${expectVersion}`);
  return p;
}

/** §2.1: required container variables missing → code 4 naming each of them. */
export function checkEnvMissing(tg: Target, command: 'ADD' | 'DEL' | 'CHECK', missing: string[], version: string): string[] {
  const pod = newPod(tg, 'env');
  const env: Record<string, string | undefined> = {};
  for (const v of missing) env[v] = undefined;
  const conf = tg.bed.conf({ cniVersion: version });
  const r = tg.run(command, { containerId: 'envtest', pod, conf: command === 'CHECK' ? { ...conf, prevResult: {} } : conf, env });
  const p = errorProblems(r, `${command} without ${missing.join(',')}`, { code: 4, version });
  const msg = isObj(r.json) ? String(r.json.msg) : '';
  for (const v of missing) if (!msg.includes(v)) p.push(`${command}: message ${JSON.stringify(msg)} does not name ${v}`);
  return p;
}

/** §3.15: malformed JSON on stdin → code 6. */
export function checkBadJson(tg: Target, command: 'ADD' | 'DEL' | 'CHECK', text: string): string[] {
  const pod = newPod(tg, 'badjson');
  return errorProblems(tg.run(command, { containerId: 'badjson', pod, conf: text }), `${command} with stdin ${JSON.stringify(text)}`, { code: 6 });
}

/** §1.5 (and §1.3/§1.4): across ADD, CHECK, an error, VERSION and DEL, stdout is one JSON document or empty. */
export function checkStdoutDiscipline(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'stdout');
  const conf = confFor(tg, c);
  const id = cid('stdout');
  const p: string[] = [];
  const add = tg.run('ADD', { containerId: id, pod, conf });
  p.push(...successProblems(add, 'ADD', 'json'));
  if (atLeast(c.version, '0.4.0')) p.push(...successProblems(tg.run('CHECK', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'CHECK', 'empty'));
  p.push(...errorProblems(tg.run('ADD', { containerId: id, pod, conf: '{"cniVersion":' }), 'ADD with bad JSON'));
  p.push(...errorProblems(tg.run('ADD', { containerId: id, pod, conf: { ...conf, name: undefined } }), 'ADD without a name', { version: c.version }));
  p.push(...successProblems(tg.run('VERSION', { conf: '' }), 'VERSION', 'json'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL again', 'empty'));
  return p;
}

/** §4 ADD.4, §7.1, §7.4, §7.5: podlink after another interface plugin keeps the prevResult (direct exec). */
export function checkPrevResultPassthrough(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'prev');
  const conf = confFor(tg, c);
  const id = cid('prev');
  const prev = foreignPrevResult(c.version, `/run/netns/${pod}`);
  const add = tg.run('ADD', { containerId: id, pod, conf: { ...conf, prevResult: prev } });
  const p = successProblems(add, 'ADD with prevResult', 'json');
  if (add.code !== 0) return p;
  p.push(...passthroughProblems(prev, add.json));
  const own = (add.json as { interfaces?: Json[] }).interfaces ?? [];
  if (!own.some((i) => i.name === 'eth0' && i.sandbox === `/run/netns/${pod}`)) p.push('podlink\'s own eth0 is missing from the result');
  p.push(...podStateProblems(tg.bed, pod, 'eth0', { ips: ((add.json as { ips: Json[] }).ips).filter((i) => i.address !== '10.99.0.5/24') }));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'DEL with the final result', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}
