// lib/cni/convert/modern: the 1.0.0 and 1.1.0 result shapes (no ips[].version; 1.1.0 adds
// interface mtu/socketPath/pciID and route mtu/advmss/priority/table/scope) and the converters
// between them. Pure. May import: ./common, ./shape, ../result-types.
import type { IPConfig, Result } from '../result-types.js';
import { decodeDns, decodeIfIndex, decodeInterface, decodeRoute, dnsFields, interfaceFields, routeFields } from './common.js';
import { compact, join, list, object, optIp, reqCidr } from './shape.js';

/** Decode a 1.0.0 (`v11` false: 1.1-only fields ignored) or 1.1.0 result object. */
export function decodeModern(v: unknown, v11: boolean): Result {
  const o = object(v, '');
  return {
    interfaces: list(o.interfaces, 'interfaces').map((x, i) => decodeInterface(x, join('interfaces', i), v11)),
    ips: list(o.ips, 'ips').map((x, i) => decodeModernIp(x, join('ips', i))),
    routes: list(o.routes, 'routes').map((x, i) => decodeRoute(x, join('routes', i), v11)),
    dns: decodeDns(o.dns, 'dns'),
  };
}

function decodeModernIp(v: unknown, path: string): IPConfig {
  const o = object(v, path);
  return compact({ interface: decodeIfIndex(o, path), address: reqCidr(o, 'address', path).value, gateway: optIp(o, 'gateway', path) });
}

/** 1.0.0 → 1.1.0: every 1.0.0 result is already a valid 1.1.0 result. */
export function v10ToV11(r: Result): Result {
  return r;
}

/** 1.1.0 → 1.0.0: drop the 1.1-only interface and route fields. */
export function v11ToV10(r: Result): Result {
  return {
    interfaces: r.interfaces.map((i) => interfaceFields(i, false)),
    ips: r.ips,
    routes: r.routes.map((x) => routeFields(x, false)),
    dns: r.dns,
  };
}

/** Wire object for 1.0.0/1.1.0 in the reference key order; empty lists omitted, dns always present. */
export function encodeModern(r: Result, v11: boolean): Record<string, unknown> {
  return compact({
    interfaces: r.interfaces.length ? r.interfaces.map((i) => interfaceFields(i, v11)) : undefined,
    ips: r.ips.length ? r.ips.map((ip) => compact({ interface: ip.interface, address: ip.address, gateway: ip.gateway })) : undefined,
    routes: r.routes.length ? r.routes.map((x) => routeFields(x, v11)) : undefined,
    dns: dnsFields(r.dns),
  });
}
