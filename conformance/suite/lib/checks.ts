// The core conformance checks as plain functions: each drives a plugin through a Target and returns
// the problems it found ([] = conforming). The suite's test files assert `[]` against dist/podlink;
// selftest.test.ts runs the same functions against deliberately broken plugins and asserts that they
// report problems, which proves the checks can fail.
//
// Every plugin run made here is also checked for §1.5 (stdout is one JSON document or empty).
// Imports: node built-ins, ./suite (Testbed, tables), ../../lib/exec-driver (types only).
import { isIP } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginRun } from '../../lib/exec-driver.js';
import { atLeast, LEGACY_VERSIONS, PODLINK, type Testbed } from './suite.js';

export type RunOpts = NonNullable<Parameters<Testbed['run']>[1]>;

/** A plugin under test, run inside a testbed's node netns. */
export interface Target {
  label: string;
  bed: Testbed;
  run(command: string, o?: RunOpts): PluginRun;
}

export function podlinkTarget(bed: Testbed): Target {
  return { label: 'podlink', bed, run: (c, o) => bed.run(c, o) };
}

/** Another executable (a broken fake); PODLINK_REAL tells the wrappers in testdata/ which podlink to run. */
export function binTarget(bed: Testbed, bin: string): Target {
  return {
    label: path.basename(bin),
    bed,
    run: (c, o = {}) => bed.runWith(bin, c, { ...o, env: { PODLINK_REAL: PODLINK, ...o.env } }),
  };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

// ------------------------------------------------------------------ single-run checks

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

// ------------------------------------------------------------------ result shape (§5)

function cidrProblem(v: unknown, family?: 4 | 6): string | undefined {
  if (typeof v !== 'string') return `not a string: ${JSON.stringify(v)}`;
  const [ip, len, ...rest] = v.split('/');
  const fam = isIP(ip ?? '');
  if (!fam || len === undefined || rest.length || !/^\d+$/.test(len) || Number(len) > (fam === 4 ? 32 : 128)) return `not CIDR: ${v}`;
  if (family && fam !== family) return `not IPv${family}: ${v}`;
  return undefined;
}

function keysProblems(o: Json, allowed: readonly string[], where: string): string[] {
  return Object.keys(o).filter((k) => !allowed.includes(k)).map((k) => `${where}: unexpected key "${k}"`);
}

const DNS_KEYS = ['nameservers', 'domain', 'search', 'options'];

function dnsProblems(d: unknown, where: string): string[] {
  if (d === undefined) return [];
  if (!isObj(d)) return [`${where}: dns is not an object`];
  const p = keysProblems(d, DNS_KEYS, where);
  for (const k of ['nameservers', 'search', 'options']) if (d[k] !== undefined && !(Array.isArray(d[k]) && (d[k] as unknown[]).every((x) => typeof x === 'string'))) p.push(`${where}: dns.${k} is not a list of strings`);
  if (d.domain !== undefined && typeof d.domain !== 'string') p.push(`${where}: dns.domain is not a string`);
  return p;
}

export interface ShapeContext {
  netns: string;
  ifname: string;
  /** The config had IPv6 ranges too. */
  ipv6: boolean;
}

/** The ADD result's wire shape for `version` (§4 ADD.3/ADD.5, §5.1-§5.6). */
export function resultShapeProblems(res: unknown, version: string, ctx: ShapeContext): string[] {
  if (!isObj(res)) return ['result is not a JSON object'];
  const p: string[] = [];
  if (res.cniVersion !== version) p.push(`result cniVersion ${JSON.stringify(res.cniVersion)} != requested ${version}`);
  if (LEGACY_VERSIONS.includes(version)) {
    p.push(...keysProblems(res, ['cniVersion', 'ip4', 'ip6', 'dns'], 'legacy result'));
    for (const fam of [4, 6] as const) {
      const ipc = res[`ip${fam}`];
      if (ipc === undefined) {
        if (fam === 4 || ctx.ipv6) p.push(`legacy result: ip${fam} missing`);
        continue;
      }
      if (!isObj(ipc)) {
        p.push(`ip${fam} is not an object`);
        continue;
      }
      p.push(...keysProblems(ipc, ['ip', 'gateway', 'routes'], `ip${fam}`));
      const c = cidrProblem(ipc.ip, fam);
      if (c) p.push(`ip${fam}.ip ${c}`);
      if (ipc.gateway !== undefined && isIP(String(ipc.gateway)) !== fam) p.push(`ip${fam}.gateway is not IPv${fam}`);
      if (ipc.routes !== undefined) {
        if (!Array.isArray(ipc.routes)) p.push(`ip${fam}.routes is not a list`);
        else for (const r of ipc.routes as unknown[]) p.push(...routeProblems(r, version, `ip${fam}.routes[]`));
      }
    }
    p.push(...dnsProblems(res.dns, 'result'));
    return p;
  }
  const v11 = atLeast(version, '1.1.0');
  const withVersionField = !atLeast(version, '1.0.0');
  p.push(...keysProblems(res, ['cniVersion', 'interfaces', 'ips', 'routes', 'dns'], 'result'));
  if ('ip' in res) p.push('result uses "ip"; the field is "ips" (spec-upgrades "v0.3.0 and later")');
  const ifs = res.interfaces;
  let podIdx = -1;
  if (!Array.isArray(ifs) || ifs.length === 0) p.push('interfaces missing or empty');
  else {
    ifs.forEach((i: unknown, n) => {
      if (!isObj(i)) return p.push(`interfaces[${n}] is not an object`);
      p.push(...keysProblems(i, v11 ? ['name', 'mac', 'mtu', 'sandbox', 'socketPath', 'pciID'] : ['name', 'mac', 'sandbox'], `interfaces[${n}]`));
      if (typeof i.name !== 'string' || !i.name) p.push(`interfaces[${n}].name missing`);
      if (i.mac !== undefined && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(String(i.mac))) p.push(`interfaces[${n}].mac ${JSON.stringify(i.mac)} is not a MAC`);
      if (i.mtu !== undefined && !(Number.isInteger(i.mtu) && (i.mtu as number) > 0)) p.push(`interfaces[${n}].mtu is not a positive integer`);
      if (i.sandbox !== undefined && typeof i.sandbox !== 'string') p.push(`interfaces[${n}].sandbox is not a string`);
      return undefined;
    });
    podIdx = ifs.findIndex((i: unknown) => isObj(i) && i.name === ctx.ifname && i.sandbox === ctx.netns);
    if (podIdx < 0) p.push(`no interface {name: ${ctx.ifname}, sandbox: ${ctx.netns}} in interfaces`);
    if (!ifs.some((i: unknown) => isObj(i) && !i.sandbox)) p.push('the host-side peer is not listed (no interface without sandbox)');
  }
  const ips = res.ips;
  if (!Array.isArray(ips) || ips.length === 0) p.push('ips missing or empty');
  else {
    const fams = new Set<number>();
    ips.forEach((ip: unknown, n) => {
      if (!isObj(ip)) return p.push(`ips[${n}] is not an object`);
      p.push(...keysProblems(ip, withVersionField ? ['version', 'address', 'gateway', 'interface'] : ['address', 'gateway', 'interface'], `ips[${n}]`));
      const fam = isIP(String(ip.address ?? '').split('/')[0] ?? '');
      fams.add(fam);
      const c = cidrProblem(ip.address);
      if (c) p.push(`ips[${n}].address ${c}`);
      if (withVersionField && ip.version !== String(fam)) p.push(`ips[${n}].version ${JSON.stringify(ip.version)}, expected "${fam}" in ${version}`);
      if (ip.gateway !== undefined && isIP(String(ip.gateway)) !== fam) p.push(`ips[${n}].gateway ${JSON.stringify(ip.gateway)} is not in the address family`);
      if (ip.interface === undefined || ip.interface === -1) p.push(`ips[${n}].interface not filled in`);
      else if (ip.interface !== podIdx) p.push(`ips[${n}].interface ${JSON.stringify(ip.interface)} does not point at ${ctx.ifname} (index ${podIdx})`);
      return undefined;
    });
    if (!fams.has(4)) p.push('no IPv4 address in ips');
    if (ctx.ipv6 && !fams.has(6)) p.push('no IPv6 address in ips');
  }
  if (res.routes !== undefined) {
    if (!Array.isArray(res.routes)) p.push('routes is not a list');
    else for (const r of res.routes as unknown[]) p.push(...routeProblems(r, version, 'routes[]'));
  }
  p.push(...dnsProblems(res.dns, 'result'));
  return p;
}

function routeProblems(r: unknown, version: string, where: string): string[] {
  if (!isObj(r)) return [`${where} is not an object`];
  const p = keysProblems(r, atLeast(version, '1.1.0') ? ['dst', 'gw', 'mtu', 'advmss', 'priority', 'table', 'scope'] : ['dst', 'gw'], where);
  const c = cidrProblem(r.dst);
  if (c) p.push(`${where}.dst ${c}`);
  if (r.gw !== undefined && !isIP(String(r.gw))) p.push(`${where}.gw ${JSON.stringify(r.gw)} is not an IP`);
  return p;
}

/** CIDR addresses a result assigns to the pod interface, any version. */
export function resultAddresses(res: unknown): string[] {
  if (!isObj(res)) return [];
  if (Array.isArray(res.ips)) return (res.ips as Json[]).map((i) => String(i.address));
  return [res.ip4, res.ip6].filter(isObj).map((i) => String(i.ip));
}

/** Host-side interface name from a >= 0.3.0 result (the one without sandbox). */
export function hostIfName(res: unknown): string | undefined {
  if (!isObj(res) || !Array.isArray(res.interfaces)) return undefined;
  const h = (res.interfaces as Json[]).filter((i) => !i.sandbox);
  return h.length ? String(h[h.length - 1]!.name) : undefined;
}

// ------------------------------------------------------------------ kernel state

function ipJson(bed: Testbed, ns: string, args: string[]): Json[] {
  try {
    return JSON.parse(bed.ip(ns, ['-j', ...args]) || '[]') as Json[];
  } catch {
    return [];
  }
}

/** §4 ADD.1: CNI_IFNAME exists in the pod netns, up, with every result address. */
export function podStateProblems(bed: Testbed, pod: string, ifname: string, res: unknown): string[] {
  const link = ipJson(bed, pod, ['addr', 'show']).find((l) => l.ifname === ifname);
  if (!link) return [`${ifname} does not exist in ${pod}`];
  const p: string[] = [];
  if (!(link.flags as string[]).includes('UP')) p.push(`${ifname} is not up`);
  const have = new Set((link.addr_info as Json[]).map((a) => `${String(a.local)}/${String(a.prefixlen)}`));
  for (const a of resultAddresses(res)) if (!have.has(a)) p.push(`${a} is not on ${ifname} (have ${[...have].join(', ')})`);
  return p;
}

/** Links other than lo in a netns (named); [] when the netns is gone. */
export function nonLoLinks(bed: Testbed, ns: string): string[] {
  if (!fs.existsSync(`/run/netns/${ns}`)) return [];
  return ipJson(bed, ns, ['link', 'show']).map((l) => String(l.ifname)).filter((n) => n !== 'lo');
}

/** BPF per-endpoint link pins left under the testbed's bpfRoot. */
export function endpointPins(bed: Testbed): string[] {
  try {
    return fs.readdirSync(path.join(bed.bpfRoot, 'links'));
  } catch {
    return [];
  }
}

/** Everything an attachment leaves behind, after its DEL: [] when clean. */
export function leftoverProblems(bed: Testbed, pods: string[] = []): string[] {
  const p: string[] = [];
  const links = bed.nodeLinks();
  if (links.length) p.push(`links left in the node netns: ${links.join(', ')}`);
  const ipam = bed.ipamAllocations();
  if (ipam.length) p.push(`IPAM allocations left: ${ipam.join(', ')}`);
  const recs = bed.records();
  if (recs.length) p.push(`endpoint records left: ${recs.join(', ')}`);
  const pins = endpointPins(bed);
  if (pins.length) p.push(`BPF link pins left: ${pins.join(', ')}`);
  for (const pod of pods) {
    const l = nonLoLinks(bed, pod);
    if (l.length) p.push(`links left in ${pod}: ${l.join(', ')}`);
  }
  return p;
}

// ------------------------------------------------------------------ the core checks

export interface Case {
  version: string;
  mode: string;
}

function confFor(tg: Target, c: Case, extra: Json = {}): Json {
  return tg.bed.conf({ cniVersion: c.version, mode: c.mode, extra });
}

let seq = 0;
function cid(tag: string): string {
  seq++;
  return `${tag}-${process.pid}-${seq}`;
}

/** A pod netns with a name unique in this process (a check may make several in one testbed). */
function newPod(tg: Target, tag: string): string {
  seq++;
  return tg.bed.pod(`${tag}${seq}`);
}

/** §4 ADD.1/ADD.3/ADD.5, §5: ADD's result shape for the version, the kernel agrees; DEL cleans up. */
export function checkAddResult(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'shape');
  const conf = confFor(tg, c);
  const id = cid('shape');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...resultShapeProblems(add.json, c.version, { netns: `/run/netns/${pod}`, ifname: 'eth0', ipv6: true }));
  p.push(...podStateProblems(tg.bed, pod, 'eth0', add.json));
  const host = hostIfName(add.json);
  if (host && !tg.bed.nodeLinks().includes(host)) p.push(`host interface ${host} from the result is not in the node netns`);
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 DEL.2: ADD, DEL, DEL again (no prevResult): both DELs succeed silently; nothing left. */
export function checkDelRepeated(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'deltwice');
  const conf = confFor(tg, c);
  const id = cid('deltwice');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'first DEL', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'second DEL', 'empty'));
  if (atLeast(c.version, '0.4.0')) p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'third DEL with prevResult', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 DEL.2, §2.5, §6.4, §10.2: the netns was deleted before DEL (the kernel removed the pair). */
export function checkDelNetnsGone(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'delgone');
  const conf = confFor(tg, c);
  const id = cid('delgone');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  tg.bed.removePod(pod);
  p.push(...successProblems(tg.run('DEL', { containerId: id, netns: `/run/netns/${pod}`, conf }), 'DEL with the netns gone', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, netns: `/run/netns/${pod}`, conf }), 'DEL again', 'empty'));
  p.push(...leftoverProblems(tg.bed));
  return p;
}

/** §4 DEL.2, §2.5: DEL with CNI_NETNS absent, then (another attachment) with CNI_NETNS="". */
export function checkDelNoNetns(tg: Target, c: Case): string[] {
  const p: string[] = [];
  for (const variant of ['absent', 'empty'] as const) {
    const pod = newPod(tg, `delnons${variant[0]}`);
    const conf = confFor(tg, c);
    const id = cid(`delnons${variant[0]}`);
    const add = tg.run('ADD', { containerId: id, pod, conf });
    p.push(...successProblems(add, `ADD (${variant})`, 'json'));
    if (add.code !== 0) continue;
    const del = tg.run('DEL', { containerId: id, conf, env: { CNI_NETNS: variant === 'absent' ? undefined : '' } });
    p.push(...successProblems(del, `DEL with CNI_NETNS ${variant}`, 'empty'));
    p.push(...leftoverProblems(tg.bed, [pod]).map((x) => `after DEL with CNI_NETNS ${variant}: ${x}`));
  }
  return p;
}

/** §1.8, §4 ADD.6: an ADD that fails half-way (IPv6 needs MTU >= 1280), then the runtime's DEL. */
export function checkDelAfterFailedAdd(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'delfail');
  const conf = confFor(tg, c, { mtu: 1200 });
  const id = cid('delfail');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = errorProblems(add, 'ADD with mtu 1200 and IPv6', { version: c.version });
  p.push(...leftoverProblems(tg.bed, [pod]).map((x) => `after the failed ADD: ${x}`));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL after the failed ADD', 'empty'));
  p.push(...leftoverProblems(tg.bed, [pod]));
  return p;
}

/** §4 CHECK.2/CHECK.7/CHECK.9: CHECK with the ADD result straight after ADD succeeds, prints nothing. */
export function checkCheckWithPrev(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'chk');
  const conf = confFor(tg, c);
  const id = cid('chk');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...successProblems(tg.run('CHECK', { containerId: id, pod, conf: { ...conf, prevResult: add.json } }), 'CHECK with prevResult', 'empty'));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  return p;
}

/** §4 CHECK.2: CHECK without prevResult is an error (not a silent success). */
export function checkCheckWithoutPrev(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'chknp');
  const conf = confFor(tg, c);
  const id = cid('chknp');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = successProblems(add, 'ADD', 'json');
  if (add.code !== 0) return p;
  p.push(...errorProblems(tg.run('CHECK', { containerId: id, pod, conf }), 'CHECK without prevResult', { version: c.version }));
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'DEL', 'empty'));
  return p;
}

/** §4 CHECK.1, §0.3: a CHECK with a config below 0.4.0 gets code 1. */
export function checkCheckTooOld(tg: Target, version: string): string[] {
  const pod = newPod(tg, 'chkold');
  const conf = tg.bed.conf({ cniVersion: version });
  return errorProblems(tg.run('CHECK', { containerId: cid('chkold'), pod, conf }), `CHECK with cniVersion ${version}`, { code: 1, version });
}

/** §4 ADD.2: CNI_IFNAME already in the pod: an error, no IP allocated, nothing created, theirs kept. */
export function checkIfnameExists(tg: Target, c: Case): string[] {
  const pod = newPod(tg, 'exists');
  tg.bed.ip(pod, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'theirs0']);
  const conf = confFor(tg, c);
  const id = cid('exists');
  const add = tg.run('ADD', { containerId: id, pod, conf });
  const p = errorProblems(add, 'ADD with eth0 already present', { version: c.version });
  const ipam = tg.bed.ipamAllocations();
  if (ipam.length) p.push(`IPs allocated although the interface exists: ${ipam.join(', ')}`);
  const links = tg.bed.nodeLinks();
  if (links.length) p.push(`host links created: ${links.join(', ')}`);
  if (!nonLoLinks(tg.bed, pod).includes('eth0')) p.push('the pre-existing eth0 was removed');
  p.push(...successProblems(tg.run('DEL', { containerId: id, pod, conf }), 'the runtime\'s DEL after the failed ADD', 'empty'));
  return p;
}

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

/** What a prevResult in `version` looks like when another interface plugin ran first (§7). */
export function foreignPrevResult(version: string, netns: string): Json {
  const v = !atLeast(version, '1.0.0') ? { version: '4' } : {};
  return {
    cniVersion: version,
    interfaces: [{ name: 'side0', mac: '02:00:00:00:00:01', sandbox: netns }],
    ips: [{ ...v, address: '10.99.0.5/24', gateway: '10.99.0.1', interface: 0 }],
    routes: [{ dst: '10.98.0.0/16', gw: '10.99.0.1' }],
    dns: { nameservers: ['10.96.0.10'], domain: 'cluster.local', search: ['svc.cluster.local'], options: ['ndots:5'] },
  };
}

/** §4 ADD.4/§7.1: `res` keeps everything `prev` reported (interface references followed by name). */
export function passthroughProblems(prev: Json, res: unknown): string[] {
  if (!isObj(res)) return ['result is not an object'];
  const p: string[] = [];
  if (res.cniVersion !== prev.cniVersion) p.push(`result cniVersion ${JSON.stringify(res.cniVersion)} != ${JSON.stringify(prev.cniVersion)}`);
  const outIfs = Array.isArray(res.interfaces) ? (res.interfaces as Json[]) : [];
  const prevIfs = prev.interfaces as Json[];
  for (const i of prevIfs) {
    const same = (o: Json) => o.name === i.name && o.sandbox === i.sandbox && (i.mac === undefined || o.mac === i.mac) && (i.mtu === undefined || o.mtu === i.mtu);
    if (!outIfs.some(same)) p.push(`interface ${JSON.stringify(i)} from prevResult was dropped or changed`);
  }
  const outIps = Array.isArray(res.ips) ? (res.ips as Json[]) : [];
  for (const ip of prev.ips as Json[]) {
    const o = outIps.find((x) => x.address === ip.address);
    if (!o) p.push(`IP ${String(ip.address)} from prevResult was dropped`);
    else {
      if (o.gateway !== ip.gateway) p.push(`IP ${String(ip.address)}: gateway ${JSON.stringify(o.gateway)} != ${JSON.stringify(ip.gateway)}`);
      if (o.version !== ip.version) p.push(`IP ${String(ip.address)}: version ${JSON.stringify(o.version)} != ${JSON.stringify(ip.version)}`);
      const want = prevIfs[ip.interface as number]?.name;
      const got = typeof o.interface === 'number' ? outIfs[o.interface]?.name : undefined;
      if (want !== got) p.push(`IP ${String(ip.address)} now points at interface ${JSON.stringify(got)}, prevResult said ${JSON.stringify(want)}`);
    }
  }
  const outRoutes = Array.isArray(res.routes) ? (res.routes as Json[]) : [];
  for (const r of prev.routes as Json[]) {
    if (!outRoutes.some((o) => o.dst === r.dst && o.gw === r.gw)) p.push(`route ${JSON.stringify(r)} from prevResult was dropped`);
  }
  const dns = isObj(res.dns) ? res.dns : {};
  for (const [k, v] of Object.entries(prev.dns as Json)) {
    if (JSON.stringify(dns[k]) !== JSON.stringify(v)) p.push(`dns.${k} from prevResult was dropped or changed: ${JSON.stringify(dns[k])} != ${JSON.stringify(v)}`);
  }
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
