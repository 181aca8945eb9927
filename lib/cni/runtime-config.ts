// lib/cni/runtime-config: normalises `runtimeConfig` to the CONVENTIONS.md capability spelling.
// Keys are matched case-insensitively at every level, because containerd's go-cni sends Go field
// names ("HostPort", "IngressRate", "Servers") while libcni/cnitool send camelCase. Known values are
// type-checked; unknown keys are kept verbatim. Pure. May import: nothing.

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: string;
  hostIP?: string;
}

export interface IpRange {
  subnet?: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

export interface Bandwidth {
  /** bits per second */
  ingressRate?: number;
  /** bits */
  ingressBurst?: number;
  egressRate?: number;
  egressBurst?: number;
}

/** Note: these names (servers/searches) differ from the result's dns (nameservers/search). */
export interface RuntimeDns {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface RuntimeConfig {
  portMappings?: PortMapping[];
  ipRanges?: IpRange[][];
  bandwidth?: Bandwidth;
  dns?: RuntimeDns;
  ips?: string[];
  mac?: string;
  infinibandGUID?: string;
  deviceID?: string;
  aliases?: string[];
  cgroupPath?: string;
  [key: string]: unknown;
}

export class RuntimeConfigError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'RuntimeConfigError';
  }
}

type Spec =
  { kind: 'string' | 'uint' | 'strings' } | { kind: 'object'; fields: Readonly<Record<string, Spec>> } | { kind: 'list'; items: Spec };

const str: Spec = { kind: 'string' };
const uint: Spec = { kind: 'uint' };
const strings: Spec = { kind: 'strings' };
const obj = (fields: Record<string, Spec>): Spec => ({ kind: 'object', fields });
const list = (items: Spec): Spec => ({ kind: 'list', items });

/** The well-known capabilities (CONVENTIONS.md "Well-known Capabilities"), canonical spelling. */
const RUNTIME_CONFIG: Spec = obj({
  portMappings: list(obj({ hostPort: uint, containerPort: uint, protocol: str, hostIP: str })),
  ipRanges: list(list(obj({ subnet: str, rangeStart: str, rangeEnd: str, gateway: str }))),
  bandwidth: obj({ ingressRate: uint, ingressBurst: uint, egressRate: uint, egressBurst: uint }),
  dns: obj({ servers: strings, searches: strings, options: strings }),
  ips: strings,
  mac: str,
  infinibandGUID: str,
  deviceID: str,
  aliases: strings,
  cgroupPath: str,
});

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function normalise(v: unknown, spec: Spec, path: string): unknown {
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string') throw new RuntimeConfigError(path, 'must be a string');
      return v;
    case 'uint':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RuntimeConfigError(path, 'must be a non-negative integer');
      return v;
    case 'strings':
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new RuntimeConfigError(path, 'must be a list of strings');
      return v;
    case 'list':
      if (!Array.isArray(v)) throw new RuntimeConfigError(path, 'must be a list');
      return v.map((x, i) => normalise(x, spec.items, `${path}[${i}]`));
    case 'object':
      if (!isPlainObject(v)) throw new RuntimeConfigError(path, 'must be an object');
      return normaliseObject(v, spec.fields, path);
  }
}

/**
 * Rename known keys to their canonical spelling (exact spelling wins over a case variant when both
 * are present); null known values are dropped; unknown keys are copied unchanged.
 */
function normaliseObject(o: Record<string, unknown>, fields: Readonly<Record<string, Spec>>, path: string): Record<string, unknown> {
  const canonical = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
  const out = new Map<string, unknown>();
  const exact = new Set<string>();
  for (const [key, value] of Object.entries(o)) {
    const canon = canonical.get(key.toLowerCase());
    if (canon === undefined) {
      out.set(key, value);
      continue;
    }
    if (exact.has(canon) || value === null || value === undefined) continue;
    if (key === canon) exact.add(canon);
    out.set(canon, normalise(value, fields[canon]!, `${path}.${canon}`));
  }
  return Object.fromEntries(out);
}

/** Normalise `runtimeConfig` (absent → {}). Throws RuntimeConfigError naming the bad field. */
export function normaliseRuntimeConfig(v: unknown): RuntimeConfig {
  if (v === undefined || v === null) return {};
  return normalise(v, RUNTIME_CONFIG, 'runtimeConfig') as RuntimeConfig;
}
