// lib/cni/convert/common: decoders for the result pieces whose shape is shared between versions
// (dns; interfaces and routes with or without the 1.1.0 fields). Pure.
// May import: ./shape, ../result-types.
import type { DNS, Interface, Route } from '../result-types.js';
import { compact, object, optInt, optIp, optString, optStrings, reqCidr, reqString, type Obj } from './shape.js';

export function decodeDns(v: unknown, path: string): DNS {
  if (v === undefined || v === null) return {};
  const o = object(v, path);
  return compact({
    nameservers: optStrings(o, 'nameservers', path),
    domain: optString(o, 'domain', path) || undefined,
    search: optStrings(o, 'search', path),
    options: optStrings(o, 'options', path),
  });
}

/** Interface; with `v11` the 1.1.0 fields (mtu, socketPath, pciID) are read too, else ignored. */
export function decodeInterface(v: unknown, path: string, v11: boolean): Interface {
  const o = object(v, path);
  const base: Interface = {
    name: reqString(o, 'name', path),
    mac: optString(o, 'mac', path) || undefined,
    mtu: v11 ? optInt(o, 'mtu', path, 0, 2 ** 32 - 1) : undefined,
    sandbox: optString(o, 'sandbox', path) || undefined,
    socketPath: v11 ? optString(o, 'socketPath', path) || undefined : undefined,
    pciID: v11 ? optString(o, 'pciID', path) || undefined : undefined,
  };
  return compact(base);
}

/** Route; with `v11` the 1.1.0 fields (mtu, advmss, priority, table, scope) are read too. */
export function decodeRoute(v: unknown, path: string, v11: boolean): Route {
  const o = object(v, path);
  const route: Route = {
    dst: reqCidr(o, 'dst', path).value,
    gw: optIp(o, 'gw', path),
    mtu: v11 ? optInt(o, 'mtu', path, 0) : undefined,
    advmss: v11 ? optInt(o, 'advmss', path, 0) : undefined,
    priority: v11 ? optInt(o, 'priority', path, 0) : undefined,
    table: v11 ? optInt(o, 'table', path, 0) : undefined,
    scope: v11 ? optInt(o, 'scope', path, 0, 255) : undefined,
  };
  return compact(route);
}

/** The `interface` index of an IP config: absent, null and -1 all mean "not set". */
export function decodeIfIndex(o: Obj, path: string): number | undefined {
  const idx = optInt(o, 'interface', path, -1);
  return idx === undefined || idx < 0 ? undefined : idx;
}

export function routeFields(r: Route, v11: boolean): Route {
  return v11
    ? compact({ dst: r.dst, gw: r.gw, mtu: r.mtu, advmss: r.advmss, priority: r.priority, table: r.table, scope: r.scope })
    : compact({ dst: r.dst, gw: r.gw });
}

export function interfaceFields(i: Interface, v11: boolean): Interface {
  return v11
    ? compact({ name: i.name, mac: i.mac, mtu: i.mtu, sandbox: i.sandbox, socketPath: i.socketPath, pciID: i.pciID })
    : compact({ name: i.name, mac: i.mac, sandbox: i.sandbox });
}

export function dnsFields(d: DNS): DNS {
  return compact({ nameservers: d.nameservers, domain: d.domain, search: d.search, options: d.options });
}
