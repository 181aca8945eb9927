// The node's CNI network configuration list: podlink first, then the chained portmap and bandwidth
// plugins with their runtimeConfig capabilities. Pure. May import: node builtins.
import { ipLiteralFamily as isIP } from '../util/ip-literal.js';

export const CONFLIST_NAME = '05-podlink.conflist';
export const CONFLIST_CNI_VERSION = '1.1.0';
export const DEFAULT_NETWORK_NAME = 'k8s-pod-network';

export interface ConflistOptions {
  /** Network name (conflist level). */
  name?: string;
  cniVersion?: string;
  /** The podlink plugin object (type is forced to podlink; name/cniVersion belong to the list). */
  plugin: Record<string, unknown>;
  /** Chain portmap (capability portMappings). Default true. */
  portmap?: boolean;
  /** Chain bandwidth (capability bandwidth). Default true. */
  bandwidth?: boolean;
}

export class ConfigInputError extends Error {
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'ConfigInputError';
    this.hint = hint;
  }
}

/** Validates "address/prefix" for IPv4 or IPv6; returns the family (4 or 6). */
export function cidrFamily(cidr: string): 4 | 6 {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  const fam = m ? isIP(m[1]!) : 0;
  if (!m || fam === 0 || Number(m[2]) > (fam === 4 ? 32 : 128)) {
    throw new ConfigInputError(
      `${JSON.stringify(cidr)} is not a subnet in CIDR notation`,
      'use e.g. --subnet 10.244.1.0/24 or --subnet fd00:10:244:1::/64',
    );
  }
  return fam as 4 | 6;
}

/** host-local `ranges`: one range set per address family (dual stack = two range sets). */
export function hostLocalRanges(subnets: string[]): { subnet: string }[][] {
  const byFamily = new Map<4 | 6, { subnet: string }[]>();
  for (const s of subnets) {
    const f = cidrFamily(s);
    if (!byFamily.has(f)) byFamily.set(f, []);
    byFamily.get(f)!.push({ subnet: s });
  }
  return [4, 6].filter((f) => byFamily.has(f as 4 | 6)).map((f) => byFamily.get(f as 4 | 6)!);
}

export interface PluginInput {
  /** A podlink netconf (plugin object) to start from, e.g. from the ConfigMap. */
  base?: Record<string, unknown>;
  mode?: string;
  ipamType?: string;
  subnets?: string[];
}

/** The podlink plugin object: base, overridden by explicit mode/IPAM inputs. Type first, then mode. */
export function podlinkPlugin(i: PluginInput): Record<string, unknown> {
  const { name: _n, cniVersion: _v, cniVersions: _vs, type: _t, plugins, ...rest } = i.base ?? {};
  if (plugins !== undefined)
    throw new ConfigInputError(
      'the netconf file is a conflist',
      'give the podlink plugin object (with "type": "podlink"), not a whole conflist',
    );
  const out: Record<string, unknown> = { type: 'podlink', mode: i.mode ?? rest.mode ?? 'auto', ...rest };
  if (i.mode) out.mode = i.mode;
  let ipam = typeof rest.ipam === 'object' && rest.ipam !== null ? { ...(rest.ipam as Record<string, unknown>) } : undefined;
  if (i.ipamType && ipam?.type !== i.ipamType) ipam = { type: i.ipamType };
  if (i.subnets?.length) {
    ipam ??= { type: 'host-local' };
    if (ipam.type !== 'host-local') {
      throw new ConfigInputError(
        `--subnet applies to host-local IPAM, not ${String(ipam.type)}`,
        'drop --subnet, or use --ipam host-local',
      );
    }
    delete ipam.subnet;
    ipam.ranges = hostLocalRanges(i.subnets);
  }
  if (ipam) out.ipam = ipam;
  return out;
}

export function buildConflist(o: ConflistOptions): Record<string, unknown> {
  const plugins: Record<string, unknown>[] = [podlinkPlugin({ base: o.plugin })];
  if (o.portmap !== false) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  if (o.bandwidth !== false) plugins.push({ type: 'bandwidth', capabilities: { bandwidth: true } });
  return { cniVersion: o.cniVersion ?? CONFLIST_CNI_VERSION, name: o.name ?? DEFAULT_NETWORK_NAME, plugins };
}

/** Stable bytes: the same inputs always render the same file, so "unchanged" is a byte comparison. */
export function renderConflist(o: ConflistOptions): string {
  return `${JSON.stringify(buildConflist(o), null, 2)}\n`;
}
