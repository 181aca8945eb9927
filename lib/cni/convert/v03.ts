// lib/cni/convert/v03: the 0.3.0/0.3.1/0.4.0 result shape (ips[].version "4"/"6") and the
// lossless converters to and from 1.0.0. Pure. May import: ./common, ./shape, ../ip, ../result-types.
import type { DNS, Interface, IPConfig, Result, Route } from '../result-types.js';
import { cidrFamily } from '../ip.js';
import { decodeDns, decodeIfIndex, decodeInterface, decodeRoute, dnsFields, interfaceFields, routeFields } from './common.js';
import { compact, join, list, object, optIp, optString, reqCidr, ShapeError } from './shape.js';

export interface V03IPConfig extends IPConfig {
  version: '4' | '6';
}

export interface V03Result {
  interfaces: Interface[];
  ips: V03IPConfig[];
  routes: Route[];
  dns: DNS;
}

export function decodeV03(v: unknown): V03Result {
  const o = object(v, '');
  return {
    interfaces: list(o.interfaces, 'interfaces').map((x, i) => decodeInterface(x, join('interfaces', i), false)),
    ips: list(o.ips, 'ips').map((x, i) => decodeV03Ip(x, join('ips', i))),
    routes: list(o.routes, 'routes').map((x, i) => decodeRoute(x, join('routes', i), false)),
    dns: decodeDns(o.dns, 'dns'),
  };
}

function decodeV03Ip(v: unknown, path: string): V03IPConfig {
  const o = object(v, path);
  const addr = reqCidr(o, 'address', path);
  const family = String(addr.family) as '4' | '6';
  // Required by the 0.3.x/0.4.0 spec; tolerated when absent (derived from the address).
  const version = optString(o, 'version', path) ?? family;
  if (version !== family) {
    throw new ShapeError(join(path, 'version'), `is ${JSON.stringify(version)} but address ${addr.value} is IPv${family}`);
  }
  return compact({ version, interface: decodeIfIndex(o, path), address: addr.value, gateway: optIp(o, 'gateway', path) });
}

/** 0.3.x/0.4.0 → 1.0.0: drop ips[].version. */
export function v03ToV10(r: V03Result): Result {
  return {
    interfaces: r.interfaces,
    ips: r.ips.map((ip) => compact({ interface: ip.interface, address: ip.address, gateway: ip.gateway })),
    routes: r.routes,
    dns: r.dns,
  };
}

/** 1.0.0 → 0.3.x/0.4.0: add ips[].version from the address family. */
export function v10ToV03(r: Result): V03Result {
  return {
    interfaces: r.interfaces,
    ips: r.ips.map((ip) =>
      compact({ version: String(cidrFamily(ip.address)) as '4' | '6', interface: ip.interface, address: ip.address, gateway: ip.gateway }),
    ),
    routes: r.routes,
    dns: r.dns,
  };
}

export function encodeV03(r: V03Result): Record<string, unknown> {
  return compact({
    interfaces: r.interfaces.length ? r.interfaces.map((i) => interfaceFields(i, false)) : undefined,
    ips: r.ips.length
      ? r.ips.map((ip) => compact({ version: ip.version, interface: ip.interface, address: ip.address, gateway: ip.gateway }))
      : undefined,
    routes: r.routes.length ? r.routes.map((x) => routeFields(x, false)) : undefined,
    dns: dnsFields(r.dns),
  });
}
