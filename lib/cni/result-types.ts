// lib/cni/result-types: the shape of podlink's internal Result (spec 1.1.0 without `cniVersion`), apart
// from result.ts so the converters in ./convert can name it without importing the code that calls them.

export interface Interface {
  name: string;
  mac?: string;
  /** 1.1.0 only. */
  mtu?: number;
  /** The CNI_NETNS path for container-side interfaces; absent for host-side ones. */
  sandbox?: string;
  /** 1.1.0 only. */
  socketPath?: string;
  /** 1.1.0 only. */
  pciID?: string;
}

export interface IPConfig {
  /** CIDR notation: the address plus its prefix length, e.g. "10.1.0.5/24". */
  address: string;
  gateway?: string;
  /** Index into Result.interfaces; absent in abbreviated (IPAM) results. */
  interface?: number;
}

export interface Route {
  dst: string;
  gw?: string;
  /** 1.1.0 only (mtu, advmss, priority, table, scope). */
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Result {
  interfaces: Interface[];
  ips: IPConfig[];
  routes: Route[];
  dns: DNS;
}
