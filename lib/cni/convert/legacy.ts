// lib/cni/convert/legacy: the 0.1.0/0.2.0 result shape (`ip4`/`ip6` objects, routes nested in
// them, no interfaces) and the converters to and from the 0.3.x shape. Going down keeps only the
// first address of each family and loses interfaces; going up yields no interfaces. Pure.
// May import: ./common, ./shape, ./v03, ../ip, ../result-types.
import type { DNS } from '../result-types.js';
import { cidrFamily } from '../ip.js';
import { decodeDns, dnsFields } from './common.js';
import { compact, join, list, object, optIp, reqCidr, ShapeError } from './shape.js';
import type { V03IPConfig, V03Result } from './v03.js';

export interface LegacyRoute {
  dst: string;
  gw?: string;
}

export interface LegacyIPConfig {
  ip: string;
  gateway?: string;
  routes: LegacyRoute[];
}

export interface LegacyResult {
  ip4?: LegacyIPConfig;
  ip6?: LegacyIPConfig;
  dns: DNS;
}

export function decodeLegacy(v: unknown): LegacyResult {
  const o = object(v, '');
  return compact({ ip4: decodeIpConfig(o.ip4, 'ip4', 4), ip6: decodeIpConfig(o.ip6, 'ip6', 6), dns: decodeDns(o.dns, 'dns') });
}

function decodeIpConfig(v: unknown, path: string, family: 4 | 6): LegacyIPConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const o = object(v, path);
  const ip = reqCidr(o, 'ip', path);
  if (ip.family !== family) throw new ShapeError(join(path, 'ip'), `must be an IPv${family} address, got ${ip.value}`);
  const routes = list(o.routes, join(path, 'routes')).map((x, i) => {
    const rp = join(join(path, 'routes'), i);
    const r = object(x, rp);
    return compact({ dst: reqCidr(r, 'dst', rp).value, gw: optIp(r, 'gw', rp) });
  });
  return compact({ ip: ip.value, gateway: optIp(o, 'gateway', path), routes });
}

/** 0.1.0/0.2.0 → 0.3.x: one ips[] entry per family present; routes flattened; no interfaces. */
export function legacyToV03(r: LegacyResult): V03Result {
  const ips: V03IPConfig[] = [];
  const routes: LegacyRoute[] = [];
  for (const [version, c] of [
    ['4', r.ip4],
    ['6', r.ip6],
  ] as const) {
    if (!c) continue;
    ips.push(compact({ version, address: c.ip, gateway: c.gateway }));
    routes.push(...c.routes);
  }
  return { interfaces: [], ips, routes, dns: r.dns };
}

/** 0.3.x → 0.1.0/0.2.0: first address of each family; each route goes under its family's ipN. */
export function v03ToLegacy(r: V03Result): LegacyResult {
  const out: LegacyResult = { dns: r.dns };
  for (const ip of r.ips) {
    const key = ip.version === '4' ? 'ip4' : 'ip6';
    out[key] ??= compact({ ip: ip.address, gateway: ip.gateway, routes: [] });
  }
  for (const route of r.routes) {
    const target = cidrFamily(route.dst) === 4 ? out.ip4 : out.ip6;
    target?.routes.push(compact({ dst: route.dst, gw: route.gw }));
  }
  return compact(out);
}

export function encodeLegacy(r: LegacyResult): Record<string, unknown> {
  const enc = (c: LegacyIPConfig | undefined) =>
    c &&
    compact({ ip: c.ip, gateway: c.gateway, routes: c.routes.length ? c.routes.map((x) => compact({ dst: x.dst, gw: x.gw })) : undefined });
  return compact({ ip4: enc(r.ip4), ip6: enc(r.ip6), dns: dnsFields(r.dns) });
}
