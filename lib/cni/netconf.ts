// lib/cni/netconf: parseNetConf — stdin bytes → a typed, defaulted NetConf. Order of checks:
// JSON (code 6) → cniVersion (code 1) → schema, compiled at build time (code 7) → CIDRs,
// prevResult and runtimeConfig (code 7). `raw` keeps the object exactly as received so the whole
// config can be handed to IPAM. May import: ./errors, ./versions, ./result, ./runtime-config,
// ./netconf-validator, ./schema-errors, ./ip, ../log (types only).
import type { LogLevel } from '../log/index.js';
import { CniError, Code } from './errors.js';
import { cidrFamily } from './ip.js';
import { validateNetConfSchema } from './netconf-validator.js';
import { parseResult, type DNS, type Result } from './result.js';
import { normaliseRuntimeConfig, RuntimeConfigError, type RuntimeConfig } from './runtime-config.js';
import { describeSchemaErrors } from './schema-errors.js';
import { DEFAULT_CONFIG_VERSION, isSupportedVersion, SUPPORTED_VERSIONS, type CniVersion } from './versions.js';

export type Mode = 'auto' | 'veth' | 'netkit' | 'netkit-l2';
export type HostRouting = 'auto' | 'bpf' | 'legacy';
export type { LogLevel };

export interface IpamConf {
  type: string;
  [key: string]: unknown;
}

/** One entry of GC's `cni.dev/valid-attachments`. */
export interface Attachment {
  containerID: string;
  ifname: string;
}

export interface NetConf {
  /** As sent, or '0.1.0' when the config has none. Results and errors are written in it. */
  cniVersion: CniVersion;
  name: string;
  type: string;
  mode: Mode;
  mtu?: number;
  logFile?: string;
  logLevel?: LogLevel;
  modeFile: string;
  stateDir: string;
  bpfRoot: string;
  antiSpoof: boolean;
  hostRouting: HostRouting;
  /** How remote nodes' pod CIDRs are reached (the agent routes; ADD sizes the pod MTU by it). */
  routing: 'native' | 'tunnel' | 'auto';
  /** The VXLAN UDP port the agent's tunnel device uses. */
  tunnelPort: number;
  clusterCIDRs: string[];
  gsoMaxSize?: number;
  groMaxSize?: number;
  headroom?: number;
  tailroom?: number;
  ipam?: IpamConf;
  dns?: DNS;
  capabilities?: Record<string, unknown>;
  args?: Record<string, unknown>;
  /** Converted to the internal (1.1.0) shape whatever version it arrived in. */
  prevResult?: Result;
  /** Normalised to CONVENTIONS spelling; {} when absent. */
  runtimeConfig: RuntimeConfig;
  /**
   * GC only: the union of `cni.dev/valid-attachments` and `cni.dev/attachments`. Undefined when
   * neither key was sent, which is different from [] ("nothing is valid any more").
   */
  validAttachments?: Attachment[];
  /** The parsed stdin object, untouched (no defaults, original runtimeConfig spelling). */
  raw: Record<string, unknown>;
  /** The stdin text `raw` was parsed from: delegated plugins get it byte for byte. */
  rawText: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function incompatibleVersion(v: string): CniError {
  return new CniError(
    Code.IncompatibleVersion,
    'incompatible CNI versions',
    `config is ${JSON.stringify(v)}, plugin supports [${SUPPORTED_VERSIONS.join(' ')}]`,
  );
}

/** The config's cniVersion ('' or absent → 0.1.0); code 1 when unsupported. */
export function configVersion(raw: Record<string, unknown>): CniVersion {
  const v = raw.cniVersion;
  if (v === undefined || v === '') return DEFAULT_CONFIG_VERSION;
  if (typeof v !== 'string') throw new CniError(Code.InvalidConfig, 'cniVersion must be a string');
  if (!isSupportedVersion(v)) throw incompatibleVersion(v);
  return v;
}

export function decodeConfigJson(stdin: Buffer | string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin.toString());
  } catch (e) {
    throw new CniError(Code.DecodeFailure, `error decoding network config: ${(e as Error).message}`);
  }
  if (!isPlainObject(raw)) throw new CniError(Code.DecodeFailure, 'error decoding network config: not a JSON object');
  return raw;
}

/** Far beyond any real config (prevResult and runtimeConfig add a handful of levels). */
export const MAX_CONFIG_DEPTH = 64;

/** Iterative, so hostile depth cannot overflow the stack here either. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function attachments(c: Record<string, unknown>): Attachment[] | undefined {
  const lists = [c['cni.dev/valid-attachments'], c['cni.dev/attachments']].filter(Array.isArray) as Attachment[][];
  if (!lists.length) return undefined;
  const seen = new Map<string, Attachment>();
  for (const a of lists.flat()) seen.set(`${a.containerID}\0${a.ifname}`, { containerID: a.containerID, ifname: a.ifname });
  return [...seen.values()];
}

export interface ParseOptions {
  /**
   * Whether to read prevResult into `NetConf.prevResult` (default true). DEL works from its endpoint
   * record and never reads it, and a DEL must clean up whatever the runtime's cached result looks like
   * (CNI spec, DEL): the dispatcher skips it there. The schema still requires an object when present.
   */
  prevResult?: boolean;
}

export function parseNetConf(stdin: Buffer | string, opts: ParseOptions = {}): NetConf {
  const rawText = stdin.toString();
  const raw = decodeConfigJson(rawText);
  const cniVersion = configVersion(raw);
  // JSON.parse copes with any depth, but JSON.stringify (the IPAM plugin's stdin) recurses and would
  // overflow the stack a few thousand levels down: refuse such input here, with a clear error.
  if (nestsDeeperThan(raw, MAX_CONFIG_DEPTH)) {
    throw new CniError(
      Code.DecodeFailure,
      `error decoding network config: nested deeper than ${MAX_CONFIG_DEPTH} levels`,
      'a CNI network config is a few levels deep; check what generated it',
    );
  }

  // Validate a shallow copy: the schema fills in top-level defaults, `raw` must stay verbatim.
  const c: Record<string, unknown> = { ...raw };
  if (!validateNetConfSchema(c)) {
    throw new CniError(Code.InvalidConfig, describeSchemaErrors(validateNetConfSchema.errors ?? []).join('; '));
  }
  const cidrs = c.clusterCIDRs as string[];
  const bad = cidrs.findIndex((s) => cidrFamily(s) === 0);
  if (bad >= 0)
    throw new CniError(Code.InvalidConfig, `clusterCIDRs[${bad}] must be an address in CIDR notation (got ${JSON.stringify(cidrs[bad])})`);

  let prevResult: Result | undefined;
  if (c.prevResult !== undefined && opts.prevResult !== false) {
    try {
      prevResult = parseResult(c.prevResult, cniVersion);
    } catch (e) {
      if (e instanceof CniError && e.code === Code.DecodeFailure) throw new CniError(Code.InvalidConfig, `invalid prevResult: ${e.msg}`);
      throw e;
    }
  }

  let runtimeConfig: RuntimeConfig;
  try {
    runtimeConfig = normaliseRuntimeConfig(c.runtimeConfig);
  } catch (e) {
    if (e instanceof RuntimeConfigError) throw new CniError(Code.InvalidConfig, e.message);
    throw e;
  }

  const conf: NetConf = {
    cniVersion,
    name: c.name as string,
    type: c.type as string,
    mode: c.mode as Mode,
    modeFile: c.modeFile as string,
    stateDir: c.stateDir as string,
    bpfRoot: c.bpfRoot as string,
    antiSpoof: c.antiSpoof as boolean,
    hostRouting: c.hostRouting as HostRouting,
    routing: c.routing as NetConf['routing'],
    tunnelPort: c.tunnelPort as number,
    clusterCIDRs: [...cidrs],
    runtimeConfig,
    raw,
    rawText,
  };
  const optional = [
    'mtu',
    'logFile',
    'logLevel',
    'gsoMaxSize',
    'groMaxSize',
    'headroom',
    'tailroom',
    'ipam',
    'dns',
    'capabilities',
    'args',
  ] as const;
  for (const k of optional) if (c[k] !== undefined) (conf as unknown as Record<string, unknown>)[k] = c[k];
  if (prevResult) conf.prevResult = prevResult;
  const valid = attachments(c);
  if (valid) conf.validAttachments = valid;
  return conf;
}
