// `podlink install`'s inputs: its options, what it depends on, and the conflist it resolves from them
// (validated as ADD validates a netconf), plus the checks of the chained plugins and the conf dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNetConf } from '../lib/cni/netconf.js';
import { SUPPORTED_VERSIONS, versionAtLeast } from '../lib/cni/versions.js';
import { isMode, type Mode, type ModeFile } from '../lib/connector/index.js';
import { CONFLIST_CNI_VERSION, CONFLIST_NAME, DEFAULT_NETWORK_NAME, podlinkPlugin, renderConflist } from '../lib/manifest/index.js';
import { PATH_KEYS, resolvePaths, type NodePaths } from './path-options.js';
import type { NodeDatapathReport } from './node-datapath.js';
import { StepError, stepError, type Progress } from './step-report.js';

/** The path flags (modeFile, stateDir, bpfRoot) win over the --netconf file's fields. */
export interface InstallOptions extends Partial<NodePaths> {
  binDir: string;
  confDir: string;
  /** Configured mode (default: the netconf file's, else auto). */
  mode?: string;
  ipam?: string;
  /** host-local subnets; "node" = this node's spec.podCIDRs from the API server. */
  subnet?: string[];
  /** A podlink netconf (plugin object), e.g. the ConfigMap's. */
  netconf?: string;
  name?: string;
  cniVersion?: string;
  portmap?: boolean;
  bandwidth?: boolean;
  textfileDir?: string;
  metricsState?: string;
  /** Where pl_from_uplink goes: auto (default-route devices), none, or device names. */
  uplink?: string;
  /** The executable to install (default: this one). */
  source?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface InstallDeps {
  probe: (mode: Mode) => ModeFile;
  /** The node-level BPF setup (what `podlink probe --write` does after the mode file). */
  nodeDatapath: (bpfRoot: string, tcx: boolean, uplink: string) => NodeDatapathReport;
  /** Whether this build's programs are pinned under bpfRoot (for --dry-run). */
  datapathLoaded: (bpfRoot: string) => boolean;
  executable: () => string;
  nodePodCidrs: () => Promise<string[]>;
  /** supportedVersions of a chained plugin binary, or undefined when it cannot tell. */
  pluginVersions: (file: string) => string[] | undefined;
  progress: (label: string) => Progress | undefined;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface ResolvedConfig extends NodePaths {
  name: string;
  cniVersion: string;
  plugin: Record<string, unknown>;
  mode: Mode;
  conflist: string;
  /** Why the conflist's cniVersion is not the default one, if it is not. */
  versionNote?: string;
}

/** Builds and validates the conflist from the options (the same validation ADD applies). */
export async function resolveConfig(
  o: InstallOptions,
  deps: Pick<InstallDeps, 'nodePodCidrs' | 'pluginVersions'>,
): Promise<ResolvedConfig> {
  const step = 'build the network config';
  let base: Record<string, unknown> = {};
  if (o.netconf) {
    let text: string;
    try {
      text = fs.readFileSync(o.netconf, 'utf8');
    } catch (e) {
      throw new StepError(
        step,
        `cannot read --netconf ${o.netconf}: ${(e as Error).message}`,
        'pass the path of a podlink netconf JSON file',
      );
    }
    try {
      const x: unknown = JSON.parse(text);
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error('not a JSON object');
      base = x as Record<string, unknown>;
    } catch (e) {
      throw new StepError(
        step,
        `--netconf ${o.netconf} is not a JSON object: ${(e as Error).message}`,
        'fix the JSON (e.g. check it with `jq . FILE`)',
      );
    }
  }
  let subnets = o.subnet ?? [];
  if (subnets.includes('node')) {
    if (subnets.length > 1)
      throw new StepError(
        step,
        '--subnet node cannot be combined with other --subnet values',
        'give either --subnet node or explicit CIDRs',
      );
    try {
      subnets = await deps.nodePodCidrs();
    } catch (e) {
      throw stepError('look up the node pod CIDRs', e);
    }
  }
  let plugin: Record<string, unknown>;
  try {
    plugin = podlinkPlugin({ base, mode: o.mode, ipamType: o.ipam, subnets });
  } catch (e) {
    throw stepError(step, e);
  }
  for (const k of PATH_KEYS) if (o[k] !== undefined) plugin[k] = o[k]; // ADD must use the paths install uses
  const ipam = plugin.ipam as Record<string, unknown> | undefined;
  if (!ipam) {
    throw new StepError(
      step,
      'no IPAM configured',
      'pass --ipam host-local --subnet CIDR (repeat --subnet for dual stack), or --netconf FILE with an "ipam" section',
    );
  }
  if (ipam.type === 'host-local' && ipam.ranges === undefined && ipam.subnet === undefined) {
    throw new StepError(
      step,
      'host-local IPAM needs a subnet',
      'pass --subnet CIDR (repeat for dual stack), or --subnet node inside the cluster',
    );
  }
  const name = o.name ?? (typeof base.name === 'string' ? base.name : DEFAULT_NETWORK_NAME);
  const { version: cniVersion, note: versionNote } = o.cniVersion ? { version: o.cniVersion, note: undefined } : chainVersion(o, deps);
  try {
    parseNetConf(JSON.stringify({ cniVersion, name, ...plugin }));
  } catch (e) {
    const x = e as { msg?: string; details?: string; message?: string };
    throw new StepError(
      step,
      `the podlink config is invalid: ${x.msg ?? x.message}${x.details ? ` (${x.details})` : ''}`,
      'fix the --netconf file or the options',
    );
  }
  const mode = plugin.mode;
  if (!isMode(mode)) throw new StepError(step, `mode ${JSON.stringify(mode)} is not auto, veth, netkit or netkit-l2`, 'pass --mode auto');
  const conflist = renderConflist({ name, cniVersion, plugin, portmap: o.portmap, bandwidth: o.bandwidth });
  return { name, cniVersion, plugin, mode, ...resolvePaths(o, plugin), conflist, versionNote };
}

/**
 * Whether to chain bandwidth when neither --bandwidth nor --no-bandwidth was given. Debian 12's
 * reference plugins (1.1.1) dereference nil in bandwidth's CHECK when the runtime sends no bandwidth
 * args, i.e. for every pod without limits; a plugin set that does not speak CNI 1.1.0 (before 1.5.0)
 * may be that old, so bandwidth is left out of the chain there, and install says so.
 */
export function chainDefaults(o: InstallOptions, deps: Pick<InstallDeps, 'pluginVersions'>): { o: InstallOptions; note?: string } {
  if (o.bandwidth !== undefined) return { o };
  const file = path.join(o.binDir, 'bandwidth');
  const versions = fs.existsSync(file) ? deps.pluginVersions(file) : undefined;
  if (!versions || versions.includes('1.1.0')) return { o };
  return {
    o: { ...o, bandwidth: false },
    note:
      `bandwidth not chained: ${file} speaks CNI ${versions.join(', ')} only, as the reference plugins before 1.5.0 do, ` +
      "and Debian 12's (1.1.1) crash in CHECK for pods without bandwidth limits; " +
      'upgrade the CNI plugins, or pass --bandwidth to chain it anyway',
  };
}

/**
 * The conflist's cniVersion when --cni-version is not given: 1.1.0, or the newest version every
 * chained plugin in the bin dir speaks (Debian 12's reference plugins 1.1.1 stop at 1.0.0; a conflist
 * they cannot speak fails every pod).
 */
export function chainVersion(o: InstallOptions, deps: Pick<InstallDeps, 'pluginVersions'>): { version: string; note?: string } {
  const chain = [...(o.portmap !== false ? ['portmap'] : []), ...(o.bandwidth !== false ? ['bandwidth'] : [])];
  const limits: string[] = [];
  let candidates = [...SUPPORTED_VERSIONS].reverse().filter((v) => versionAtLeast(CONFLIST_CNI_VERSION, v));
  for (const p of chain) {
    const file = path.join(o.binDir, p);
    const versions = fs.existsSync(file) ? deps.pluginVersions(file) : undefined;
    if (!versions) continue;
    const kept = candidates.filter((v) => versions.includes(v));
    if (kept[0] !== candidates[0]) limits.push(p);
    if (kept.length) candidates = kept;
  }
  const version = candidates[0] ?? CONFLIST_CNI_VERSION;
  return version === CONFLIST_CNI_VERSION
    ? { version }
    : {
        version,
        note:
          `conflist cniVersion ${version}, not ${CONFLIST_CNI_VERSION}: ` +
          `${limits.join(' and ')} in ${o.binDir} ${limits.length > 1 ? 'speak' : 'speaks'} at most ${version} ` +
          `(CNI plugins 1.5.0+ speak ${CONFLIST_CNI_VERSION}; --cni-version overrides)`,
      };
}

/** Chained plugins must exist in the bin dir and speak the conflist's version, or every pod fails. */
export function checkChain(o: InstallOptions, cfg: ResolvedConfig, deps: InstallDeps): string[] {
  const out: string[] = [];
  const chain = [...(o.portmap !== false ? ['portmap'] : []), ...(o.bandwidth !== false ? ['bandwidth'] : [])];
  const ipamType = (cfg.plugin.ipam as { type?: string } | undefined)?.type;
  for (const p of [...chain, ...(ipamType ? [ipamType] : [])]) {
    const file = path.join(o.binDir, p);
    if (!fs.existsSync(file)) {
      out.push(
        chain.includes(p)
          ? `${p} is not in ${o.binDir}: pod creation will fail at the chained ${p} plugin; ` +
              `install the CNI reference plugins there, or pass --no-${p}`
          : `IPAM plugin ${p} is not in ${o.binDir}: pod creation will fail at IPAM; install the CNI reference plugins there`,
      );
      continue;
    }
    if (!chain.includes(p)) continue; // IPAM: podlink negotiates its version itself
    const versions = deps.pluginVersions(file);
    if (versions && !versions.includes(cfg.cniVersion)) {
      const fallback = versions.includes('1.0.0') ? '1.0.0' : versions[versions.length - 1];
      out.push(
        `${file} supports CNI ${versions.join(', ')} but not ${cfg.cniVersion}: ` +
          `upgrade the CNI plugins (1.5.0+), or pass --cni-version ${fallback}`,
      );
    }
  }
  return out;
}

/** The runtime uses the first config file in lexical order; warn when another one comes first. */
export function checkConfOrder(confDir: string): string[] {
  let names: string[];
  try {
    names = fs
      .readdirSync(confDir)
      .filter((f) => /\.(conf|conflist|json)$/.test(f) && !f.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
  const first = names[0];
  return first && first !== CONFLIST_NAME && names.includes(CONFLIST_NAME)
    ? [`${path.join(confDir, first)} sorts before ${CONFLIST_NAME}: the container runtime uses it instead of podlink; remove or rename it`]
    : [];
}
