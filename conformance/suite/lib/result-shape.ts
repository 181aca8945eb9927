// The ADD result's wire shape for each cniVersion (§4 ADD.3/ADD.5, §5), and what to read out of a result
// (its addresses, the host-side interface).
import { isIP } from 'node:net';
import { isObj, type Json } from './json.js';
import { atLeast, LEGACY_VERSIONS } from './suite.js';

function cidrProblem(v: unknown, family?: 4 | 6): string | undefined {
  if (typeof v !== 'string') return `not a string: ${JSON.stringify(v)}`;
  const [ip, len, ...rest] = v.split('/');
  const fam = isIP(ip ?? '');
  if (!fam || len === undefined || rest.length || !/^\d+$/.test(len) || Number(len) > (fam === 4 ? 32 : 128)) return `not CIDR: ${v}`;
  if (family && fam !== family) return `not IPv${family}: ${v}`;
  return undefined;
}

export function keysProblems(o: Json, allowed: readonly string[], where: string): string[] {
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
